#!/usr/bin/env python3
"""calib end to end against gaitcue-sim (issue 8 acceptance).

Every capture of a calib --sim run is a fresh simulator process with the same
seed (the same sensor: same gain errors and offsets), taken at the model time
it would have in one continuous session, so noise and drift differ between
captures as on a real deck.

Drift: a running deck drifts (gaitcue-sim's running default: 10 N RMS on the
total, 20 s time constant).  With the belt stopped, load-cell creep and
thermal drift are far smaller (creep ~0.03 % of full scale in 30 min, i.e.
< 1 N per cell), which is the simulator's static default (1 N RMS); the
acceptance run states it explicitly, and a separate check shows that a
running deck's drift makes calib refuse instead of writing a wrong
calibration.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

BIN = os.path.join(os.environ["GC_BINARY_DIR"], "bin")
CALIB = os.path.join(BIN, "calib")
SIM = ["--sim", "--sim-bin", os.path.join(BIN, "gaitcue-sim"), "--seed", "7",
       "--gain-error", "5"]
QUIET = ["--sim-arg", "--drift", "--sim-arg", "1"]
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("CHECK FAILED:", what)


def run(args, stdin=None, env=None):
    p = subprocess.run([CALIB] + args, input=stdin, capture_output=True, text=True,
                       timeout=60, env=env)
    return p.returncode, p.stdout, p.stderr


def files(d):
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.join(root, n) for n in names]
    return sorted(out)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def verify(cal, seed="7", extra=()):
    args = ["verify"] + SIM + QUIET + ["--calibration", cal, "--mass", "50", "--at",
                                       "0.12,-0.21", "--json"] + list(extra)
    args[args.index("--seed") + 1] = seed
    return run(args)


with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, "xdg"))
    cal = os.path.join(tmp, "cal.ini")

    # 1. Acceptance: guided span at the 5 marked points (20 kg), then 50 kg
    # at (0.12, -0.21), a point no placement used.
    rc, out, err = run(["span"] + SIM + QUIET + ["--operator", "e2e", "--out", cal])
    print(out, err)
    check(rc == 0 and os.path.exists(cal), "span succeeds and writes the file")
    rc, out, err = verify(cal)
    check(rc == 0, "verify passes: " + err)
    v = json.loads(out)
    c, u, z = v["calibrated"], v["uncalibrated"], v["nominal_gain_zeroed"]
    print("50 kg at (0.12, -0.21):")
    for name, r in (("uncalibrated (nominal, no zero)", u), ("nominal gain, tared", z),
                    ("calibrated", c)):
        print("  %-32s force %+7.3f %%  COP %6.2f mm" % (name, r["force_err_pct"],
                                                          r["cop_err_mm"]))
    # Issue 8: within 0.3 % and 5 mm after calibration.
    check(abs(c["force_err_pct"]) <= 0.3, "calibrated force within 0.3 %")
    check(c["cop_err_mm"] <= 5.0, "calibrated COP within 5 mm")
    # What calibration fixed: this sensor (seed 7, +/-5 % gains) is outside
    # the bounds without it.
    check(abs(u["force_err_pct"]) > 0.3, "uncalibrated force is off by more than 0.3 %")
    check(z["cop_err_mm"] > 5.0, "nominal gains put the COP more than 5 mm off")

    # station probe --calibration reads the same load the same way (issue 8):
    # the sensor on a pty with 50 kg at (0.12, -0.21).
    sim = subprocess.Popen([os.path.join(BIN, "gaitcue-sim"), "--pty", "--profile", "static",
                            "--load", "50@0.12,-0.21", "--seed", "7", "--gain-error", "5",
                            "--drift", "1"], stdout=subprocess.PIPE, text=True)
    try:
        pty = sim.stdout.readline().split("pty:")[1].strip()
        p = subprocess.run([os.path.join(BIN, "station"), "probe", pty, "--seconds", "2",
                            "--calibration", cal], capture_output=True, text=True, timeout=30,
                           env=env)
    finally:
        sim.terminate()
        sim.wait()
    check(p.returncode == 0, "probe with the calibration: " + p.stderr)
    load = json.loads(p.stdout)["load"]
    g = 50.0 * 9.80665
    for name in ("uncalibrated", "calibrated"):
        r = load[name]
        ferr = 100.0 * (r["fz_n"] - g) / g
        cerr = 1000.0 * ((r["copx_m"] - 0.12) ** 2 + (r["copy_m"] + 0.21) ** 2) ** 0.5
        print("  probe %-14s force %+7.3f %%  COP %6.2f mm" % (name, ferr, cerr))
        if name == "calibrated":
            check(abs(ferr) <= 0.3, "probe: calibrated force within 0.3 %")
            check(cerr <= 5.0, "probe: calibrated COP within 5 mm")
            check("SIM-00000007" in r["calibration"], "probe names the calibration in use")
        else:
            check(abs(ferr) > 0.3 or cerr > 5.0, "probe: uncalibrated reading is off")

    # calib show reads the file back.
    rc, out, err = run(["show", cal])
    check(rc == 0 and "SIM-00000007" in out, "show: " + out + err)

    before = files(tmp)

    # 2. A running deck's drift (10 N RMS) is refused with the drift named,
    # not written as a calibration.
    rc, out, err = run(["span"] + SIM + ["--sim-arg", "--drift", "--sim-arg", "10",
                                         "--operator", "e2e", "--out",
                                         os.path.join(tmp, "drift.ini")])
    print("running-deck drift:", err.strip())
    check(rc == 1 and "drifted" in err, "running-deck drift refused")

    # 3. A moving load during zero.
    rc, out, err = run(["span"] + SIM + QUIET + ["--wobble", "30", "--operator", "e2e",
                                                 "--out", os.path.join(tmp, "w.ini")])
    print("wobble:", err.strip())
    check(rc == 1 and "moving" in err and "no file written" in err, "wobble refused")

    # 4. Too few placements (refused before any capture).
    rc, out, err = run(["span"] + SIM + ["--operator", "e2e", "--out",
                                         os.path.join(tmp, "few.ini"), "--place",
                                         "20@0,0", "--place", "20@0.1,0.3", "--place",
                                         "20@-0.1,-0.3"])
    print("3 placements:", err.strip())
    check(rc == 1 and "at least 4" in err, "too few placements refused")

    # 5. A mass of 0 and a negative mass.
    for m in ("0", "-20"):
        rc, out, err = run(["span"] + SIM + ["--operator", "e2e", "--mass", m, "--at", "0,0"])
        print("mass %s:" % m, err.strip())
        check(rc == 2 and "positive number of kilograms" in err, "mass %s refused" % m)

    # 6. Placements that leave the left cells unconstrained.
    right = []
    for y in ("-0.6", "-0.2", "0.2", "0.6"):
        right += ["--place", "20@0.3," + y]
    rc, out, err = run(["span"] + SIM + QUIET + ["--operator", "e2e", "--out",
                                                 os.path.join(tmp, "r.ini")] + right)
    print("right edge:", err.strip())
    check(rc == 1 and "unconstrained" in err and "left" in err, "unconstrained cell refused")

    # 7. A calibration file for another sensor (seed 8 is SIM-00000008).
    rc, out, err = verify(cal, seed="8")
    print("other sensor:", err.strip())
    check(rc == 1 and "belongs to sensor SIM-00000007" in err and out == "",
          "other sensor refused")
    rc, out, err = verify(cal, seed="8", extra=["--allow-other-sensor"])
    check("warning" in err and out != "", "override used with a warning")

    # 8. A file from a newer format version.
    text = open(cal).read()
    newer = os.path.join(tmp, "newer.ini")
    open(newer, "w").write(text.replace("format_version = 1", "format_version = 2"))
    rc, out, err = verify(newer)
    print("newer:", err.strip())
    check(rc == 1 and "newer calib" in err and out == "", "newer version refused")

    # 9. A truncated file.
    trunc = os.path.join(tmp, "trunc.ini")
    open(trunc, "w").write(text[: len(text) // 2])
    rc, out, err = verify(trunc)
    print("truncated:", err.strip())
    check(rc == 1 and "truncated" in err and out == "", "truncated file refused")
    rc, out, err = run(["show", trunc])
    check(rc == 1 and "truncated" in err, "show refuses the truncated file")

    # No refused command wrote a file.
    after = files(tmp)
    check(after == sorted(before + [newer, trunc]), "no file written by refusals: %s" % after)

    # 10. History: span into $XDG_DATA_HOME, then zero on top; the first
    # file is kept as it was and the newest is the re-zero.
    rc, out, err = run(["span"] + SIM + QUIET + ["--operator", "e2e"], env=env)
    check(rc == 0, "span into history: " + err)
    hist = files(os.path.join(tmp, "xdg"))
    check(len(hist) == 1 and "/gaitcue/calibration/SIM-00000007/cal-" in hist[0],
          "history path %s" % hist)
    h0 = sha(hist[0]) if hist else ""
    rc, out, err = run(["zero"] + SIM + QUIET + ["--operator", "e2e"], env=env)
    check(rc == 0, "zero: " + err)
    hist2 = files(os.path.join(tmp, "xdg"))
    check(len(hist2) == 2 and hist and sha(hist[0]) == h0, "history kept: %s" % hist2)
    if len(hist2) == 2:
        newest = [p for p in hist2 if p not in hist][0]
        check("kind = zero" in open(newest).read(), "re-zero file kind")
        check("based_on = " + os.path.basename(hist[0]) in open(newest).read(), "based_on")
    # verify without --calibration picks the newest of the sensor.
    rc, out, err = run(["verify"] + SIM + QUIET + ["--mass", "50", "--at", "0.12,-0.21"],
                       env=env)
    check(rc == 0 and "PASS" in out, "verify with the newest: " + out + err)

    # 11. Guided on a terminal: Enter at each of the 11 steps; q stops.
    rc, out, err = run(["span"] + SIM + QUIET + ["--prompt", "--out",
                                                 os.path.join(tmp, "g.ini")],
                       stdin="Operator One\n" + "\n" * 11)
    check(rc == 0 and "place 20 kg at marked point 3" in out and "press Enter" in out,
          "guided: " + out + err)
    check("operator = Operator One" in open(os.path.join(tmp, "g.ini")).read(), "operator")
    rc, out, err = run(["span"] + SIM + QUIET + ["--prompt", "--operator", "x", "--out",
                                                 os.path.join(tmp, "q.ini")], stdin="\nq\n")
    check(rc == 1 and not os.path.exists(os.path.join(tmp, "q.ini")), "q stops: " + err)

print("%d failed" % failures)
sys.exit(1 if failures else 0)
