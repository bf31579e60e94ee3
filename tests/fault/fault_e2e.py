#!/usr/bin/env python3
"""fault_e2e.py CASE - fault injection between gaitcue-sim and the station
(issue 4).  gc_fault_proxy sits on the link and reports, by sequence number,
which sample blocks it damaged or discarded; the station's recording says
which blocks arrived, and which of them came again on request (protocol 2,
issue 16: marked RESENT).  In every case:

  * the station keeps running to the end of the session (exit 0),
  * every block the proxy damaged or discarded (or the device dropped, for
    the stall) is either in the recording as resent or missing from it,
    nothing else is resent or missing, and the live summary's lost-block
    count is the number missing,
  * replaying the recording gives the same steps as the live run.

Cases: bitflip drops garbage stall reopen reboot slow kill9
"""
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import gclive as g  # noqa: E402


def proxy_bin():
    return os.path.join(g.binary_dir(), "bin", "gc_fault_proxy")


class Proxy:
    def __init__(self, d, faults, sim_args):
        self.link = os.path.join(d, "sensor-link")
        self.report = os.path.join(d, "proxy.json")
        self.p = subprocess.Popen([proxy_bin(), "--sim", g.sim(), "--link", self.link,
                                   "--report", self.report] + faults + ["--"] + sim_args,
                                  stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("ready "):
            g.fail("proxy did not start: %r" % line)

    def finish(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(10)
        return json.load(open(self.report))


def session(d, faults, sim_args, seconds, timeout=240, expect_rc=0):
    """Run station through the proxy; returns (stdout, summary, proxy report, recording).

    timeout only guards against a hang: 300 s of sensor time at max speed
    takes ~30 s alone in the plain build, over a minute under ASan beside
    another test on a 2-core machine."""
    os.environ["XDG_DATA_HOME"] = os.path.join(d, "xdg")
    px = Proxy(d, faults, sim_args)
    rec = os.path.join(d, "s.gcrec")
    live_csv = os.path.join(d, "live.csv")
    try:
        # Headless and silent: this test is about the link; the display and
        # audio fallbacks would add their own notes to stderr.
        p, dt = g.run([g.station(), "run", "--port", px.link, "--seconds", str(seconds),
                       "--record", rec, "--steps", live_csv, "--headless",
                       "--audio-device", "null"], timeout=timeout)
    finally:
        rep = px.finish()
    g.print_brief(p.stdout)
    g.print_brief(p.stderr, file=sys.stderr)
    print("proxy:", {k: v for k, v in rep.items() if k != "lost"}, "lost", len(rep["lost"]))
    g.check(p.returncode == expect_rc, "station exit %d (expected %d)" % (p.returncode, expect_rc))
    summary = g.parse_summary(p.stdout)
    # the station drops nothing it received, however fast the simulator runs
    g.check((summary or {}).get("ring_drops", 0) == 0,
            "ring drops %s" % (summary or {}).get("ring_drops"))
    return p, summary, rep, rec, live_csv


def check_replay(d, rec, live_csv, live_out):
    rep_csv = os.path.join(d, "replay.csv")
    q, _ = g.run([g.station(), "replay", rec, "--speed", "max", "--steps", rep_csv], timeout=180,
                 check_rc=0)
    a, b = open(live_csv).read(), open(rep_csv).read()
    g.check(a == b, "replay reproduces the live steps exactly (%d steps)" %
            (len(a.splitlines()) - 1))
    g.check(g.tick_lines(live_out) == g.tick_lines(q.stdout), "replay prints the same lines")


def check_analysis_went_on(csv, seconds):
    """Steps keep coming until the end of the session.  (Each lost block is
    a gap; a gap inside a contact discards that contact by design, so with
    ~2.6 gaps/s many steps are dropped: the count is reported, not bounded.)"""
    rows = [l.split(",") for l in open(csv).read().splitlines()[1:]]
    t_last = float(rows[-1][2]) if rows else 0.0
    print("steps in the CSV: %d" % len(rows))
    g.check(t_last >= seconds - 3.0, "last step at %.1f s of a %d s session" % (t_last, seconds))


def missing_blocks(recs):
    """Sequence numbers missing between received blocks, per boot (a restart
    of the sequence starts a new boot)."""
    seqs = g.sample_seqs(recs)
    missing, boot, prev = [], 0, None
    for s in seqs:
        if prev is not None:
            if s <= prev:
                boot += 1
            else:
                missing += [(boot, k) for k in range(prev + 1, s)]
        prev = s
    return missing, seqs


def resent_blocks(recs):
    """(boot, seq) of the blocks recorded as resent."""
    out, boot, prev = [], 0, None
    for r in recs:
        if r["kind"] != g.REC_FRAME or r["aux"] not in (g.PKT_SAMPLES, g.PKT_RESENT):
            continue
        s = struct.unpack("<I", r["payload"][:4])[0]
        if prev is not None and s <= prev:
            boot += 1
        if r["aux"] == g.PKT_RESENT:
            out.append((boot, s))
        prev = s
    return out


def check_lost_match(rep, rec, summary, kinds):
    recs, truncated = g.read_recording(rec)
    g.check(not truncated, "recording complete")
    missing, seqs = missing_blocks(recs)
    resent = resent_blocks(recs)
    # injected losses inside the recorded span (the proxy also damages
    # blocks after the session ended, which nobody can miss)
    first, last = seqs[0], seqs[-1]
    injected = sorted((b, s) for b, s, why in rep["lost"] if why in kinds and first < s < last)
    g.check(sorted(missing + resent) == injected,
            "injected == recovered + missing: %d injected, %d recovered (resent), %d missing" %
            (len(injected), len(resent), len(missing)))
    g.check(summary["lost"] == len(missing), "live summary lost %d == %d missing in the recording"
            % (summary["lost"], len(missing)))
    return recs, missing


def case_bitflip():
    d = tempfile.mkdtemp(prefix="gc-fault-")
    # 1e-4 of the bytes: ~2.6 flips per second of data at 1 kHz; 300 s of
    # sensor time at max speed gives ~800 damaged frames
    p, s, rep, rec, csv = session(d, ["--flip", "1e-4", "--seed", "11"], ["--speed", "max"], 300)
    g.check(rep["flipped"] > 400, "proxy flipped %d bits" % rep["flipped"])
    check_lost_match(rep, rec, s, "d")
    # bad frames are counted per record; the CRC subset comes with the
    # reader's once-a-second link stats, which a 300 s session at max speed
    # on an idle machine (about 1.5 s) may end before
    g.check(s["bad"] > 0 and s["bad"] >= s["lost"], "bad frames counted (%d, CRC %d)" %
            (s["bad"], s["crc"]))
    check_analysis_went_on(csv, 300)
    check_replay(d, rec, csv, p.stdout)
    shutil.rmtree(d)


def case_drops():
    d = tempfile.mkdtemp(prefix="gc-fault-")
    p, s, rep, rec, csv = session(d, ["--drop", "1e-4", "--seed", "12"], ["--speed", "max"], 300)
    g.check(rep["dropped"] > 400, "proxy dropped %d bytes" % rep["dropped"])
    check_lost_match(rep, rec, s, "d")
    g.check(s["bad"] > 0, "bad frames counted (%d)" % s["bad"])
    check_analysis_went_on(csv, 300)
    check_replay(d, rec, csv, p.stdout)
    shutil.rmtree(d)


def case_garbage():
    d = tempfile.mkdtemp(prefix="gc-fault-")
    p, s, rep, rec, csv = session(d, ["--garbage-every", "0.002", "--garbage-len", "200",
                                      "--seed", "13"], ["--speed", "max"], 120)
    g.check(rep["garbage_bursts"] > 20, "proxy inserted %d bursts" % rep["garbage_bursts"])
    # garbage between frames costs no data at all
    check_lost_match(rep, rec, s, "d")
    g.check(s["lost"] == 0, "no block lost to garbage")
    # every burst delivered during the session is one bad frame; bursts the
    # proxy sends after the station stopped reading (its last ~0.1 s of a
    # few seconds) are not seen
    g.check(0.9 * rep["garbage_bursts"] <= s["bad"] <= rep["garbage_bursts"],
            "bad frames %d, bursts %d" %
            (s["bad"], rep["garbage_bursts"]))
    check_replay(d, rec, csv, p.stdout)
    shutil.rmtree(d)


def link_events(recs, ev):
    return [r for r in recs if r["kind"] == g.REC_LINK and r["aux"] == ev]


def last_frame_before(recs, t_ns):
    ts = [r["t_ns"] for r in recs if r["kind"] == g.REC_FRAME and r["t_ns"] < t_ns]
    return ts[-1] if ts else None


def case_stall():
    """2 s stall: detected within 0.5 s, shown, the session resumes with the
    blocks the device had to drop recorded as a gap."""
    d = tempfile.mkdtemp(prefix="gc-fault-")
    p, s, rep, rec, csv = session(d, ["--stall-at", "3", "--stall-for", "2"], [], 9)
    recs, truncated = g.read_recording(rec)
    missing, _ = missing_blocks(recs)
    g.check(not rep["lost"], "the proxy itself lost nothing (it only paused)")
    g.check(s["lost"] == len(missing), "live summary lost %d == %d missing in the recording"
            % (s["lost"], len(missing)))
    sil = link_events(recs, 1)
    g.check(len(sil) == 1, "one silence recorded")
    gap = (sil[0]["t_ns"] - last_frame_before(recs, sil[0]["t_ns"])) / 1e9
    g.check(gap <= 0.5, "silence detected %.3f s after the last frame (<= 0.5 s)" % gap)
    g.check("link silent" in p.stdout, "the silence is shown")
    # the device's own queue overflowed during the stall: it dropped whole
    # blocks (and counted their samples); the station lost exactly those
    g.check(s["dev_dropped"] > 0, "device dropped %d samples during the stall" % s["dev_dropped"])
    # blocks still in its 250 ms resend ring came again when asked for
    resent = resent_blocks(recs)
    g.check((s["lost"] + len(resent)) * 10 == s["dev_dropped"],
            "(lost %d + recovered %d) blocks x 10 == device dropped samples" %
            (s["lost"], len(resent)))
    g.check(len(resent) >= 20, "the device's resend ring gave back %d blocks" % len(resent))
    g.check(s["gaps"] >= 1, "gap marked")
    g.check(s["seconds"] >= 9, "the session ran to its end")
    check_replay(d, rec, csv, p.stdout)
    shutil.rmtree(d)


def case_reopen():
    """Unplug/replug: the pty closes, the device path reappears 0.5 s later."""
    d = tempfile.mkdtemp(prefix="gc-fault-")
    p, s, rep, rec, csv = session(d, ["--reopen-at", "3", "--reopen-gap", "0.5"], [], 9)
    recs, missing = check_lost_match(rep, rec, s, "dx")
    lost = link_events(recs, 2)
    rec_ev = link_events(recs, 3)
    g.check(len(lost) == 1 and len(rec_ev) == 1, "one loss, one reconnect recorded")
    det = (lost[0]["t_ns"] - last_frame_before(recs, lost[0]["t_ns"])) / 1e9
    g.check(det <= 0.5, "unplug detected %.3f s after the last frame" % det)
    back = (rec_ev[0]["t_ns"] - lost[0]["t_ns"]) / 1e9
    g.check(back < 2.0, "reconnected %.2f s after the loss (path back after 0.5 s)" % back)
    g.check(s["reconnects"] == 1 and s["gaps"] >= 1 and len(missing) > 0,
            "gap of %d blocks marked, never interpolated" % len(missing))
    g.check("reconnected" in p.stdout and "link lost" in p.stdout, "loss and reconnect shown")
    check_replay(d, rec, csv, p.stdout)
    shutil.rmtree(d)


def case_reboot():
    """Sensor reboot: the simulator is killed and restarted (sequence restarts)."""
    d = tempfile.mkdtemp(prefix="gc-fault-")
    p, s, rep, rec, csv = session(d, ["--reboot-at", "3"], [], 10)
    recs, truncated = g.read_recording(rec)
    _, seqs = missing_blocks(recs)
    restarts = sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a)
    g.check(restarts == 1, "the recording shows one sequence restart")
    g.check(s["restarts"] == 1 and s["gaps"] >= 1, "reboot detected, gap marked")
    g.check(s["lost"] == 0, "a restart is not counted as lost blocks")
    g.check("sensor restarted" in p.stdout, "the restart is shown")
    g.check(s["seconds"] >= 10, "the same session went on after the reboot")
    check_replay(d, rec, csv, p.stdout)
    shutil.rmtree(d)


def case_slow():
    """A link too slow for the rate (11.5 kB/s for a ~26 kB/s stream): one
    clear sentence, non-zero exit, no hang."""
    d = tempfile.mkdtemp(prefix="gc-fault-")
    p, s, rep, rec, csv = session(d, ["--bps", "11520"], [], 30, expect_rc=1)
    err = [l for l in p.stderr.splitlines() if l.strip()]
    g.check(len(err) == 1 and "too slow" in err[0], "one sentence: %r" % (err[0] if err else ""))
    g.check(s["seconds"] < 10, "gave up after %.1f s of data" % s["seconds"])
    shutil.rmtree(d)


def case_kill9():
    """kill -9 mid-session loses at most the last second of the recording;
    the next start reports the interrupted session and keeps it."""
    d = tempfile.mkdtemp(prefix="gc-fault-")
    os.environ["XDG_DATA_HOME"] = os.path.join(d, "xdg")
    st = subprocess.Popen([g.station(), "run", "--sim", "--seconds", "60"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4.0)
    t_kill = time.monotonic()
    st.send_signal(signal.SIGKILL)
    st.wait()
    recdir = os.path.join(d, "xdg", "gaitcue", "recordings")
    files = [f for f in os.listdir(recdir) if f.endswith(".gcrec")]
    g.check(len(files) == 1, "one recording")
    path = os.path.join(recdir, files[0])
    recs, truncated = g.read_recording(path)
    t_last = max(r["t_ns"] for r in recs) / 1e9
    g.check(t_kill - t_last <= 1.0, "recording reaches %.3f s before the kill (<= 1 s)" %
            (t_kill - t_last))
    g.check(recs[-1]["kind"] != g.REC_END, "no end marker: interrupted")
    q, _ = g.run([g.station(), "replay", path, "--speed", "max"], timeout=30, check_rc=0)
    g.check("interrupted" in q.stdout, "replay says the session was interrupted")
    s = g.parse_summary(q.stdout)
    g.check(s["seconds"] >= 3.0, "replay holds %.1f s of the 4 s session" % s["seconds"])
    # the simulator died with its station (PR_SET_PDEATHSIG)
    time.sleep(0.3)
    r, _ = g.run([g.station(), "run", "--sim", "--seconds", "1", "--no-record"], timeout=30,
                 check_rc=0)
    g.check("previous session was interrupted" in r.stderr and path in r.stderr,
            "next start reports the interrupted session")
    g.check(os.path.exists(path), "and keeps its recording")
    r, _ = g.run([g.station(), "run", "--sim", "--seconds", "1", "--no-record"], timeout=30,
                 check_rc=0)
    g.check("interrupted" not in r.stderr, "reported once")
    shutil.rmtree(d)


CASES = {k[5:]: v for k, v in globals().items() if k.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: fault_e2e.py " + "|".join(sorted(CASES)), file=sys.stderr)
        sys.exit(2)
    CASES[sys.argv[1]]()
    print("PASS " + sys.argv[1])
