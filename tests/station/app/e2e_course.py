#!/usr/bin/env python3
"""e2e: the course of care - programs, symptoms and the gate (issue 14).

Cases (argument):
  plain    the commands exactly as `--help` and the README show them, no
           optional flag: `station program start CODE NAME`, `station run
           --sim --patient CODE` (no --protocol: the program's next
           session, said at start; stopped by the PT with `station ctl
           stop` after 1 s: it must not count for the gate), `station symptoms CODE --when after
           --pain 2`, `station prom CODE --lefs 60 --nprs 2`, `station
           program status CODE`, `station program stop CODE --reason TEXT`.
  course   a full simulated course of both presets, sessions compressed
           with --time-scale:
           gait-retraining-8: two clean sessions advance; a pain 4 marked
           live with `station ctl mark pain 4` repeats the step; pain 5
           reported after the next one steps back (two not-clean in a
           row); clean sessions then advance through every step to
           complete; a complete program refuses another program session.
           return-to-run-postpartum: a leak (`station symptoms --leak yes`)
           repeats the readiness step, a clean session advances, the 7
           readiness tests its first running step requires pass on the
           simulated deck (audited), heaviness
           steps back at once, the PT's override (with a reason) moves the
           patient on and is in the audit trail.
           After every session the status JSON must name the step, the
           week, the session number, the next protocol and the gate's
           action with its reason.
  refuse   every wrong input refused with one sentence and exit 2 (usage)
           or 1: unknown program, a second active program, pain 11, LEFS
           81, --when later, an override without a reason, a bad date;
           `station run --patient CODE --target-cadence X` while a program
           is active (it would bypass the program); `--protocol` then runs
           outside the program, says so at start and is audited.

  report   the course report, the patient's summary and the readiness
           report from a simulated course, their text (pdftotext) checked
           against the store's figures (station report --json, program
           status --json), and their refusals (the store, a .json name, the
           same file twice, no program).

  symptoms the clinic trial's defects: pain from `station symptoms` and
           `station prom` in the session report (PDF, --json "symptoms"
           with the source beside a live `ctl mark pain`, "pain_max") and
           the progress report's Pain max; `--when after` refused while
           the session runs (`--when during` goes to it); `--session N`
           and its refusals; a session outside the program: not gated,
           said why, its red flag in program status and the course report.
  feedback a program session whose baseline set no target (x1000) gave no
           feedback: not counted, with the reason on its timeline line; a
           full baseline (x2, simulator at full speed) counts.
  status   program status (text and JSON) shows the latest readiness
           result per test and side and the latest LEFS and NPRS.
  readiness-gate
           the postpartum preset's first running step (requires_tests):
           `station run --patient` refused in one sentence naming the
           tests still to pass until every latest result per test and side
           passes (`station test NAME --sim`); a failed retest refuses it
           again; `program status` text and JSON say what is required; the
           PT's override waives it, with the reason in the audit trail;
           `station prom` refuses a running session.

The expected gate actions come from the presets' rules (advance_after 2,
pain_threshold 4, step_back_after 2, repeat_on leak, step_back_on
heaviness); a mismatch fails the test.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from gcstation import STATION, check, failures, run  # noqa: E402
from gcstation import env_for as _env_for  # noqa: E402


def env_for(tmp):
    """ctest's runtime folder for the test, no presets folder from outside."""
    env = _env_for(tmp, runtime_dir=False)
    env.pop("GAITCUE_PROGRAMS", None)
    return env


def status(env, code):
    rc, out, err = run(env, "program", "status", code, "--json", "-")
    check(rc == 0, f"program status {code} --json - exits 0 ({err.strip()[:200]})")
    try:
        return json.loads(out)
    except ValueError:
        check(False, f"status JSON parses: {out[:200]}")
        return {}


# A session whose baseline has enough steps for a relative target (the
# gate counts a session only when its feedback phases had a target): at
# x2 a 1 min baseline is 30 s of simulated running, run as fast as the
# simulator goes.
FULL_BASELINE = ("--sim-speed", "max")


def session(env, code, scale=1000, extra=()):
    """One program session: station run --patient CODE (no --protocol)."""
    rc, out, err = run(env, "run", "--sim", "--patient", code, "--time-scale", str(scale),
                       "--headless", "--audio-device", "null", "--no-record", *extra,
                       timeout=120)
    check(rc == 0, f"program session for {code} exits 0 ({err.strip()[-300:]})")
    said = [l for l in out.splitlines() if l.startswith("program ")]
    stored = [l for l in out.splitlines() if " stored: " in l]
    return said[0] if said else "", stored[0] if stored else ""


def expect(env, code, step, action, why, session_no, next_protocol=None):
    st = status(env, code)
    gate = st.get("gate", {})
    check(st.get("step") == step and gate.get("action") == action and
          why in gate.get("reason", "") and st.get("session") == session_no,
          f"{code}: step {step}, gate {action} ('{why}'), next session {session_no}: got step "
          f"{st.get('step')}, {gate.get('action')} '{gate.get('reason')}', session "
          f"{st.get('session')}")
    for k in ("program", "step", "week", "session", "next", "gate"):
        check(k in st, f"status JSON has '{k}'")
    if next_protocol is not None:
        check(st.get("next") == next_protocol, f"next protocol {next_protocol} (got {st.get('next')})")
    return st


def case_plain(tmp):
    env = env_for(tmp)
    rc, _, e = run(env, "patient", "add", "RUN-0042")
    check(rc == 0, f"patient add ({e.strip()})")
    rc, out, e = run(env, "program", "start", "RUN-0042", "gait-retraining-8")
    check(rc == 0 and "program gait-retraining-8 started" in out, f"program start: {out}{e}")
    # a start that fails (no such sound device) leaves nothing in the record
    # or the program (the attacker trial: an interrupted 0-step session and
    # a "not-counted" decision)
    rc, out, e = run(env, "run", "--sim", "--patient", "RUN-0042", "--audio-device", "hw:9,9",
                      "--headless")
    check(rc == 1 and "cannot open audio device 'hw:9,9'" in e, f"refused start ({e.strip()})")
    rc, out, e = run(env, "sessions", "--patient", "RUN-0042")
    check("no sessions stored yet" in out, f"nothing stored by the refused start ({out.strip()})")
    # the plain session: no --protocol, no --seconds; the PT stops it
    p = subprocess.Popen([STATION, "run", "--sim", "--patient", "RUN-0042"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said, note = "", ""
    t_end = time.monotonic() + 30
    while time.monotonic() < t_end:
        line = p.stdout.readline()
        if not line:
            break
        if line.startswith("program "):
            said = line.strip()
        if line.startswith("note: session "):
            note = line.strip()  # said once the session started, after the line below
            break
        if line.startswith("session ") and "for patient" in line:
            continue
    # the simulator's data goes into a real patient's record: said, with the remedy
    check(re.match(r"note: session (\d+) of patient RUN-0042 is simulated: it is "
                   r"stored in their record; if it is a demonstration, 'station sessions "
                   r"exclude \1 --reason demo' keeps it out of their progress", note) is not None,
          f"station run --sim --patient says the session is simulated: {note!r}")
    check("step 1/5 'continuous 15 min'" in said and "protocol retrain-15-continuous" in said,
          f"station run says which program session it runs: {said}")
    time.sleep(1)
    rc, out, e = run(env, "ctl", "stop", timeout=10)
    check(rc == 0, f"ctl stop ({out}{e})")
    out, err = p.communicate(timeout=30)
    check(p.returncode == 0, f"run exits 0 after ctl stop ({err[-300:]})")
    check("protocol retrain-15-continuous" in out or "stored:" in out, "the session was stored")
    rc, out, e = run(env, "symptoms", "RUN-0042", "--when", "after", "--pain", "2")
    check(rc == 0 and "pain 2/10" in out and "gate not-counted" in out,
          f"symptoms after: recorded, gate said ({out.strip()}{e.strip()})")
    rc, out, e = run(env, "prom", "RUN-0042", "--lefs", "60", "--nprs", "2")
    check(rc == 0 and "LEFS 60/80, NPRS 2/10" in out, f"prom recorded ({out.strip()}{e.strip()})")
    rc, out, e = run(env, "program", "status", "RUN-0042")
    # stopped by the PT after about 1 s of a 20 min plan: no dose was given,
    # so it must not count as a clean session (the clinic trial's flaw)
    check(rc == 0 and "not-counted" in out and "stopped after 0:01 of 20:15 planned" in out
          and "0 clean of 2 in a row" in out and "next      session 2" in out,
          f"status: a session stopped after 1 s does not count ({out}{e})")
    check("counts    a session counts for the gate when it ended complete, or was stopped "
          "after 75 % of its plan, with at least 30 scored steps a minute" in out,
          "status says when a session counts")
    # the patient's page tells what happened: no session reached the beep
    # (the clinic trial: it said "a beep helped you" after a session that
    # stopped in its baseline, and left out the rhythm without a word)
    summary = os.path.join(tmp, "summary.pdf")
    rc, out, e = run(env, "program", "report", "RUN-0042", "--summary", summary)
    text = " ".join(pdf_text(summary).split()) if rc == 0 else ""
    check("have not yet reached the part where a beep guides your steps" in text and
          "a beep helped you" not in text and "no step rhythm to practise outdoors yet" in text,
          f"the summary says no session guided the steps yet ({text[:300]!r})")
    rc, out, e = run(env, "program", "stop", "RUN-0042", "--reason", "moved away")
    check(rc == 0 and "stopped" in out, f"program stop ({out}{e})")
    rc, out, e = run(env, "program", "status", "RUN-0042")
    check(rc == 1 and "no active program" in e, f"status after stop: {e.strip()}")


def case_course(tmp):
    env = env_for(tmp)
    t0 = time.monotonic()
    # ---- gait-retraining-8 ------------------------------------------------
    code = "GR-1"
    run(env, "patient", "add", code)
    rc, out, e = run(env, "program", "start", code, "gait-retraining-8", "--date", "2026-01-05")
    check(rc == 0, f"start gait-retraining-8 ({e.strip()})")
    said, _ = session(env, code)
    check("step 1/5" in said and "session 1 of the program" in said, f"said: {said}")
    expect(env, code, 1, "continue", "clean: 1 of 2", 2, "retrain-15-continuous")
    session(env, code)
    expect(env, code, 2, "advance", "2 clean sessions in a row", 3, "retrain-20-continuous")

    # pain 4 marked live during the session: repeat
    p = subprocess.Popen([STATION, "run", "--sim", "--patient", code, "--time-scale", "300",
                          "--headless", "--audio-device", "null", "--no-record"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.startswith("phase 3/"):  # training: the runner is running
            break
    rc, reply, e = run(env, "ctl", "mark", "pain", "4", timeout=10)
    check(rc == 0 and reply.startswith("ok marked pain"), f"ctl mark pain 4: {reply}{e}")
    out, err = p.communicate(timeout=120)
    check(p.returncode == 0, f"marked session exits 0 ({err[-200:]})")
    expect(env, code, 2, "repeat", "pain 4/10 (threshold 4)", 4)

    # pain 5 reported after the next one: the second in a row steps back
    session(env, code)
    rc, out, e = run(env, "symptoms", code, "--when", "after", "--pain", "5", "--site", "knee")
    check(rc == 0 and "gate step-back" in out, f"symptoms pain 5 -> step back: {out}{e}")
    expect(env, code, 1, "step-back", "2 sessions in a row", 5, "retrain-15-continuous")

    # clean from here: 1 -> 2 -> 3 -> 4 -> 5 -> complete
    want = [(1, "continue"), (2, "advance"), (2, "continue"), (3, "advance"), (3, "continue"),
            (4, "advance"), (4, "continue"), (5, "advance")]
    n = 5
    for step, action in want:
        session(env, code)
        n += 1
        expect(env, code, step, action, "clean", n)
    session(env, code)
    st = status(env, code)
    check(st.get("complete") is True and st.get("gate", {}).get("action") == "complete" and
          st.get("next") is None, f"program complete after the follow-up: {st.get('gate')}")
    tl = [d["action"] for d in st.get("timeline", [])]
    check(tl == ["continue", "advance", "repeat", "step-back"] + [a for _, a in want] +
          ["complete"], f"timeline of every decision: {tl}")
    check(st.get("sessions_counted") == 13, f"13 sessions counted ({st.get('sessions_counted')})")
    rc, out, e = run(env, "run", "--sim", "--patient", code, "--headless", "--no-record")
    check(rc == 1 and "is complete" in e and e.count("\n") == 1,
          f"a complete program refuses another program session in one sentence: {e.strip()}")

    # ---- return-to-run-postpartum -------------------------------------------
    code = "PP-1"
    run(env, "patient", "add", code)
    rc, out, e = run(env, "program", "start", code, "return-to-run-postpartum")
    check(rc == 0, f"start return-to-run-postpartum ({e.strip()})")
    rc, out, e = run(env, "prom", code, "--lefs", "58", "--nprs", "1")
    check(rc == 0, f"prom at the start ({e.strip()})")
    said, _ = session(env, code)
    check("protocol rtr-walk-30" in said, f"readiness walk first: {said}")
    rc, out, e = run(env, "symptoms", code, "--when", "after", "--leak", "yes")
    check(rc == 0 and "gate repeat" in out, f"leak -> repeat: {out}{e}")
    expect(env, code, 1, "repeat", "leak", 2, "rtr-walk-30")
    session(env, code)
    expect(env, code, 2, "advance", "1 clean session in a row", 3, "rtr-run1-walk4")
    pass_readiness(env, code)  # the first running step requires them
    rc, out, e = run(env, "symptoms", code, "--when", "before", "--note", "slept badly")
    check(rc == 0 and "before the next session" in out, f"a note before the session: {out}{e}")
    said, _ = session(env, code, 2, FULL_BASELINE)  # relative cadence cue: a full baseline
    check("protocol rtr-run1-walk4" in said, f"walk-run 1/4 next: {said}")
    rc, out, e = run(env, "symptoms", code, "--when", "after", "--heaviness", "yes")
    check(rc == 0 and "gate step-back" in out, f"heaviness -> step back at once: {out}{e}")
    expect(env, code, 1, "step-back", "heaviness", 4, "rtr-walk-30")
    rc, out, e = run(env, "program", "override", code, "--to-step", "next", "--reason",
                     "pelvic health physio review: cleared to run", "--therapist", "M. Keller, PT")
    check(rc == 0 and "moved from step 1 to step 2" in out, f"override: {out}{e}")
    expect(env, code, 2, "override", "by the PT: pelvic health physio review", 4,
           "rtr-run1-walk4")
    # the audit trail has the override, the symptoms and the PROM
    import sqlite3
    db = sqlite3.connect(os.path.join(tmp, "data", "gaitcue", "gaitcue.db"))
    rows = db.execute("SELECT action, detail FROM course_audit a JOIN patients p ON "
                      "p.id = a.patient_id WHERE p.code = ? ORDER BY a.id", (code,)).fetchall()
    db.close()
    actions = [r[0] for r in rows]
    check(actions == ["program-start", "prom", "symptoms"] + ["test"] * 7 +
          ["symptoms", "symptoms", "override"],
          f"audit trail in order: {actions}")
    check("M. Keller, PT" in rows[-1][1] and "cleared to run" in rows[-1][1],
          f"override audited with who and why: {rows[-1][1]}")
    print(f"course case: {time.monotonic() - t0:.1f} s")


def case_refuse(tmp):
    env = env_for(tmp)
    run(env, "patient", "add", "REF-1")

    def refused(args, rc_want, words):
        rc, out, e = run(env, *args)
        lines = [l for l in e.strip().splitlines() if l]
        check(rc == rc_want and len(lines) == 1 and words in e,
              f"{' '.join(args)} -> exit {rc_want}, one sentence with '{words}' (got {rc}: "
              f"{e.strip()})")

    refused(["program", "start", "REF-1", "no-such-program"], 2, "unknown program 'no-such-program'")
    refused(["program", "show", "nope"], 2, "unknown program")
    refused(["program", "start", "NOBODY", "gait-retraining-8"], 1, "no patient 'NOBODY'")
    refused(["program", "start", "REF-1", "gait-retraining-8", "--date", "2026-02-30"], 2,
            "calendar date")
    rc, _, e = run(env, "program", "start", "REF-1", "gait-retraining-8")
    check(rc == 0, f"first program starts ({e.strip()})")
    refused(["program", "start", "REF-1", "return-to-run-postpartum"], 1,
            "already follows program gait-retraining-8")
    refused(["symptoms", "REF-1", "--when", "before", "--pain", "11"], 2, "from 0 (none) to 10")
    refused(["symptoms", "REF-1", "--when", "before", "--pain", "-1"], 2, "from 0 (none) to 10")
    refused(["symptoms", "REF-1", "--when", "later", "--pain", "3"], 2, "--when before, during")
    refused(["symptoms", "REF-1", "--when", "after", "--pain", "3"], 2, "no session yet")
    refused(["symptoms", "REF-1", "--when", "before"], 2, "nothing to record")
    refused(["symptoms", "REF-1", "--when", "before", "--leak", "maybe"], 2, "yes or no")
    refused(["symptoms", "REF-1", "--when", "before", "--site", "knee"], 2, "give --pain too")
    refused(["prom", "REF-1", "--lefs", "81"], 2, "from 0 to 80")
    refused(["prom", "REF-1"], 2, "nothing to record")
    refused(["program", "override", "REF-1", "--to-step", "2"], 2, "give --reason")
    refused(["program", "override", "REF-1", "--to-step", "9", "--reason", "x"], 2,
            "a step from 1 to 5")
    refused(["program", "stop", "REF-1"], 2, "give --reason")
    refused(["program", "status", "REF-1", "--json", os.path.join(tmp, "nodir", "s.json")], 1,
            "nodir does not exist")
    refused(["program", "frobnicate"], 2, "unknown action 'frobnicate'")
    refused(["program", "status"], 2, "station program status CODE")
    bad = os.path.join(tmp, "bad.ini")
    with open(bad, "w") as f:
        f.write("[program]\nname = bad\n[step]\nweeks = 1\nprotocol = a\nadvance_after = zero\n")
    refused(["program", "show", bad], 1, "line 6: advance_after must be")
    # an absolute target would bypass the active program unseen (clinic
    # trial): refused before the sensor opens
    refused(["run", "--sim", "--patient", "REF-1", "--target-cadence", "170", "--seconds", "2",
             "--headless", "--audio-device", "null", "--no-record"], 2,
            "follows program gait-retraining-8: 'station run --patient REF-1' without "
            "--target-cadence runs its next session")
    # --protocol runs outside the program: said at start, in the audit trail
    rc, out, e = run(env, "run", "--sim", "--patient", "REF-1", "--protocol", "retention-probe",
                     "--time-scale", "1000", "--headless", "--audio-device", "null",
                     "--no-record", timeout=60)
    check(rc == 0 and "outside the program: the patient follows gait-retraining-8 (next: step 1, "
          "protocol retrain-15-continuous); this session runs protocol retention-probe and does "
          "not count" in out, f"--protocol with an active program says it runs outside: {out}{e}")
    import sqlite3
    db = sqlite3.connect(os.path.join(tmp, "data", "gaitcue", "gaitcue.db"))
    rows = db.execute("SELECT action, detail FROM course_audit WHERE action = "
                      "'session-outside-program'").fetchall()
    db.close()
    check(len(rows) == 1 and "ran protocol retention-probe outside program gait-retraining-8"
          in rows[0][1], f"the session outside the program is in the audit trail: {rows}")
    st = status(env, "REF-1")
    check(st.get("session") == 1 and st.get("gate", {}).get("action") == "start",
          f"the session outside is not a program session: {st.get('session')}")


def pdf_text(path):
    p = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True)
    return p.stdout if p.returncode == 0 else ""


def pdf_pages(path):
    p = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def session_json(env, tmp, sid):
    path = os.path.join(tmp, f"s{sid}.json")
    rc, _, e = run(env, "report", str(sid), "--json", path)
    check(rc == 0, f"station report {sid} --json ({e.strip()[:200]})")
    with open(path) as f:
        return json.load(f)


def case_report(tmp):
    """The course's paper from a simulated course (sessions compressed with
    --time-scale 10 on a simulator as fast as it can: whole phases, so
    baseline, training and retention figures exist), checked against the
    store's own figures (station report --json, program status --json)."""
    env = env_for(tmp)
    code = "REP-1"
    R = ["--time-scale", "10", "--sim-speed", "max", "--headless", "--audio-device", "null",
         "--no-record"]
    run(env, "patient", "add", code)
    rc, _, e = run(env, "program", "start", code, "gait-retraining-8", "--date", "2026-11-02")
    check(rc == 0, f"program start ({e.strip()})")
    run(env, "prom", code, "--lefs", "58", "--nprs", "3")

    def sess(cadence):
        rc, out, e = run(env, "run", "--sim", "--patient", code, "--sim-cadence", str(cadence), *R,
                         timeout=120)
        check(rc == 0, f"session at {cadence} spm ({e.strip()[-200:]})")

    sess(158)
    sess(161)
    sess(164)
    run(env, "symptoms", code, "--when", "after", "--pain", "4", "--site", "left knee",
        "--note", "after the stairs")
    sess(166)
    run(env, "symptoms", code, "--when", "after", "--pain", "5", "--site", "left knee")
    sess(168)
    sess(170)
    run(env, "prom", code, "--lefs", "66", "--nprs", "1")
    for side in ("L", "R"):
        run(env, "test", "hop", "--patient", code, "--sim", "--side", side)
    run(env, "test", "balance", "--patient", code, "--sim", "--side", "L")
    run(env, "test", "balance", "--patient", code, "--sim", "--side", "R", "--sim-fail-at", "6")

    st = status(env, code)
    course, summary, ready = (os.path.join(tmp, n) for n in ("course.pdf", "summary.pdf",
                                                              "ready.pdf"))
    rc, out, e = run(env, "program", "report", code, "--pdf", course, "--summary", summary)
    check(rc == 0 and os.path.exists(course) and os.path.exists(summary),
          f"program report --pdf --summary ({out}{e})")
    rc, out, e = run(env, "test", "report", code, "--pdf", ready)
    check(rc == 0 and "(4 tests)" in out, f"test report --pdf ({out}{e})")

    # the course report: every decision with its reason, symptoms, PROMs
    text = pdf_text(course)
    flat = " ".join(text.split())
    check("Course of care report" in text, "course report: title")
    tl = st.get("timeline", [])
    check([d["action"] for d in tl] == ["continue", "advance", "repeat", "step-back", "continue",
                                        "advance"], f"the course went as planned: {tl}")
    rows = [l for l in text.splitlines()
            if any(f" {a} " in l for a in ("continue", "advance", "repeat", "step-back"))
            and "#" in l]
    check(len(rows) >= len(tl), f"course report: a timeline row per decision ({len(rows)} rows "
          f"for {len(tl)} decisions)")
    for dcs in tl:
        head = dcs["reason"][:40]
        check(" ".join(head.split()) in flat, f"course report has the reason '{head}'")
    for words in ("pain 4/10 (threshold 4)", "left knee", "after the stairs",
                  "Pain over time", "Lower Extremity Functional Scale", "Outcome measures",
                  "Cadence by session", "Loading rate (VALR) by session", "retention probe",
                  "or was stopped after 75 % of its plan"):
        check(words in flat, f"course report has '{words}'")
    proms = [l for l in text.splitlines() if l.strip().startswith("20") and
             (" 58 " in l + " " or " 66 " in l + " ")]
    check(len(proms) >= 2, f"course report: both PROM rows (LEFS 58, 66): {proms}")
    # the sessions table: each session's baseline cadence as the session report prints it
    for sid in range(1, 7):
        sj = session_json(env, tmp, sid)
        base = [p for p in sj["phases"] if p["kind"] == "baseline"][0]["cadence_spm"]
        line = [l for l in text.splitlines() if l.strip().startswith(f"#{sid} ") and
                "retrain" in l]
        check(line and f"{base:.1f}" in line[0],
              f"session #{sid}: baseline cadence {base:.1f} in the sessions table ({line})")

    # the patient's page: one page, plain words, the practice cadence
    check(pdf_pages(summary) == 1, f"summary is one page ({pdf_pages(summary)})")
    text = " ".join(pdf_text(summary).split())
    for words in ("What we worked on", "What changed", "What to do until next time",
                  "You are now at step 2: continuous 20 min", "Sessions on the treadmill so far: 6",
                  "Pain: 3 out of 10 the first time you told us, 1 out of 10 the last time",
                  "Your leg function score (LEFS): 58 at the start, 66 now"):
        check(words in text, f"summary has '{words}'")
    first, last = session_json(env, tmp, 1), session_json(env, tmp, 6)
    c0 = [p for p in first["phases"] if p["kind"] == "baseline"][0]["cadence_spm"]
    c1 = [p for p in last["phases"] if p["kind"] == "retention"][0]["cadence_spm"]
    tgt = [p for p in last["phases"] if p["kind"] == "training"][0]["cadence_target_spm"]
    import re
    m = re.search(r"Steps per minute \(cadence\): (\d+) at the start, (\d+) in your last", text)
    check(m and abs(int(m.group(1)) - c0) <= 0.6 and abs(int(m.group(2)) - c1) <= 0.6,
          f"summary: cadence {m.groups() if m else None} = first baseline {c0}, last retention "
          f"{c1} (within the rounding to 1 spm)")
    m = re.search(r"aim for (\d+) steps per minute", text)
    check(m and abs(int(m.group(1)) - tgt) <= 0.6,
          f"summary: practise at {m.group(1) if m else None} = the last training target {tgt}")

    # the readiness report: each test, L/R, criterion, pass, history
    text = pdf_text(ready)
    flat = " ".join(text.split())
    for words in ("Readiness to run", "hold >= 10 s", ">= 10 hops", "PASS: 10 hops",
                  "not yet: hold 6.0 s", "Every test, in the order done"):
        check(words in flat, f"readiness report has '{words}'")
    bal = [l for l in text.splitlines() if l.strip().startswith("balance")]
    check(bal and "PASS: hold" in bal[0] and "not yet: hold 6.0 s" in bal[0],
          f"readiness: balance left passes, right not yet, one row: {bal}")

    # refusals: one sentence, nothing written
    def refused(args, rc_want, words):
        rc, out, e = run(env, *args)
        lines = [l for l in e.strip().splitlines() if l]
        check(rc == rc_want and len(lines) == 1 and words in e,
              f"{' '.join(args)} -> exit {rc_want}, '{words}' (got {rc}: {e.strip()})")

    db = os.path.join(tmp, "data", "gaitcue", "gaitcue.db")
    size = os.path.getsize(db)
    refused(["program", "report", code, "--pdf", db], 1, "")
    check(os.path.getsize(db) == size, "the store is not written over")
    refused(["program", "report", code, "--pdf", os.path.join(tmp, "c.json")], 2, "--pdf")
    refused(["program", "report", code, "--pdf", course, "--summary", course], 1, "")
    refused(["program", "report", code], 2, "give --pdf FILE")
    refused(["program", "status", code, "--pdf", course], 2, "for 'station program report'")
    refused(["test", "report", code], 2, "station test report CODE --pdf FILE")
    refused(["program", "report", code, "--pdf", os.path.join(tmp, "nodir", "c.pdf")], 1,
            "nodir")
    run(env, "patient", "add", "NOPROG")
    refused(["program", "report", "NOPROG", "--pdf", os.path.join(tmp, "n.pdf")], 1,
            "never followed a program")
    check(not os.path.exists(os.path.join(tmp, "n.pdf")), "nothing written for a refusal")


# ---- issue 14, the clinic trial's course defects -----------------------------


def pdf_of(env, tmp, args, name):
    path = os.path.join(tmp, name)
    rc, out, e = run(env, *args, "--pdf", path)
    check(rc == 0, f"station {' '.join(args)} --pdf ({e.strip()[:200]})")
    return pdf_text(path)


# The postpartum preset's first running step requires these (the load and
# impact tests the deck measures; docs/course.md).
POSTPARTUM_TESTS = [("balance", "L"), ("balance", "R"), ("squat", "L"), ("squat", "R"),
                    ("hop", "L"), ("hop", "R"), ("jog-on-spot", None)]


def readiness_test(env, code, name, side, *extra):
    args = ["test", name, "--patient", code, "--sim"] + (["--side", side] if side else [])
    rc, out, e = run(env, *args, *extra)
    check(rc == 0, f"station test {name} {side or ''} {' '.join(extra)} ({e.strip()[-200:]})")
    return out


def pass_readiness(env, code):
    for name, side in POSTPARTUM_TESTS:
        out = readiness_test(env, code, name, side)
        check(": pass (" in out, f"{name} {side or ''} passes on the simulated deck: {out.strip()}")


def live_session(env, code, *extra):
    """A program session left running (x1): returns the process once it
    has begun and the session id it said."""
    p = subprocess.Popen([STATION, "run", "--sim", "--patient", code, "--headless",
                          "--audio-device", "null", "--no-record", *extra], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sid = None
    t_end = time.monotonic() + 30
    while time.monotonic() < t_end:
        line = p.stdout.readline()
        if not line:
            break
        if line.startswith("session ") and "for patient" in line:
            sid = int(line.split()[1])
            break
    return p, sid


def case_symptoms(tmp):
    """Pain the patient reports with `station symptoms` and `station prom`
    is in the session's report (PDF and --json "symptoms", "pain_max") and
    the progress report's Pain max, with its source beside a live `ctl mark
    pain`; `--when after` refuses a running session; `--session N`; a
    session outside the program does not change the gate and says why."""
    env = env_for(tmp)
    code = "SY-1"
    run(env, "patient", "add", code)
    rc, out, e = run(env, "program", "start", code, "gait-retraining-8")
    check(rc == 0, f"start gait-retraining-8 ({e.strip()})")
    session(env, code)  # session 1
    rc, out, e = run(env, "symptoms", code, "--when", "after", "--pain", "4", "--site", "knee")
    check(rc == 0 and "recorded after session 1 (the latest session, complete, protocol "
          "retrain-15-continuous): pain 4/10 at knee" in out and "gate repeat" in out,
          f"pain 4 after session 1, said with the session: {out}{e}")
    rc, out, e = run(env, "prom", code, "--nprs", "3", "--lefs", "61")
    check(rc == 0, f"prom after session 1 ({e.strip()})")
    js = session_json(env, tmp, 1)
    sy = js.get("symptoms", [])
    rec = [y for y in sy if y.get("source") == "symptoms command"]
    prom = [y for y in sy if y.get("source") == "prom command"]
    check(len(rec) == 1 and rec[0].get("pain") == 4 and rec[0].get("site") == "knee" and
          rec[0].get("when") == "after", f"report --json symptoms has the record: {sy}")
    check(len(prom) == 1 and prom[0].get("pain") == 3 and prom[0].get("lefs") == 61,
          f"report --json symptoms has the PROM's NPRS: {sy}")
    check(js.get("pain_max") == 4 and js.get("program_session") is True,
          f"pain_max 4 from the symptoms command ({js.get('pain_max')})")
    text = pdf_of(env, tmp, ["report", "1"], "s1.pdf")
    check("no markers" not in text and "at knee" in text and "symptoms" in text,
          "the session report's marker table lists the record")

    # a live mark during session 2, and a record during it
    p, sid = live_session(env, code)
    check(sid == 2, f"session 2 running ({sid})")
    time.sleep(1.5)
    rc, out, e = run(env, "symptoms", code, "--when", "after", "--pain", "3")
    lines = [l for l in e.strip().splitlines() if l]
    check(rc == 2 and len(lines) == 1 and "session 2 of patient SY-1 is still running" in e and
          "--when during" in e, f"--when after refused while session 2 runs: {rc} {e.strip()}")
    rc, out, e = run(env, "symptoms", code, "--when", "during", "--pain", "2", "--note", "calf")
    check(rc == 0 and "recorded during session 2" in out and "running" in out,
          f"--when during goes to the running session: {out}{e}")
    rc, reply, e = run(env, "ctl", "mark", "pain", "1", timeout=10)
    check(rc == 0, f"ctl mark pain 1 ({reply}{e})")
    rc, reply, e = run(env, "ctl", "stop", timeout=10)
    p.communicate(timeout=60)
    sy = session_json(env, tmp, 2).get("symptoms", [])
    srcs = sorted((y.get("source"), y.get("pain")) for y in sy)
    check(srcs == [("ctl mark", 1), ("symptoms command", 2)],
          f"session 2: the live mark and the record, each with its source: {srcs}")
    check(any(y.get("by") == "ctl" for y in sy), f"the mark says who made it: {sy}")
    # the nothing-reported session has an empty list, "pain_max": null
    # --session N: a late report about session 1
    rc, out, e = run(env, "symptoms", code, "--when", "after", "--session", "1", "--pain", "6")
    check(rc == 0 and "recorded after session 1 (chosen with --session" in out,
          f"--session 1: {out}{e}")
    check(session_json(env, tmp, 1).get("pain_max") == 6, "session 1's pain_max is now 6")
    for args, words in ((["--session", "99"], "is not one of patient SY-1's sessions"),
                        (["--session", "x"], "--session takes a session number"),
                        (["--when", "before", "--session", "1"],
                         "--session is for --when during or after")):
        argv = ["symptoms", code, "--pain", "2"] + (["--when", "after"] if "--when" not in args
                                                    else []) + args
        rc, out, e = run(env, *argv)
        lines = [l for l in e.strip().splitlines() if l]
        check(rc == 2 and len(lines) == 1 and words in e,
              f"{' '.join(argv)} refused in one sentence '{words}': {rc} {e.strip()}")

    # the progress report's Pain max column: 6 for #1, 2 for #2
    text = pdf_of(env, tmp, ["progress", code], "progress.pdf")
    rows = {l.split()[0]: l.split()[-1] for l in text.splitlines() if l.startswith("#")}
    check(rows.get("#1") == "6" and rows.get("#2") == "2",
          f"progress Pain max from the symptom records: {rows}")

    # a session outside the program: not gated, said so; a red flag shown
    gate_before = status(env, code).get("gate", {})
    rc, out, e = run(env, "run", "--sim", "--patient", code, "--protocol", "retention-probe",
                     "--time-scale", "1000", "--headless", "--audio-device", "null",
                     "--no-record", timeout=60)
    check(rc == 0, f"session 3 outside the program ({e.strip()[-200:]})")
    rc, out, e = run(env, "symptoms", code, "--when", "after", "--pain", "5", "--site", "hip")
    check(rc == 0 and "recorded after session 3" in out and
          "session 3 (protocol retention-probe) ran outside the program, so the gate is not "
          "changed by it" in out and "red flag" in out and "gate repeat" not in out,
          f"a non-program session's symptom: {out}{e}")
    st = status(env, code)
    check(st.get("gate") == gate_before, "the gate did not change")
    of = st.get("outside_red_flags", [])
    check(len(of) == 1 and of[0].get("session_id") == 3 and of[0].get("pain") == 5 and
          of[0].get("site") == "hip", f"status JSON outside_red_flags: {of}")
    rc, out, e = run(env, "program", "status", code)
    check("red flags after sessions outside the program" in out and "after session 3" in out
          and "pain 5/10 at hip" in out, f"status text shows the red flag: {out[-400:]}")
    js = session_json(env, tmp, 3)
    check(js.get("pain_max") == 5 and js.get("program_session") is False,
          f"session 3's report has the pain ({js.get('pain_max')}, {js.get('program_session')})")
    text = pdf_of(env, tmp, ["program", "report", code], "course.pdf")
    check("outside" in text, "the course report marks the record outside the program")


def case_feedback(tmp):
    """A program session whose baseline set no target gave no feedback: it
    does not count, and the timeline says why; with a full baseline the
    same step counts."""
    env = env_for(tmp)
    code = "FB-1"
    run(env, "patient", "add", code)
    run(env, "program", "start", code, "return-to-run-postpartum")
    rc, out, e = run(env, "program", "override", code, "--to-step", "2", "--reason",
                     "walk done elsewhere")
    check(rc == 0, f"override to the first walk-run step ({e.strip()})")
    rc, out, e = run(env, "run", "--sim", "--patient", code, "--time-scale", "1000",
                     "--headless", "--audio-device", "null", "--no-record", timeout=60)
    check(rc == 0 and "too few steps" in out, f"x1000: the baseline sets no target ({e[-200:]})")
    st = expect(env, code, 2, "not-counted", "no feedback: the baseline set no target", 2)
    check(st.get("sessions_counted") == 0, f"not counted ({st.get('sessions_counted')})")
    check("feedback phases had a target" in st.get("counts", ""), "the rule says so")
    rc, out, e = run(env, "program", "status", code)
    check("not-counted not counted: no feedback: the baseline set no target" in out,
          f"the timeline line says why: {out}")
    session(env, code, 2, FULL_BASELINE)
    st = expect(env, code, 2, "continue", "clean: 1 of", 3)
    check(st.get("sessions_counted") == 1, f"the full session counts ({st.get('sessions_counted')})")


def case_status_tests(tmp):
    """program status shows the latest readiness result per test and side
    and the latest LEFS and NPRS, as text and JSON."""
    env = env_for(tmp)
    code = "ST-1"
    run(env, "patient", "add", code)
    run(env, "program", "start", code, "return-to-run-postpartum")
    st = status(env, code)
    check(st.get("readiness") == [] and st.get("proms") == {"lefs": None, "nprs": None},
          f"nothing recorded yet: {st.get('readiness')} {st.get('proms')}")
    for side, extra in (("L", ["--sim-fail-at", "6"]), ("L", []), ("R", [])):
        rc, out, e = run(env, "test", "balance", "--patient", code, "--side", side, "--sim",
                         *extra)
        check(rc == 0, f"balance {side} {extra} ({e.strip()[-200:]})")
    run(env, "prom", code, "--lefs", "52", "--nprs", "4")
    run(env, "prom", code, "--lefs", "57")
    st = status(env, code)
    rd = {(t.get("test"), t.get("side")): t for t in st.get("readiness", [])}
    check(len(rd) == 2 and rd.get(("balance", "L"), {}).get("pass") is True and
          rd.get(("balance", "R"), {}).get("pass") is True and
          "hold" in rd.get(("balance", "L"), {}).get("summary", ""),
          f"the latest balance per side (L failed then passed): {st.get('readiness')}")
    pr = st.get("proms", {})
    check((pr.get("lefs") or {}).get("value") == 57 and (pr.get("nprs") or {}).get("value") == 4,
          f"the latest LEFS 57 and NPRS 4: {pr}")
    rc, out, e = run(env, "program", "status", code)
    check(rc == 0 and "readiness latest result per test and side" in out and
          out.count("balance") == 2 and "proms     latest LEFS 57/80" in out and
          "NPRS 4/10" in out, f"status text: {out[-500:]}")


def run_refused(env, code):
    """station run --patient CODE refused: (one stderr line, or None)."""
    rc, out, e = run(env, "run", "--sim", "--patient", code, "--time-scale", "1000",
                     "--headless", "--audio-device", "null", "--no-record", timeout=60)
    lines = [l for l in e.strip().splitlines() if l]
    if rc == 0:
        return None
    check(rc == 1 and len(lines) == 1 and "session " not in out,
          f"refused with one sentence, exit 1, no session begun: {rc} {e.strip()}")
    return lines[0] if lines else ""


def case_readiness_gate(tmp):
    """The postpartum preset's first running step requires the readiness
    tests: refused until the latest result per test and side passes; a
    failed retest refuses it again; the PT's override waives it, audited;
    `station prom` refuses a running session."""
    env = env_for(tmp)
    code = "RG-1"
    run(env, "patient", "add", code)
    rc, out, e = run(env, "program", "show", "return-to-run-postpartum")
    check(rc == 0 and "readiness tests to pass before it: balance:L, balance:R, squat:L, "
          "squat:R, hop:L, hop:R, jog-on-spot" in out, f"program show lists them: {out}{e}")
    run(env, "program", "start", code, "return-to-run-postpartum")
    st = status(env, code)
    check(st.get("requires_tests") is None, "the readiness walk requires no test")
    said, _ = session(env, code)
    check("protocol rtr-walk-30" in said, f"the readiness walk runs: {said}")
    st = expect(env, code, 2, "advance", "1 clean session in a row", 2, "rtr-run1-walk4")
    rq = st.get("requires_tests") or {}
    check(rq.get("blocked") is True and rq.get("waived") is False and
          len(rq.get("still_to_pass", [])) == 7 and len(rq.get("tests", [])) == 7 and
          rq["still_to_pass"][0] == {"test": "balance", "side": "L", "why": "no result"},
          f"status JSON: all 7 still to pass: {rq}")
    line = run_refused(env, code)
    check(line is not None and "step 2 'run 1 / walk 4 x 4'" in line and
          "balance:L (no result)" in line and "jog-on-spot (no result)" in line and
          "station program override RG-1 --to-step 2" in line,
          f"the first running step refused, naming the tests: {line}")

    # every test, balance R failed (the other foot down at 6 s)
    for name, side in POSTPARTUM_TESTS:
        extra = ["--sim-fail-at", "6"] if (name, side) == ("balance", "R") else []
        readiness_test(env, code, name, side, *extra)
    line = run_refused(env, code)
    check(line is not None and "still to pass: balance:R (not yet) (" in line and
          "hop:L" not in line and "balance:L" not in line,
          f"refused for balance R alone: {line}")
    rc, out, e = run(env, "program", "status", code)
    check(rc == 0 and "(refused until the readiness tests below pass)" in out and
          "balance:R      not yet: 6.0 s (needs hold >= 10 s)" in out and "hop:L  " not in out,
          f"status text says what is still required: {out[:900]}")
    st = status(env, code)
    rq = st.get("requires_tests") or {}
    check(rq.get("blocked") is True and rq.get("still_to_pass") ==
          [{"test": "balance", "side": "R", "why": "not yet: 6.0 s (needs hold >= 10 s)"}],
          f"status JSON: balance R still to pass: {rq}")

    # balance R passed: the step runs
    readiness_test(env, code, "balance", "R")
    st = status(env, code)
    rq = st.get("requires_tests") or {}
    check(rq.get("blocked") is False and rq.get("still_to_pass") == [],
          f"all passed: {rq}")
    rc, out, e = run(env, "program", "status", code)
    check("requires  readiness tests passed: balance:L," in out, f"status text: all passed")
    said, _ = session(env, code)
    check("step 2/6 'run 1 / walk 4 x 4'" in said and "protocol rtr-run1-walk4" in said,
          f"the running step runs once every test passes: {said}")

    # a failed retest (hop L: the latest result counts) refuses it again
    p = subprocess.run([STATION, "test", "hop", "--patient", code, "--sim", "--side", "L",
                        "--sim-reps", "6"], env=env, capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0 and "hop L: not yet" in p.stdout,
          f"hop L retest fails with 6 hops: {p.stdout}{p.stderr}")
    line = run_refused(env, code)
    check(line is not None and "still to pass: hop:L (not yet) (" in line,
          f"a failed retest refuses the step again: {line}")

    # the PT's override waives it, with the reason, audited
    rc, out, e = run(env, "program", "override", code, "--to-step", "2", "--reason",
                     "hop retest limited by a blister, PT cleared", "--therapist", "A. Lenz, PT")
    check(rc == 0 and "readiness tests of step 2 waived by the PT (hop retest limited by a "
          "blister, PT cleared), not passed: hop:L (not yet)" in out,
          f"override waives the tests, said: {out}{e}")
    st = status(env, code)
    rq = st.get("requires_tests") or {}
    check(rq.get("blocked") is False and rq.get("waived") is True and
          "blister" in (rq.get("waived_reason") or "") and len(rq.get("still_to_pass", [])) == 1,
          f"status JSON: waived, hop L still listed: {rq}")
    rc, out, e = run(env, "program", "status", code)
    check("waived by the PT (hop retest limited by a blister, PT cleared); not passed: hop:L"
          in out, f"status text: waived")
    # the course report carries the waiver with its reason
    course_pdf = os.path.join(tmp, "course-waived.pdf")
    rc, out, e = run(env, "program", "report", code, "--pdf", course_pdf)
    flat = " ".join(pdf_text(course_pdf).split()) if rc == 0 else ""
    check("Readiness before step 2 'run 1 / walk 4 x 4': balance:L, balance:R" in flat and
          "waived by the PT (hop retest limited by a blister, PT cleared); not passed: hop:L "
          "(not yet)." in flat,
          f"the course report states the requirement and its waiver ({out}{e})")
    import sqlite3
    db = sqlite3.connect(os.path.join(tmp, "data", "gaitcue", "gaitcue.db"))
    rows = db.execute("SELECT action, detail FROM course_audit a JOIN patients p ON "
                      "p.id = a.patient_id WHERE p.code = ? ORDER BY a.id", (code,)).fetchall()
    db.close()
    check([r[0] for r in rows[-2:]] == ["override", "readiness-waived"] and
          "blister" in rows[-1][1] and "hop:L" in rows[-1][1] and "step 2" in rows[-1][1],
          f"audit trail: the override and the waiver with its reason: {rows[-2:]}")
    said, _ = session(env, code)
    check("protocol rtr-run1-walk4" in said, f"the waived step runs: {said}")

    # station prom refuses a running session (as symptoms --when after)
    p, sid = live_session(env, code)
    check(sid == 4, f"session 4 running ({sid})")
    time.sleep(1.0)
    rc, out, e = run(env, "prom", code, "--nprs", "3")
    lines = [l for l in e.strip().splitlines() if l]
    check(rc == 2 and len(lines) == 1 and "session 4 of patient RG-1 is still running" in e and
          "--when during" in e, f"prom refused while session 4 runs: {rc} {e.strip()}")
    run(env, "ctl", "stop", timeout=10)
    p.communicate(timeout=60)
    rc, out, e = run(env, "prom", code, "--nprs", "3")
    check(rc == 0 and "NPRS 3/10 recorded" in out, f"prom once session 4 ended: {out}{e}")
    st = status(env, code)
    nprs = (st.get("proms") or {}).get("nprs") or {}
    check(nprs.get("value") == 3 and nprs.get("after_session") == 4,
          f"the NPRS belongs to the ended session 4: {nprs}")


def main():
    case = sys.argv[1] if len(sys.argv) > 1 else "course"
    with tempfile.TemporaryDirectory(prefix="gc-course-") as tmp:
        {"plain": case_plain, "course": case_course, "refuse": case_refuse,
         "report": case_report, "symptoms": case_symptoms, "feedback": case_feedback,
         "status": case_status_tests, "readiness-gate": case_readiness_gate}[case](tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
