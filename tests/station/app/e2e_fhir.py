#!/usr/bin/env python3
"""e2e: the FHIR R4 export (issue 18, docs/interop.md).

Cases (argument):
  plain    the commands exactly as the README shows them, no optional flag:
           `station report latest --fhir bundle.json` and
           `station progress CODE --fhir progress.json` after one stored
           session; both validate; 0600.
  clinic   a clinic day: patient added with a name and birth year, a
           cadence-retraining session run with `station run --sim --patient
           CODE --therapist ...`, stopped by the PT (--seconds) in its
           retention phase, then exported with --pdf --json --csv --fhir:
             * the bundle (collection and transaction) and the shipped
               CodeSystem validate against the FHIR R4 JSON schema with the
               independent validator (@asymmetrik/fhir-json-schema-validator);
             * each Observation's value equals the report JSON's figure for
               its phase (and left/right components theirs);
             * round trip: every figure read back from the bundle equals the
               figure recomputed here, independently, from the stored steps
               (the CSV export carries each stored double with 17 significant
               digits), rounded to the printed decimals;
             * the attached PDF is the report (the same bytes as --pdf but
               cairo's creation date), the bundle is byte-identical when made
               again, times are UTC with an offset, no name, birth year or
               therapist in it;
             * hostile: an output naming the store, the recording, another
               output, a missing folder; a bad --fhir-system; FHIR options
               without --fhir: refused with one sentence (exit 1 / 2), the
               store unchanged;
             * progress: an excluded session is left out, the included one's
               Observations are the report's (same ids, same values).

Tolerance: none; values are compared as the printed decimals.
Exit 77 (skipped) only when the validator is not installed (scripts/deps-npm
could not reach the registry): every other check still runs first.
"""
import base64
import csv
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import gcstation  # noqa: E402
from gcstation import SRC, STATION, check, env_for, failures  # noqa: E402

VALIDATE = os.path.join(SRC, "scripts", "fhir-validator", "validate.js")
VALIDATOR_DIR = os.path.join(SRC, "build-tools", "fhir-validator")
CODESYSTEM = os.path.join(SRC, "station", "data", "fhir", "gaitcue-codesystem.json")
LOCAL = "https://gaitcue.invalid/fhir/CodeSystem/gaitcue"
EXT_PHASE = "https://gaitcue.invalid/fhir/StructureDefinition/session-phase"
skipped = []


def run(env, *args, timeout=120):
    """station ARGS in the test's HOME (where relative outputs land)."""
    return gcstation.run(env, *args, timeout=timeout, cwd=env["HOME"])


def validator_ready():
    return os.path.exists(os.path.join(VALIDATOR_DIR, "node_modules", "@asymmetrik",
                                       "fhir-json-schema-validator", "package.json"))


def validate(*paths):
    """(ok, output) from the independent validator; None when not installed."""
    if not validator_ready():
        if not skipped:
            skipped.append("the FHIR validator is not installed in build-tools/fhir-validator "
                           "(scripts/deps-npm could not install it: npm or the registry missing)")
        return None
    p = subprocess.run(["node", VALIDATE, *paths], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, GC_FHIR_VALIDATOR_DIR=VALIDATOR_DIR))
    return p.returncode == 0, (p.stdout + p.stderr).strip()


def check_valid(what, *paths):
    r = validate(*paths)
    if r is None:
        print("skip " + what + " (validator not installed)")
        return
    check(r[0], f"{what} validates against the FHIR R4 JSON schema ({r[1][-400:]})")


def private(path):
    return stat.S_IMODE(os.stat(path).st_mode) == 0o600


def store_run(env, code, *extra):
    rc, out, err = run(env, "run", "--sim", "--patient", code, "--sim-speed", "max",
                       "--headless", "--quiet", *extra)
    check(rc == 0 and "stored" in out, f"session for {code} stored (rc {rc}: {err[-300:]})")
    m = re.search(r"session (\d+) stored", out)
    return int(m.group(1)) if m else None


# ---- reading a bundle ------------------------------------------------------

def resources(bundle, rtype):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def obs_phase(o):
    """(kind, index) of an Observation's phase extension, or (None, None)."""
    for ext in o.get("extension", []):
        if ext["url"] == EXT_PHASE:
            sub = {e["url"]: e for e in ext["extension"]}
            kind = sub["kind"]["valueCoding"]["code"][len("phase-"):]
            idx = sub["index"]["valueInteger"] if "index" in sub else -1
            return kind, idx
    return None, None


def figures(bundle):
    """{(phase index, code): (value, {component code: value})}"""
    out = {}
    for o in resources(bundle, "Observation"):
        code = o["code"]["coding"][0]["code"]
        _, idx = obs_phase(o)
        comps = {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"]
                 for c in o.get("component", [])}
        out[(idx, code)] = (o["valueQuantity"]["value"], comps)
    return out


# report JSON key -> (bundle code, component); decimals from the report
REPORT_KEYS = {
    "steps": ("steps", None), "steps_left": ("steps", "steps-left"),
    "steps_right": ("steps", "steps-right"), "cadence_spm": ("cadence", None),
    "contact_ms": ("contact-time", None), "impact_peak_bw": ("impact-peak", None),
    "steps_with_impact_peak": ("impact-peak", "impact-peak-steps"),
    "valr_bw_s": ("valr", None), "vilr_bw_s": ("vilr", None),
    "in_band_pct": ("in-band-share", None), "under_ceiling_pct": ("under-ceiling-share", None),
    "valr_over_66_pct": ("valr-over-66-share", None),
    "contact_left_ms": ("contact-time", "contact-time-left"),
    "contact_right_ms": ("contact-time", "contact-time-right"),
    "valr_left_bw_s": ("valr", "valr-left"), "valr_right_bw_s": ("valr", "valr-right"),
    "si_contact_pct": ("si-contact-time", None), "si_valr_pct": ("si-valr", None),
}


def bundle_value(figs, idx, code, comp):
    if (idx, code) not in figs:
        return None
    v, comps = figs[(idx, code)]
    return v if comp is None else comps.get(comp)


# ---- the figures again, from the stored steps (independent of the C code) --

def fnum(s):
    return float(s) if s not in ("", None) else None


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum_seq(xs) / len(xs) if xs else None


def sum_seq(xs):
    t = 0.0
    for x in xs:  # in step order, as the station adds them
        t += x
    return t


def recompute(steps):
    """The figures of docs/sessions.md ("Session model and figures")."""
    f = {}
    f["steps"] = len(steps)
    st = [s["step_ms"] for s in steps if s["step_ms"] is not None and 0 < s["step_ms"] <= 2000]
    f["cadence"] = 60000.0 / mean(st) if st else None
    f["contact-time"] = mean([s["contact_ms"] for s in steps])
    imp = [s["impact_peak_bw"] for s in steps if s["impact_peak_bw"] is not None]
    f["impact-peak"] = mean(imp) if imp else None
    f["active-peak"] = mean([s["active_peak_bw"] for s in steps])
    f["valr"] = mean([s["valr_bw_s"] for s in steps])
    f["vilr"] = mean([s["vilr_bw_s"] for s in steps])
    band = [s["in_band"] for s in steps if s["in_band"] is not None and s["in_band"] >= 0]
    f["in-band-share"] = 100.0 * sum(1 for b in band if b > 0) / len(band) if band else None
    ceil = [s["under_ceiling"] for s in steps
            if s["under_ceiling"] is not None and s["under_ceiling"] >= 0]
    f["under-ceiling-share"] = (100.0 * sum(1 for b in ceil if b > 0) / len(ceil)
                                if ceil else None)
    valrs = [s["valr_bw_s"] for s in steps if s["valr_bw_s"] is not None]
    f["valr-over-66-share"] = (100.0 * sum(1 for v in valrs if v > 66.0) / len(valrs)
                               if valrs else None)
    side = {k: [s for s in steps if s["side"] == k] for k in "LR"}
    cl, cr = (mean([s["contact_ms"] for s in side[k]]) for k in "LR")
    vl, vr = (mean([s["valr_bw_s"] for s in side[k]]) for k in "LR")

    def si(l, r):
        if l is None or r is None or l + r == 0:
            return None
        return 100.0 * (l - r) / ((l + r) / 2.0)
    f["si-contact-time"] = si(cl, cr)
    f["si-valr"] = si(vl, vr)
    comps = {"steps-left": len(side["L"]), "steps-right": len(side["R"]),
             "contact-time-left": cl, "contact-time-right": cr,
             "valr-left": vl, "valr-right": vr, "impact-peak-steps": len(imp)}
    return f, comps


DECIMALS = {"steps": 0, "cadence": 1, "contact-time": 0, "impact-peak": 2, "active-peak": 2,
            "valr": 1, "vilr": 1, "in-band-share": 0, "under-ceiling-share": 0,
            "valr-over-66-share": 0, "si-contact-time": 1, "si-valr": 1,
            "steps-left": 0, "steps-right": 0, "contact-time-left": 0,
            "contact-time-right": 0, "valr-left": 1, "valr-right": 1, "impact-peak-steps": 0}


def printed(v, dec):
    """session_fmt(): %.*f, a figure that rounds to zero is zero."""
    if abs(v) * 10 ** dec < 0.5:
        v = 0.0
    return float(f"{v:.{dec}f}")


def read_steps_csv(path):
    with open(path) as fh:
        rows = [l for l in fh if not l.startswith("#")]
    out = []
    for r in csv.DictReader(rows):
        out.append({"side": r["side"], "phase": int(r["phase"]),
                    "step_ms": fnum(r["step_ms"]), "contact_ms": fnum(r["contact_ms"]),
                    "impact_peak_bw": fnum(r["impact_peak_bw"]),
                    "active_peak_bw": fnum(r["active_peak_bw"]),
                    "valr_bw_s": fnum(r["valr_bw_s"]), "vilr_bw_s": fnum(r["vilr_bw_s"]),
                    "in_band": int(r["in_band"]) if r["in_band"] else None,
                    "under_ceiling": int(r["under_ceiling"]) if r["under_ceiling"] else None})
    return out


# ---- cases -----------------------------------------------------------------

def case_plain(tmp):
    env = env_for(tmp)
    check(run(env, "patient", "add", "PLAIN-7")[0] == 0, "patient add")
    store_run(env, "PLAIN-7", "--seconds", "12")
    # exactly as the README shows them
    rc, out, err = run(env, "report", "latest", "--fhir", "bundle.json")
    b = os.path.join(tmp, "bundle.json")
    check(rc == 0 and os.path.exists(b), f"station report latest --fhir bundle.json ({err.strip()})")
    check(private(b), "the bundle is readable by the owner only (0600)")
    rc, out, err = run(env, "progress", "PLAIN-7", "--fhir", "progress.json")
    p = os.path.join(tmp, "progress.json")
    check(rc == 0 and os.path.exists(p), f"station progress PLAIN-7 --fhir progress.json ({err})")
    check_valid("report and progress bundles", b, p)
    bundle = json.load(open(b))
    check(bundle["type"] == "collection", "the default bundle is a collection")
    check(len(resources(bundle, "DiagnosticReport")) == 1 and
          len(resources(bundle, "Observation")) >= 12,
          f"one DiagnosticReport and its Observations "
          f"({len(resources(bundle, 'Observation'))})")


def case_clinic(tmp):
    env = env_for(tmp)
    code = "RUN-0042"
    rc, _, err = run(env, "patient", "add", code, "--name", "Ann Runner", "--birth-year", "1987")
    check(rc == 0, f"patient add ({err.strip()})")
    # cadence-retraining at time scale 10: weigh-in 1.5 s, baseline 18 s,
    # training 60 s, retention 18 s; stopped by the PT at 90 s, in retention
    sid = store_run(env, code, "--protocol", "cadence-retraining", "--time-scale", "10",
                    "--seconds", "90", "--therapist", "M. Keller, PT")
    rc, out, err = run(env, "report", str(sid), "--pdf", "r.pdf", "--json", "r.json",
                       "--csv", "r.csv", "--fhir", "b.json")
    check(rc == 0, f"report --pdf --json --csv --fhir ({err.strip()})")
    path = lambda n: os.path.join(tmp, n)
    rc, _, err = run(env, "report", str(sid), "--fhir", "t.json", "--fhir-transaction",
                     "--fhir-system", "urn:oid:2.16.840.1.113883.3.9999.1")
    check(rc == 0, f"--fhir-transaction --fhir-system ({err.strip()})")
    check_valid("the bundle, the transaction and the CodeSystem", path("b.json"), path("t.json"),
                CODESYSTEM)

    bundle = json.load(open(path("b.json")))
    text = open(path("b.json")).read()
    rep = json.load(open(path("r.json")))
    check(rep["status"] == "stopped", f"the session was stopped by the PT ({rep['status']})")
    figs = figures(bundle)

    # each Observation's value equals the report's figure
    compared = 0
    rows = [(k, ph) for k, ph in enumerate(rep["phases"])] + [(-1, rep["whole_session"])]
    for idx, ph in rows:
        if ph["steps"] == 0:
            check(not any(k[0] == idx for k in figs), f"phase {idx} without steps has no figures")
            continue
        for key, (bcode, comp) in REPORT_KEYS.items():
            want, got = ph.get(key), bundle_value(figs, idx, bcode, comp)
            if want is None or (key == "impact_peak_bw" and ph["steps_with_impact_peak"] == 0):
                check(got is None, f"phase {idx} {key}: absent in the report, absent in the bundle")
            else:
                compared += 1
                if got != want:
                    check(False, f"phase {idx} {key}: bundle {got} == report {want}")
    check(compared >= 60, f"{compared} Observation values equal the report's figures")

    # round trip: the bundle's figures are the stored steps' figures
    steps = read_steps_csv(path("r.csv"))
    compared = 0
    for idx, ph in rows:
        sel = [s for s in steps if idx == -1 or s["phase"] == idx]
        if not sel:
            continue
        f, comps = recompute(sel)
        for c, v in list(f.items()) + list(comps.items()):
            is_comp = c in comps
            parent = {"steps-left": "steps", "steps-right": "steps",
                      "contact-time-left": "contact-time", "contact-time-right": "contact-time",
                      "valr-left": "valr", "valr-right": "valr",
                      "impact-peak-steps": "impact-peak"}.get(c)
            got = bundle_value(figs, idx, parent, c) if is_comp else bundle_value(figs, idx, c, None)
            if v is None or (c == "impact-peak-steps" and v == 0):
                check(got is None, f"phase {idx} {c}: none stored, none in the bundle")
                continue
            compared += 1
            if got != printed(v, DECIMALS[c]):
                check(False, f"round trip phase {idx} {c}: bundle {got} == stored {v}")
    check(compared >= 80, f"round trip: {compared} figures read back equal the stored steps'")

    # body weight (LOINC 29463-7, kg) is the stored weight: the CSV export's
    # 17-digit value (the JSON's is rounded to 0.1 N, which can move the kg
    # figure's last digit)
    bw_n = [float(l.split("=", 1)[1]) for l in open(path("r.csv"))
            if l.startswith("# body_weight_n=")]
    bw = [o for o in resources(bundle, "Observation")
          if o["code"]["coding"][0]["code"] == "29463-7"]
    check(len(bw) == 1 and len(bw_n) == 1 and
          bw[0]["code"]["coding"][0]["system"] == "http://loinc.org" and
          bw[0]["valueQuantity"]["code"] == "kg" and
          bw[0]["valueQuantity"]["value"] == printed(bw_n[0] / 9.80665, 1),
          "body weight: LOINC 29463-7 in kg, the stored weight (%s kg; stored %s N)" %
          (bw[0]["valueQuantity"]["value"] if bw else None, bw_n[0] if bw_n else None))

    # every code is LOINC or the shipped CodeSystem's; units are UCUM
    cs = {c["code"] for c in json.load(open(CODESYSTEM))["concept"]}
    bad = [o["code"]["coding"][0] for o in resources(bundle, "Observation")
           if not (o["code"]["coding"][0]["system"] == "http://loinc.org" or
                   (o["code"]["coding"][0]["system"] == LOCAL and
                    o["code"]["coding"][0]["code"] in cs))]
    check(not bad, f"every code is LOINC or in the shipped CodeSystem ({bad[:2]})")
    check(all(o["valueQuantity"]["system"] == "http://unitsofmeasure.org"
              for o in resources(bundle, "Observation")), "every unit is UCUM")

    # the DiagnosticReport: the PDF attached, every Observation in result
    dr = resources(bundle, "DiagnosticReport")
    check(len(dr) == 1, "one DiagnosticReport")
    dr = dr[0]
    pdf = base64.b64decode(dr["presentedForm"][0]["data"])
    mine = open(path("r.pdf"), "rb").read()
    diff = [i for i in range(min(len(pdf), len(mine))) if pdf[i] != mine[i]]
    check(len(pdf) == len(mine) and pdf.startswith(b"%PDF") and len(diff) <= 20 and
          (not diff or mine.find(b"/CreationDate (D:") < diff[0] < mine.find(b"/CreationDate") + 40),
          f"the attached PDF is the report but cairo's creation date ({len(diff)} bytes differ)")
    check(dr["presentedForm"][0]["contentType"] == "application/pdf", "content type PDF")
    urls = {e["fullUrl"] for e in bundle["entry"]}
    refs = [r["reference"] for r in dr["result"]]
    check(len(refs) == len(resources(bundle, "Observation")) and set(refs) <= urls,
          "the report's result lists every Observation of the bundle")
    check("stopped" in dr.get("conclusion", ""), f"conclusion: {dr.get('conclusion')}")

    # times UTC with an offset; ids are UUIDs; nothing about the patient
    times = re.findall(r'"(?:start|end|effectiveDateTime)": "([^"]+)"', text)
    check(times and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", t)
                        for t in times), f"{len(times)} times, all UTC with +00:00")
    pat = resources(bundle, "Patient")
    check(len(pat) == 1 and set(pat[0]) == {"resourceType", "id", "identifier"} and
          pat[0]["identifier"] == [{"system": "https://gaitcue.invalid/fhir/sid/clinic-code",
                                    "value": code}],
          "the Patient carries the clinic's code and nothing else")
    check("Ann Runner" not in text and "1987" not in text and "Keller" not in text,
          "no name, birth year or therapist in the bundle")

    # deterministic
    rc, _, _ = run(env, "report", str(sid), "--fhir", "b2.json")
    check(rc == 0 and open(path("b2.json"), "rb").read() == open(path("b.json"), "rb").read(),
          "the same session exported again gives the same bytes")

    # the transaction: conditional create of the Patient, PUT of the rest
    tx = json.load(open(path("t.json")))
    reqs = [e.get("request", {}) for e in tx["entry"]]
    check(tx["type"] == "transaction" and reqs[0].get("method") == "POST" and
          reqs[0].get("ifNoneExist") ==
          "identifier=urn%3Aoid%3A2.16.840.1.113883.3.9999.1%7CRUN-0042" and
          all(r.get("method") == "PUT" and
              r.get("url") == f"{e['resource']['resourceType']}/{e['resource']['id']}"
              for r, e in zip(reqs[1:], tx["entry"][1:])),
          "transaction: Patient POST ifNoneExist by identifier, PUT to stable ids")

    # hostile outputs and options
    db = os.path.join(tmp, "data", "gaitcue", "gaitcue.db")
    before = hashlib.sha256(open(db, "rb").read()).hexdigest()
    recs = os.path.join(tmp, "data", "gaitcue", "recordings")
    rec = os.path.join(recs, sorted(os.listdir(recs))[0])
    for args, rc_want, what in [
        (["--fhir", db], 1, "the store"),
        (["--fhir", db + "-wal"], 1, "the store's WAL"),
        (["--fhir", rec], 1, "the recording"),
        (["--fhir", "x.json", "--json", "x.json"], 1, "another output"),
        (["--fhir", "nofolder/x.json"], 1, "a missing folder"),
        (["--fhir", "x.json", "--fhir-system", "clinic codes"], 2, "a system that is no URI"),
        (["--fhir", "x.json", "--fhir-system", "urn:x|y"], 2, "a system with '|'"),
        (["--fhir-transaction", "--json", "y.json"], 2, "--fhir-transaction without --fhir"),
        (["--fhir"], 2, "--fhir without a path"),
    ]:
        rc, out, err = run(env, "report", str(sid), *args)
        lines = [l for l in err.strip().splitlines() if l]
        check(rc == rc_want and len(lines) == 1 and lines[0].endswith(".") and
              not lines[0].endswith(".."),
              f"refused: {what} (exit {rc}, {err.strip()[:160]})")
    check(hashlib.sha256(open(db, "rb").read()).hexdigest() == before, "the store is unchanged")
    check(not os.path.exists(path("x.json")) and not os.path.exists(path("y.json")),
          "nothing was written by a refused command")
    check(not [n for n in os.listdir(tmp) if n.startswith(".gaitcue-fhir")],
          "no temporary folder is left behind")
    rc, _, err = run(env, "progress", code, "--fhir", db)
    check(rc == 1 and "store" in err, f"progress --fhir over the store refused ({err.strip()})")
    rc, _, err = run(env, "progress", code, "--fhir", "nofolder/p.json")
    check(rc == 1 and "does not exist" in err and err.strip().endswith(".") and
          not err.strip().endswith(".."), f"progress --fhir into a missing folder ({err.strip()})")

    # progress: a second session excluded from progress is left out
    sid2 = store_run(env, code, "--seconds", "10")
    check(run(env, "sessions", "exclude", str(sid2), "--reason", "equipment test")[0] == 0,
          "exclude the second session")
    rc, _, err = run(env, "progress", code, "--pdf", "p.pdf", "--fhir", "p.json",
                     "--fhir-transaction")
    check(rc == 0, f"progress --pdf --fhir --fhir-transaction ({err.strip()})")
    check_valid("the progress bundle", path("p.json"))
    prog = json.load(open(path("p.json")))
    drs = resources(prog, "DiagnosticReport")
    check(len(drs) == 1 and "#%d" % sid in drs[0]["code"]["text"],
          f"progress holds the included session only ({[d['code']['text'] for d in drs]})")
    pobs = {o["id"]: o["valueQuantity"]["value"] for o in resources(prog, "Observation")}
    # the ids hang on the identifier system: compare with the report's
    # bundle made with the same (default) system
    tobs = {o["id"]: o["valueQuantity"]["value"] for o in resources(bundle, "Observation")}
    check(pobs == tobs, "its Observations are the session report's: same ids, same values")
    check(not set(pobs) & {o["id"] for o in resources(tx, "Observation")},
          "another identifier system gives other ids")


def utc_text(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000+00:00")


def case_course(tmp):
    """The course of care (station program report CODE --fhir): a short
    simulated course (one session compressed with --time-scale), symptoms,
    PROMs and readiness tests; every exported value checked against the
    store's rows, `station test --json` and `station program status
    --json`; same bytes twice; 0600; refusals."""
    import sqlite3
    env = env_for(tmp)
    code = "COURSE-9"
    path = lambda n: os.path.join(tmp, n)
    check(run(env, "patient", "add", code)[0] == 0, "patient add")
    rc, _, e = run(env, "program", "start", code, "gait-retraining-8")
    check(rc == 0, f"program start ({e.strip()})")
    check(run(env, "prom", code, "--lefs", "58", "--nprs", "3")[0] == 0, "prom LEFS 58 NPRS 3")
    rc, _, e = run(env, "run", "--sim", "--patient", code, "--time-scale", "10", "--sim-speed",
                   "max", "--headless", "--audio-device", "null", "--no-record", timeout=180)
    check(rc == 0, f"a program session, time compressed ({e.strip()[-200:]})")
    rc, _, e = run(env, "symptoms", code, "--when", "after", "--pain", "4", "--site",
                   "left knee", "--leak", "yes", "--note", "after the stairs")
    check(rc == 0, f"symptoms: pain 4 at the left knee, leak, a note ({e.strip()})")
    rc, _, e = run(env, "symptoms", code, "--when", "before", "--heaviness", "yes",
                   "--bleeding", "no")
    check(rc == 0, f"symptoms: heaviness, no pain given ({e.strip()})")
    check(run(env, "prom", code, "--lefs", "66")[0] == 0, "prom LEFS 66 only")
    tests = []
    for args in (("balance", "--side", "L"), ("balance", "--side", "R", "--sim-fail-at", "6"),
                 ("hop", "--side", "R"), ("jog-on-spot", "--side", "L"),
                 ("calf-raise", "--side", "L", "--sim-reps", "8")):
        rc, out, e = run(env, "test", args[0], "--patient", code, "--sim", *args[1:],
                         "--json", "-")
        check(rc == 0, f"station test {' '.join(args)} ({e.strip()[-200:]})")
        try:
            tests.append(json.loads(out[out.index("{"):]))
        except ValueError:
            check(False, f"station test {args[0]} --json - prints JSON ({out[-200:]})")
    st_rc, st_out, _ = run(env, "program", "status", code, "--json", "-")
    check(st_rc == 0, "program status --json")
    status = json.loads(st_out)

    rc, out, e = run(env, "program", "report", code, "--fhir", "course.json")
    check(rc == 0 and os.path.exists(path("course.json")),
          f"station program report {code} --fhir course.json ({out}{e})")
    check("(PROMs 2, symptom reports 2, readiness tests 5)" in out,
          f"it says what it wrote ({out.strip()})")
    check(private(path("course.json")), "the course bundle is readable by the owner only (0600)")
    first = open(path("course.json"), "rb").read()
    rc, _, e = run(env, "program", "report", code, "--fhir", "course.json", "--pdf", "c.pdf")
    check(rc == 0 and open(path("course.json"), "rb").read() == first,
          f"the same course gives the same bytes ({e.strip()})")
    rc, _, e = run(env, "program", "report", code, "--fhir", "tx.json", "--fhir-transaction",
                   "--fhir-system", "urn:oid:1.2.3.4")
    check(rc == 0, f"--fhir-transaction --fhir-system ({e.strip()})")
    rc, _, e = run(env, "report", "latest", "--fhir", "session.json")
    check(rc == 0, f"the session's own bundle ({e.strip()})")
    check_valid("the course bundles", path("course.json"), path("tx.json"))

    b = json.loads(first)
    check(b["resourceType"] == "Bundle" and b["type"] == "collection", "a collection Bundle")
    pats = resources(b, "Patient")
    spat = resources(json.load(open(path("session.json"))), "Patient")
    check(len(pats) == 1 and pats == spat,
          "the Patient is the session export's, byte for byte the same resource")
    check(set(pats[0]) == {"resourceType", "id", "identifier"},
          f"the Patient has no name or anything but the code ({sorted(pats[0])})")
    obs = resources(b, "Observation")
    check(all(o["subject"]["reference"] == "urn:uuid:" + pats[0]["id"] for o in obs),
          "every Observation is about the Patient")
    check(all(o["effectiveDateTime"].endswith("+00:00") for o in obs), "times in UTC")
    check(not resources(b, "DetectedIssue") and
          {e["resource"]["resourceType"] for e in b["entry"]} == {"Patient", "Observation"},
          "gate decisions are not exported (only the Patient and Observations)")

    def coded(o, system, c):
        return any(x["system"] == system and x["code"] == c for x in o["code"]["coding"])

    db = sqlite3.connect(os.path.join(tmp, "data", "gaitcue", "gaitcue.db"))
    # PROMs: each given score one Observation at its time
    rows = db.execute("SELECT utc, lefs, nprs FROM course_proms ORDER BY id").fetchall()
    lefs = [o for o in obs if coded(o, LOCAL, "lefs")]
    nprs = [o for o in obs if coded(o, "http://loinc.org", "72514-3")]
    want_l = [(utc_text(u), l) for u, l, _ in rows if l is not None and l >= 0]
    want_n = [(utc_text(u), n) for u, _, n in rows if n is not None and n >= 0]
    check([(o["effectiveDateTime"], o["valueQuantity"]["value"]) for o in lefs] == want_l and
          want_l and [x[1] for x in want_l] == [58, 66],
          f"LEFS Observations equal the store's ({want_l})")
    check([(o["effectiveDateTime"], o["valueQuantity"]["value"]) for o in nprs] == want_n and
          [x[1] for x in want_n] == [3], f"NPRS Observations equal the store's ({want_n})")
    check(all(o["valueQuantity"]["code"] == "{score}" and
              o["category"][0]["coding"][0]["code"] == "survey" for o in lefs + nprs),
          "PROMs: unit {score}, category survey")
    # symptoms
    rows = db.execute("SELECT utc, phase, pain, site, flags, note FROM course_symptoms "
                      "ORDER BY id").fetchall()
    sym = [o for o in obs if coded(o, LOCAL, "symptom-report")]
    check(len(sym) == len(rows) == 2, f"one Observation per symptom report ({len(sym)})")

    def comp(o, c):
        v = [x for x in o.get("component", []) if x["code"]["coding"][0]["code"] == c]
        return v[0] if v else None

    for o, (u, when, pain, site, flags, note) in zip(sym, rows):
        check(o["effectiveDateTime"] == utc_text(u), f"symptom time {o['effectiveDateTime']}")
        check(comp(o, "symptom-when")["valueString"] == when, f"symptom when {when}")
        p = comp(o, "72514-3")
        check((p is None) == (pain is None or pain < 0) and
              (p is None or p["valueQuantity"]["value"] == pain), f"symptom pain {pain}")
        check(o.get("bodySite", {}).get("text", "") == site, f"symptom site '{site}'")
        check(o.get("note", [{}])[0].get("text", "") == note, f"symptom note '{note}'")
        got = {c: comp(o, c)["valueBoolean"] for c in
               ("symptom-leak", "symptom-heaviness", "symptom-bleeding")}
        # the stored flags: station/core/program.h PROGRAM_SYM_LEAK 1<<1, HEAVINESS
        # 1<<2, BLEEDING 1<<3
        check(got == {"symptom-leak": bool(flags & 2), "symptom-heaviness": bool(flags & 4),
                      "symptom-bleeding": bool(flags & 8)}, f"symptom flags {flags}: {got}")
    check(comp(sym[0], "symptom-leak")["valueBoolean"] is True and
          comp(sym[1], "symptom-heaviness")["valueBoolean"] is True and
          comp(sym[1], "symptom-bleeding")["valueBoolean"] is False,
          "the yes/no symptoms as said on the command line")
    # readiness tests, against station test --json and the store
    rows = db.execute("SELECT utc, test, side, pass FROM course_tests ORDER BY id").fetchall()
    tob = [o for o in obs if o["code"]["coding"][0]["code"].startswith("readiness-")]
    check(len(tob) == len(rows) == len(tests) == 5, f"one Observation per test ({len(tob)})")
    for o, (u, name, side, ok), tj in zip(tob, rows, tests):
        check(coded(o, LOCAL, "readiness-" + name) and tj["test"] == name, f"test {name} coded")
        check(o["effectiveDateTime"] == utc_text(u), f"test {name} time")
        # the figure the criterion judges, printed at 0.1 s (balance), 1 s (jog)
        fig, unit, tol = {"balance": (tj.get("hold_s"), "s", 0.05),
                          "jog-on-spot": (tj.get("jog_s"), "s", 0.5),
                          "hop": (tj.get("count"), "{hops}", 0),
                          "calf-raise": (tj.get("count"), "{raises}", 0)}[name]
        v = o["valueQuantity"]
        check(v["code"] == unit and v["system"] == "http://unitsofmeasure.org",
              f"test {name}: UCUM {v['code']}")
        check(abs(v["value"] - fig) <= tol + 1e-9,
              f"test {name} {side}: {v['value']} equals station test --json's {fig}")
        interp = o["interpretation"][0]["coding"][0]["code"]
        check(interp == ("test-pass" if tj["pass"] else "test-fail") and bool(ok) == tj["pass"],
              f"test {name} {side}: interpretation {interp}, pass {tj['pass']}")
        check(o["referenceRange"][0]["text"] == tj["criterion"],
              f"test {name}: criterion '{tj['criterion']}'")
        want = None if name == "jog-on-spot" else ("left lower limb" if side == "L"
                                                   else "right lower limb")
        check(o.get("bodySite", {}).get("text") == want,
              f"test {name}: side {side} as bodySite {want} (jogging: both legs, none)")
    check([t["pass"] for t in tests] == [True, False, True, True, False],
          "the tests came out as simulated: pass, fail (foot down at 6 s), pass, pass, "
          f"fail (8 of 20 raises): {[t['pass'] for t in tests]}")
    check(status["program"] == "gait-retraining-8", "program status names the program")
    db.close()
    ids = [e["resource"]["id"] for e in b["entry"]]
    check(len(ids) == len(set(ids)), "every resource has its own id")

    # refusals: the store, another output, a .pdf name, no program
    store = os.path.join(tmp, "data", "gaitcue", "gaitcue.db")
    rc, _, e = run(env, "program", "report", code, "--fhir", store)
    check(rc == 1 and "store" in e, f"--fhir over the store refused ({e.strip()})")
    rc, _, e = run(env, "program", "report", code, "--fhir", "x.json", "--pdf", "x.json")
    check(rc != 0 and not os.path.exists(path("x.json")),
          f"--fhir over another output refused ({e.strip()})")
    rc, _, e = run(env, "program", "report", code, "--fhir", "x.pdf")
    check(rc == 2 and e.strip().endswith("."), f"--fhir x.pdf refused ({e.strip()})")
    rc, _, e = run(env, "program", "report", code, "--fhir-system", "not a uri", "--fhir",
                   "y.json")
    check(rc == 2 and "--fhir-system" in e, f"a bad --fhir-system refused ({e.strip()})")
    rc, _, e = run(env, "program", "status", code, "--fhir", "y.json")
    check(rc == 2 and "program report" in e, f"--fhir on status refused ({e.strip()})")
    run(env, "patient", "add", "NOPROG-1")
    rc, _, e = run(env, "program", "report", "NOPROG-1", "--fhir", "z.json")
    check(rc == 1 and "never followed a program" in e and not os.path.exists(path("z.json")),
          f"no program: refused ({e.strip()})")


def main():
    case = sys.argv[1] if len(sys.argv) > 1 else "clinic"
    if not os.path.exists(STATION):
        print(f"no station binary at {STATION}")
        return 1
    with tempfile.TemporaryDirectory(prefix="gc-fhir-") as tmp:
        {"plain": case_plain, "clinic": case_clinic, "course": case_course}[case](tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    if skipped:
        print("SKIPPED schema validation: " + skipped[0])
        return 77
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
