#!/usr/bin/env python3
"""e2e: `station run` as a clinic uses it - the record equals what happened.

Cases (argument):
  plain    `station run --sim` exactly as the README shows it (no --seconds,
           no other flag): runs until Ctrl-C, then prints the summary and
           exits 0; `station run --sim --patient P` stopped with
           `station ctl stop` stores the session.
  clinic   a clinic day on a short protocol with the real clock: the runner
           stands on the deck first (weigh-in), runs a baseline, trains; the
           PT changes target, band and ceiling and moves to retention with
           `station ctl`, then stops the session by hand.  The stored body
           weight, the exported steps (target, band, in-band state at each
           step), the change log, the status and the in-band share of the
           end-of-run line, the report JSON and the CSV must all agree with
           what the runner was given.
  presets  impact-faded gives no cadence target and no metronome; a second
           station for the same patient is refused; --protocol without
           --patient warns that nothing is stored.
  newuser  what a new clinic user's trial found: a mistyped --db is refused
           and nothing is created; the unknown patient's advice carries the
           --db (and a code in another case is named); a second station is
           refused before its sensor opens; outputs (--steps, --record) are
           checked before anything starts, in one sentence; --quiet prints
           only the summary; ctl get target-relative; ctl's bad values are
           usage errors; an output named like another kind is refused.

Tolerances: body weight within 1 % of the simulated 62 kg x 9.80665 (the
deck's own weighing; gain errors and offsets of the simulated cells are
off, so 1 % is the weigh-in's error alone); each running step's active
peak within 10 % of the session median from the first step (the runner's
own stride-to-stride variation is ~3 %); session times of changes within
0.5 s of the ctl call (the control socket is served every frame, 50 ms).
"""
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from gcstation import (STATION, check, ctl, exit_code, pdf_text, run, status,  # noqa: E402
                       wait_session_time)
from gcstation import env_for as _env_for  # noqa: E402


def env_for(tmp):
    # ctest's runtime folder (one per test) holds the control socket
    return _env_for(tmp, runtime_dir=False)


def start(env, *args):
    return subprocess.Popen([STATION, "run", "--sim", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def case_plain(tmp):
    env = env_for(tmp)
    # exactly the README's command: no --seconds, nothing else
    p = start(env)
    time.sleep(8)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    check(p.returncode == 0, f"station run --sim stopped with Ctrl-C exits 0 (got {p.returncode})")
    check(any(l.startswith("summary: ") for l in out.splitlines()), "it prints the summary")
    check("internal error" not in err, "no internal error (the default protocol runs open)")
    check("phase 1/2: baseline" in out, "the default plan's baseline began")
    rec = [l for l in out.splitlines() if l.startswith("recording: ")]
    check(rec and os.path.getsize(rec[0].split(": ", 1)[1]) > 10000, "the recording was written")

    # with a patient, stopped by the PT through the control socket
    rc, _, e = run(env, "patient", "add", "PLAIN-1")
    check(rc == 0, f"patient add ({e.strip()})")
    p = start(env, "--patient", "PLAIN-1")
    t = wait_session_time(env, 6.0, 60)
    check(t is not None, "the session clock runs")
    rc, reply = ctl(env, "stop")
    check(rc == 0 and reply.startswith("ok stopping"), f"ctl stop: {reply}")
    out, err = p.communicate(timeout=30)
    check(p.returncode == 0, f"exit 0 after ctl stop (got {p.returncode}; {err[-300:]})")
    # the default plan's last phase is open, so a stop in its baseline is
    # a stop before the plan's end
    check("stored:" in out and "stopped at 0:0" in out and "by the PT" in out,
          "stored, stated as stopped by the PT")
    rc, out, _ = run(env, "sessions", "--patient", "PLAIN-1")
    check(rc == 0 and " stopped " in out, "sessions lists it as stopped")


PROTOCOL = """; e2e clinic day: short phases on the real clock
[protocol]
name = clinic-e2e
description = Weigh-in, baseline, training at +5 %, retention.
[phase]
name = weigh-in
kind = weigh-in
duration = 8 s
[phase]
name = baseline
kind = baseline
duration = 14 s
[phase]
name = training
kind = training
duration = 40 s
feedback = continuous
cadence = +5 %
cadence_band = 3 %
loading_ceiling = 66 BW/s
[phase]
name = retention
kind = retention
duration = 20 s
"""


def case_clinic(tmp):
    env = env_for(tmp)
    proto = os.path.join(tmp, "clinic-e2e.ini")
    with open(proto, "w") as f:
        f.write(PROTOCOL)
    run(env, "patient", "add", "DAY-1", "--name", "Clinic Day")
    steps_live = os.path.join(tmp, "live_steps.csv")
    p = start(env, "--patient", "DAY-1", "--protocol", proto, "--therapist", "E2E PT",
              "--sim-stand", "8", "--sim-mass", "62", "--sim-cadence", "166",
              "--sim-gain-error", "0", "--sim-offset", "0", "--audio-device", "null",
              "--steps", steps_live, "--sim-truth", os.path.join(tmp, "truth.csv"))
    changes = {}
    # baseline ends at 22 s; the PT acts during training
    t = wait_session_time(env, 27.0)
    rc, r = ctl(env, "set", "target-cadence", "176")
    changes["target"] = (float(status(env).get("t", "nan")), r)
    check(rc == 0 and "target-cadence=176.0" in r, f"set target-cadence 176: {r}")
    rc, r = ctl(env, "set", "band", "4")
    check(rc == 0, f"set band 4: {r}")
    st = status(env)
    check(st.get("patient") == "DAY-1", f"status names the session's patient: {st.get('patient')}")
    check(st.get("target-cadence") == "176.0" and st.get("band") == "4.0",
          f"status shows 176.0 +-4.0: {st.get('target-cadence')} {st.get('band')}")
    t = wait_session_time(env, 34.0)
    rc, r = ctl(env, "set", "loading-ceiling", "50")
    check(rc == 0, f"set loading-ceiling 50: {r}")
    t = wait_session_time(env, 40.0)
    rc, r = ctl(env, "set", "phase", "retention")
    changes["retention"] = float(status(env).get("t", "nan"))
    check(rc == 0 and "retention begins" in r, f"set phase retention: {r}")
    st = status(env)
    check(st.get("phase") == "retention" and st.get("target-cadence") == "none"
          and st.get("metronome", "").startswith("off"),
          f"retention: no target, no metronome ({st.get('phase')}, {st.get('target-cadence')}, "
          f"{st.get('metronome')})")
    t_stop = wait_session_time(env, 46.0)
    rc, r = ctl(env, "stop")
    out, err = p.communicate(timeout=30)
    print(out)
    check(p.returncode == 0, f"exit 0 (got {p.returncode}; {err[-400:]})")
    check("stopped at 0:4" in out and "by the PT" in out, "the end line says stopped by the PT")
    fb = [l for l in out.splitlines() if l.startswith("feedback: ")]
    live_share = None
    if fb and "% of" in fb[0]:
        live_share = float(fb[0].split("steps, ")[1].split(" %")[0])
    check(live_share is not None, f"the end line has an in-band share: {fb}")

    rpt = os.path.join(tmp, "r")
    rc, o, e = run(env, "report", "latest", "--pdf", rpt + ".pdf", "--csv", rpt + ".csv",
                   "--json", rpt + ".json")
    check(rc == 0, f"report ({e.strip()[-300:]})")
    with open(rpt + ".json") as f:
        js = json.load(f)
    bw = js.get("body_weight_n")
    true_bw = 62 * 9.80665
    check(bw is not None and abs(bw - true_bw) / true_bw <= 0.01,
          f"stored body weight {bw} N within 1 % of {true_bw:.1f} N")
    check(js.get("status") == "stopped" and "by the PT" in js.get("status_text", ""),
          f"stored status: {js.get('status')} ({js.get('status_text')})")

    rows = list(csv.DictReader(l for l in open(rpt + ".csv") if not l.startswith("#")))
    check(len(rows) > 80, f"{len(rows)} steps exported")
    t0 = 0.0
    for l in open(rpt + ".csv"):
        if l.startswith("# t0_s="):
            t0 = float(l.split("=")[1])
    # targets carried by each step: before the PT's change the plan's
    # +5 % over the baseline, after it 176 +- 4 %, none in retention
    bad = []
    t_change, t_ret = changes["target"][0], changes["retention"]
    base = None
    for r in rows:
        t_ic = float(r["t_ic_s"]) - t0
        tgt = float(r["target_spm"]) if r["target_spm"] else None
        if r["phase_name"] == "training" and t_ic < t_change - 0.6:
            base = tgt
        if r["phase_name"] == "training" and t_ic > t_change + 0.6:
            if tgt is None or abs(tgt - 176) > 1e-6 or abs(float(r["band_lo_spm"]) - 168.96) > 1e-6:
                bad.append((r["index"], "after change", tgt, r["band_lo_spm"]))
        if t_ic > t_ret + 0.6 and (tgt is not None or r["in_band"] != ""):
            bad.append((r["index"], "retention", tgt, r["in_band"]))
        if r["phase_name"] in ("weigh-in", "baseline") and r["in_band"] != "":
            bad.append((r["index"], "scored in baseline", r["in_band"]))
    check(not bad, f"each step carries what the runner was given ({bad[:4]})")
    check(base is not None and 160 < base < 185,
          f"training before the change: the plan's +5 % over the baseline ({base})")
    scored = [r for r in rows if r["in_band"] != ""]
    share = 100.0 * sum(r["in_band"] == "1" for r in scored) / max(1, len(scored))
    check(live_share is not None and round(share) == round(live_share),
          f"in-band share: end line {live_share} %, stored {share:.1f} % of {len(scored)}")
    # the report's change log: the PT's changes at their session times
    ch = js.get("target_changes", [])
    pt = [c for c in ch if c.get("source") == "therapist"]
    check(len(pt) >= 4, f"the change log holds the PT's changes ({len(pt)})")
    if pt:
        t_first = min(c.get("t_s", 1e9) for c in pt)
        check(abs(t_first - t_change) < 0.5,
              f"first PT change at {t_first:.1f} s (ctl at {t_change:.1f} s)")

    # loading in BW from the first step on (the weigh-in weighs): each
    # step's active peak against the simulator's truth for that step, and
    # the first steps against the session median (where a deck zeroed
    # under a standing runner read 15.8, 8.9, 6.5 BW).  The whole-session
    # spread is the simulated runner's own (sd ~3 %), printed only.
    truth = list(csv.DictReader(open(os.path.join(tmp, "truth.csv"))))
    run_rows = [r for r in rows if r["active_peak_bw"] and r["phase_name"] != "weigh-in"]
    # the simulator's clock starts before the station's session: find the
    # offset that pairs the most contacts within 10 ms
    t_tr = [float(x["t_ic_s"]) for x in truth]
    t_me = [float(r["t_ic_s"]) for r in run_rows]

    def pairs(off):
        return sum(any(abs(t + off - u) < 0.01 for u in t_tr) for t in t_me[:20])
    offset = max((u - t_me[0] for u in t_tr[:200]), key=pairs) if t_me else 0.0
    errs = []
    for r in run_rows:
        t_ic = float(r["t_ic_s"]) + offset
        near = min(truth, key=lambda x: abs(float(x["t_ic_s"]) - t_ic))
        if abs(float(near["t_ic_s"]) - t_ic) < 0.01 and near["active_peak_bw"]:
            errs.append(abs(float(r["active_peak_bw"]) / float(near["active_peak_bw"]) - 1))
    check(len(errs) >= len(run_rows) - 2 and max(errs) <= 0.05,
          f"every step's active peak within 5 % of the truth from the first step "
          f"({len(errs)} matched, worst {100 * max(errs or [1]):.1f} %, first "
          f"{[round(100 * e, 1) for e in errs[:3]]} %)")
    peaks = sorted(float(r["active_peak_bw"]) for r in run_rows)
    med = peaks[len(peaks) // 2]
    first10 = max(abs(float(r["active_peak_bw"]) / med - 1) for r in run_rows[:10])
    check(first10 <= 0.10, f"the first 10 steps within 10 % of the session median {med:.2f} BW "
                           f"(worst {100 * first10:.1f} %)")
    worst = max(abs(float(r["active_peak_bw"]) / med - 1) for r in run_rows)
    print(f"whole session: worst step {100 * worst:.1f} % from the median (the runner's spread)")

    # the live --steps file equals the stored steps (one record)
    live = list(csv.DictReader(l for l in open(steps_live) if not l.startswith("#")))
    check(len(live) == len(rows), f"--steps has {len(live)} steps, the store {len(rows)}")

    # the PDF says how the session ended and shows the changes
    txt = pdf_text(rpt + ".pdf")
    check("stopped at 0:4" in txt and "by the PT" in txt, "the report states the stop")
    check("target-cadence=176.0" in txt, "the report's change log shows the PT's target")
    check("retention begins" in txt, "the report's change log shows the phase change")


IMPACT = "impact-faded"


def case_presets(tmp):
    env = env_for(tmp)
    run(env, "patient", "add", "PRE-1")
    rc, out, err = run(env, "run", "--sim", "--patient", "PRE-1", "--protocol", IMPACT,
                       "--time-scale", "12", "--sim-speed", "max", "--headless",
                       "--audio-device", "null", timeout=120)
    check(rc == 0, f"impact-faded runs ({err[-300:]})")
    phases = [l for l in out.splitlines() if l.startswith("phase ")]
    training = [l for l in phases if "(training," in l]
    check(training and "target" not in training[0].split(";", 1)[-1].split("feedback")[-1]
          and "steps/min" not in training[0], f"training has no cadence target: {training}")
    fb = [l for l in out.splitlines() if l.startswith("feedback: ")]
    check(fb and "metronome off" in fb[0], f"no metronome played: {fb}")
    check(fb and "no steps scored against a cadence band" in fb[0], "no cadence scoring")
    rpt = os.path.join(tmp, "imp")
    rc, o, e = run(env, "report", "latest", "--csv", rpt + ".csv")
    rows = list(csv.DictReader(l for l in open(rpt + ".csv") if not l.startswith("#")))
    check(rows and all(r["target_spm"] == "" for r in rows), "no step carries a cadence target")
    check(any(r["valr_ceiling_bw_s"] != "" for r in rows if r["phase_name"] == "training"),
          "the training's VALR ceiling is recorded")

    # one live session per patient
    p = start(env, "--patient", "PRE-1", "--headless", "--audio-device", "null")
    t = wait_session_time(env, 2.0, 60)
    env2 = dict(env)
    env2["XDG_RUNTIME_DIR"] = os.path.join(tmp, "rt2")
    os.makedirs(env2["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    rc, out, err = run(env2, "run", "--sim", "--patient", "PRE-1", "--seconds", "3",
                       "--headless", "--audio-device", "null")
    check(rc != 0 and "already has a live session" in err,
          f"a second station for the same patient is refused ({err.strip()[-200:]})")
    ctl(env, "stop")
    p.communicate(timeout=30)

    rc, out, err = run(env, "run", "--sim", "--protocol", IMPACT, "--seconds", "3",
                       "--headless", "--audio-device", "null")
    check(rc == 0 and "not stored" in err, f"--protocol without --patient warns ({err[-200:]})")

    # exclusion from progress, kept and audited
    rc, out, _ = run(env, "sessions", "exclude", "1", "--reason", "equipment test")
    check(rc == 0, f"sessions exclude: {out.strip()}")
    rc, out, _ = run(env, "sessions", "--patient", "PRE-1")
    check("excluded: equipment test" in out, "the list shows the exclusion and its reason")


def one_sentence(err):
    lines = [l for l in err.strip().splitlines() if l]
    return len(lines) == 1 and lines[0].rstrip().endswith((".", "?")) and \
        not lines[0].rstrip().endswith("..")


def case_newuser(tmp):
    env = env_for(tmp)
    env["XDG_RUNTIME_DIR"] = os.path.join(tmp, "rt-new")  # its own control socket
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    recs = os.path.join(tmp, "data", "gaitcue", "recordings")
    quick = ["--seconds", "2", "--headless", "--audio-device", "null"]

    def n_recs():
        return len(os.listdir(recs)) if os.path.isdir(recs) else 0

    # 1. a mistyped --db creates nothing, in every command but patient add
    nx = os.path.join(tmp, "nx")
    for args in (["run", "--sim", "--db", os.path.join(nx, "x.db"), "--patient", "RUN-0042",
                  *quick],
                 ["report", "latest", "--db", os.path.join(nx, "z.db"), "--json",
                  os.path.join(tmp, "z.json")],
                 ["patient", "list", "--db", os.path.join(nx, "sub", "y.db")],
                 ["sessions", "--db", os.path.join(nx, "s.db")]):
        before = n_recs()
        rc, out, err = run(env, *args)
        db = args[args.index("--db") + 1]
        check(rc == 1 and "there is no store at " + db in err
              and f"'station patient add CODE --db {db}'" in err and one_sentence(err),
              f"{args[0]} --db TYPO refused: {err.strip()}")
        check(not os.path.exists(nx) and n_recs() == before,
              f"{args[0]} --db TYPO created nothing (no folder, store or recording)")
    # patient add creates a store, but not the folders of a mistyped path
    rc, _, err = run(env, "patient", "add", "RUN-0042", "--db", os.path.join(nx, "a", "b.db"))
    check(rc != 0 and f"the folder {nx}/a does not exist" in err and one_sentence(err)
          and not os.path.exists(nx),
          f"patient add --db in a missing folder refused, nothing created: {err.strip()}")
    db = os.path.join(tmp, "clinic.db")
    rc, _, err = run(env, "patient", "add", "RUN-0042", "--db", db)
    check(rc == 0 and os.path.exists(db), f"patient add creates the store it is given ({err})")
    rc, _, err = run(env, "run", "--sim", "--db", db, "--patient", "RUN-0099", *quick)
    check(rc == 1 and f"'station patient add RUN-0099 --db {db}'" in err and one_sentence(err),
          f"the unknown patient's advice carries --db: {err.strip()}")
    # 7. a code in another case is the patient meant, not one to add
    rc, _, err = run(env, "run", "--sim", "--db", db, "--patient", "run-0042", *quick)
    check(rc == 1 and "no patient 'run-0042'; did you mean RUN-0042?" in err
          and "patient add" not in err, f"a code in another case: {err.strip()}")

    # 4. outputs are checked before the sensor opens; nothing is left behind
    before = n_recs()
    rc, out, err = run(env, "run", "--sim", "--steps", os.path.join(tmp, "nodir", "s.csv"),
                       *quick)
    check(rc == 1 and "does not exist" in err and one_sentence(err) and "sensor" not in out
          and n_recs() == before,
          f"--steps into a missing folder refused before the sensor: {err.strip()}")
    # 3. an existing --record: one sentence
    existing = os.path.join(tmp, "taken.gcrec")
    with open(existing, "w") as f:
        f.write("not a recording\n")
    rc, out, err = run(env, "run", "--sim", "--record", existing, *quick)
    check(rc == 1 and "exists; give the output another name" in err and one_sentence(err)
          and "sensor" not in out, f"--record EXISTING: one sentence: {err.strip()}")
    rc, out, err = run(env, "run", "--sim", "--record", db, *quick)
    check(rc == 1 and "refusing to write over it" in err and one_sentence(err),
          f"--record DATABASE: the guard's sentence: {err.strip()}")

    # 5. --quiet prints only the summary line
    rc, out, err = run(env, "run", "--sim", "--quiet", *quick)
    lines = out.strip().splitlines()
    check(rc == 0 and len(lines) == 1 and lines[0].startswith("summary: ")
          and "no display" not in err, f"--quiet: only the summary ({lines}, {err.strip()})")

    # 2. one station at a time, refused before its sensor opens
    p = start(env, "--headless", "--audio-device", "null", "--target-cadence", "170")
    t = wait_session_time(env, 1.0, 60)
    check(t is not None, "the first station runs")
    before = n_recs()
    t0 = time.monotonic()
    rc, out, err = run(env, "run", "--sim", *quick)
    check(rc == 1 and "another station is already running" in err
          and "'station ctl stop'" in err and one_sentence(err) and "sensor" not in out
          and n_recs() == before and time.monotonic() - t0 < 5,
          f"a second station is refused before its sensor opens: {err.strip()}")
    # 5. get target-relative, a key ctl --help lists
    rc, reply = ctl(env, "get", "target-relative")
    check(rc == 0 and reply.startswith("ok target-relative="), f"ctl get target-relative: {reply}")
    # 6. a bad value is a usage error, said in a full sentence
    rc, reply = ctl(env, "mark", "pain", "11")
    check(rc == 2 and "0..10" in reply and reply.endswith("."), f"ctl mark pain 11: {rc} {reply}")
    rc, reply = ctl(env, "set", "volume", "150")
    check(rc == 2 and reply.endswith("."), f"ctl set volume 150: {rc} {reply}")
    ctl(env, "stop")
    p.communicate(timeout=30)

    # 6. messages read as sentences
    bad = os.path.join(tmp, "bad.ini")
    with open(bad, "w") as f:
        f.write("[protocol]\nname = x\n[phase]\nduration = soon\n")
    rc, _, err = run(env, "run", "--sim", "--protocol", bad, *quick)
    check(rc != 0 and one_sentence(err), f"a bad protocol file: one sentence: {err.strip()}")
    rc, _, err = run(env, "probe", "/dev/nonexist")
    check(rc == 1 and err.startswith("station probe: there is no"), f"probe: {err.strip()}")
    rc, _, err = run(env, "report", "latest", "--patient", "RUN-9999", "--db", db,
                     "--json", os.path.join(tmp, "r.json"))
    check(rc == 1 and err.startswith("station report: no patient 'RUN-9999'")
          and one_sentence(err), f"report --patient UNKNOWN: {err.strip()}")
    # the code in the wrong case: every command says which patient is meant
    for args in (["report", "latest", "--patient", "run-0042", "--db", db, "--json",
                  os.path.join(tmp, "r.json")],
                 ["progress", "run-0042", "--db", db, "--pdf", os.path.join(tmp, "p.pdf")],
                 ["patient", "show", "run-0042", "--db", db]):
        rc, _, err = run(env, *args)
        check(rc == 1 and "no patient 'run-0042'; did you mean RUN-0042?" in err
              and one_sentence(err), f"{args[0]} --patient in the wrong case: {err.strip()}")

    # 8. an output named like another kind is refused, the file untouched
    pdf = os.path.join(tmp, "report.pdf")
    with open(pdf, "wb") as f:
        f.write(b"%PDF-1.4 the patient's report\n")
    rc, _, err = run(env, "report", "latest", "--db", db, "--json", pdf)
    check(rc == 2 and "--json" in err and ".json" in err and one_sentence(err)
          and open(pdf, "rb").read().startswith(b"%PDF-1.4 the patient"),
          f"report --json X.pdf refused: {err.strip()}")
    rc, _, err = run(env, "progress", "RUN-0042", "--db", db, "--fhir", pdf)
    check(rc == 2 and "--fhir" in err and one_sentence(err)
          and open(pdf, "rb").read().startswith(b"%PDF-1.4 the patient"),
          f"progress --fhir X.pdf refused: {err.strip()}")


def main():
    case = sys.argv[1] if len(sys.argv) > 1 else "plain"
    with tempfile.TemporaryDirectory(prefix="gc-day-") as tmp:
        {"plain": case_plain, "clinic": case_clinic, "presets": case_presets,
         "newuser": case_newuser}[case](tmp)
    sys.exit(exit_code())


if __name__ == "__main__":
    main()
