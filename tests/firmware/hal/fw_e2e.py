#!/usr/bin/env python3
"""fw_e2e.py - end-to-end tests of the firmware images under QEMU 7.2
(-M netduinoplus2, USART1 on a pty).  One test per subcommand:

  link      identity, every command acknowledged, exact replay of the sample
            table at 500 and 2000 Hz, then >= 10 s at 1 kHz: rate within
            0.5 % on the host clock, no CRC errors, no sequence gaps
  probe     `station probe PTY --seconds 10` against the emulated sensor
  steps     a real recording streamed through the firmware into the
            station's live analysis gives the steps `station analyze` finds
            in the CSV (same count, IC and contact time within one sample)
  steps-cop the same with a 300 Hz recording that has a COP, played at
            600 Hz: same count, same left/right labels, IC within one sample
            of each rate
  steps-ber `steps` through gc_fault_proxy at 1e-4 per bit in both
            directions plus a 20 ms stall every second (protocol 2, issue
            16): the firmware resends every damaged block from its ring, 0
            blocks finally lost, the same steps as the undamaged CSV
  fault     a HardFault is recorded, the MCU resets, and the next HELLO and
            STATUS report it
  absent    the real-board image (no ADC/IMU under QEMU) and the emulated
            image without / with a corrupt table report absent sensors and
            refuse START

Exit 0 pass, 1 fail, 77 skipped (a station command this test needs is not
built yet).  Environment: GC_BINARY_DIR, GC_SOURCE_DIR, GC_TEST_DATA (set by
gc_add_script_test); --fw-dir points at the images.
"""
import argparse
import atexit
import csv
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gcwire as g  # noqa: E402

SKIP = 77
FAILS = []


def mkdtemp(prefix="gc-fw-"):
    """A temporary directory removed when the test ends."""
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
    return cond


def env(name):
    v = os.environ.get(name)
    if not v:
        sys.exit(f"fw_e2e: {name} is not set; run through ctest.")
    return v


def make_table(csv_path, out, *flags):
    script = os.path.join(env("GC_SOURCE_DIR"), "scripts", "csv2table.py")
    r = subprocess.run([sys.executable, script, csv_path, "-o", out, *flags],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"fw_e2e: csv2table failed: {r.stderr.strip()}")
    print(r.stdout.strip())
    return read_table(out)


def read_table(path):
    """Parse a table file independently of the firmware (table.h layout)."""
    blob = open(path, "rb").read()
    magic, ver, hdr, rate, count, flags, stride, dcrc, hcrc = struct.unpack_from("<IHHIIIIII",
                                                                                  blob)
    assert magic == 0x42544347 and ver == 1 and hdr == 32 and stride == 12
    cells = []
    for k in range(count):
        o = 32 + 12 * k
        cells.append(tuple(g.i24(blob, o + 3 * c) for c in range(4)))
    return {"rate": rate, "count": count, "flags": flags, "crc": dcrc, "cells": cells}


def c_div(a, b):
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def expected_sample(tab, k, rate, loop=True):
    """Sample k of a run at `rate`, as table.h specifies (linear interpolation)."""
    pos = k * tab["rate"]
    idx, frac = divmod(pos, rate)
    n = tab["count"]
    i0 = idx % n
    i1 = i0 + 1 if i0 + 1 < n else (0 if loop else i0)
    a, b = tab["cells"][i0], tab["cells"][i1]
    return tuple(a[c] + c_div((b[c] - a[c]) * frac, rate) for c in range(4))


def boot(elf, table=None):
    q = g.Qemu(elf, table)
    link = g.Link(q.pty)
    return q, link


def identify(link):
    ack, seen = link.command(g.CMD_IDENTIFY, timeout=1.0, tries=10)
    hello = [p for p in seen + link.poll(0.3) if p["type"] == "hello"]
    return ack, (hello[-1] if hello else None)


def stream(link, seconds):
    """Receive for `seconds`; returns (packets, [(host_time, samples_so_far)])."""
    pkts = []
    arrivals = []
    total = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for p in link.poll(0.05):
            pkts.append(p)
            if p["type"] == "samples":
                total += p["n"]
                arrivals.append((time.monotonic(), total))
    return pkts, arrivals


def host_rate(arrivals, nominal=1000.0, edge_s=2.0):
    """Sample rate on the host clock from (arrival time, samples so far).

    Every block arrives some latency after it was due; scheduling hiccups
    only ever add latency.  So take, in the first and in the last edge_s
    seconds, the block that arrived least late against the nominal rate,
    and measure between those two: the estimate is off by the difference
    of two minimal latencies (a few ms) over the span (> 6 s), < 0.1 %,
    while a sample clock 0.5 % off drifts by 30 ms over that span."""
    t_start, t_end = arrivals[0][0], arrivals[-1][0]
    late = lambda a: a[0] - a[1] / nominal
    first = min((a for a in arrivals if a[0] <= t_start + edge_s), key=late)
    last = min((a for a in arrivals if a[0] >= t_end - edge_s), key=late)
    return (last[1] - first[1]) / (last[0] - first[0])


def check_blocks(blocks, rate, what):
    seqs = [b["seq"] for b in blocks]
    check(seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else False,
          f"{what}: {len(seqs)} SAMPLES blocks with contiguous sequence numbers")
    check(all(b["rate_hz"] == rate for b in blocks), f"{what}: every block says {rate} Hz")
    t0 = blocks[0]["t_first_us"] if blocks else 0
    k = 0
    exact = True
    for b in blocks:
        # Jitter-free timestamps: t_first of a block = t0 + k * 1e6 / rate exactly
        # (integer us, as the firmware computes it).
        if b["t_first_us"] != t0 + k * 1000000 // rate:
            exact = False
        k += b["n"]
    check(exact, f"{what}: block timestamps are exactly t0 + k * 1e6 / {rate} us")
    return k


# ---------------------------------------------------------------- link
def test_link(fw):
    tmp = mkdtemp()
    rec = os.path.join(env("GC_TEST_DATA"), "real", "alcantara2022_trial01.csv")
    tab = make_table(rec, os.path.join(tmp, "t.bin"), "--loop")
    q, link = boot(os.path.join(fw, "gaitcue-fw-qemu.elf"), os.path.join(tmp, "t.bin"))
    try:
        ack, h = identify(link)
        check(ack is not None and ack["status"] == g.ACK_OK, "IDENTIFY acknowledged")
        check(h is not None, "HELLO follows IDENTIFY")
        if h is None:
            return
        check(h["proto"] == 2, "protocol version 2")
        want_fw = tuple(int(x) for x in os.environ.get("GC_FW_VERSION", "0.1.0").split("."))
        check(h["fw"] == want_fw, f"firmware version {h['fw']} == {want_fw}")
        check(h["serial"] == f"QEMU-{tab['crc']:08X}", f"serial {h['serial']} names the table")
        check(h["rate_hz"] == 1000, "default rate 1000 Hz")
        check(h["corner"] == (0, 1, 2, 3), "channel i at corner i (FL FR RL RR)")
        check(h["cell_x_mm"] == (-300, 300, -300, 300), "cell x +-300 mm")
        check(h["cell_y_mm"] == (700, 700, -700, -700), "cell y +-700 mm")
        check(abs(h["n_per_count"] - 2.5e-4) < 1e-9, "nominal 2.5e-4 N/count")
        check(h["accel_g_per_lsb"] == 1 / 2048, "accel 1/2048 g/LSB")
        check(abs(h["gyro_dps_per_lsb"] - 1 / 16.4) < 1e-7, "gyro 1/16.4 dps/LSB")
        # The table has no IMU columns: reported, never silently zero.
        check(h["faults"] == g.FAULT_IMU_ABSENT, f"faults 0x{h['faults']:x} == IMU absent only")
        check(not h["streaming"], "not streaming after boot")

        ack, _ = link.command(g.CMD_PING, arg64=0x0123456789ABCDEF)
        check(ack and ack["status"] == g.ACK_OK and ack["echo"] == 0x0123456789ABCDEF,
              "PING acknowledged with the host time echoed")
        ack, _ = link.command(g.CMD_METRONOME, arg=17200)
        check(ack and ack["status"] == g.ACK_UNSUPPORTED, "METRONOME unsupported on hardware")
        ack, _ = link.command(99)
        check(ack and ack["status"] == g.ACK_UNSUPPORTED, "unknown command answered UNSUPPORTED")
        for bad in (499, 2001, 0):
            ack, _ = link.command(g.CMD_SET_RATE, arg=bad)
            check(ack and ack["status"] == g.ACK_BAD_ARG, f"SET_RATE {bad} refused (BAD_ARG)")

        # 500 Hz = the table's rate: the stream is the table, sample for sample.
        ack, _ = link.command(g.CMD_SET_RATE, arg=500)
        check(ack and ack["status"] == g.ACK_OK, "SET_RATE 500 acknowledged")
        _, h = identify(link)
        check(h is not None and h["rate_hz"] == 500, "HELLO reports 500 Hz")
        ack, pre = link.command(g.CMD_START)
        check(ack and ack["status"] == g.ACK_OK, "START acknowledged")
        pkts, _ = stream(link, 1.3)
        ack, during = link.command(g.CMD_SET_RATE, arg=1000)
        check(ack and ack["status"] == g.ACK_BAD_STATE, "SET_RATE while streaming refused")
        ack, more = link.command(g.CMD_STOP)
        check(ack and ack["status"] == g.ACK_OK, "STOP acknowledged")
        after = link.poll(0.4)
        blocks = [p for p in pre + pkts + during + more if p["type"] == "samples"]
        check(not [p for p in after if p["type"] == "samples"], "no samples after STOP's ACK")
        n = check_blocks(blocks, 500, "500 Hz")
        got = [s[0] for b in blocks for s in b["s"]]
        want = [expected_sample(tab, k, 500) for k in range(len(got))]
        check(n >= 600 and got == want,
              f"500 Hz: all {n} samples equal the table's counts (replay is exact)")
        st = [p for p in pkts + during if p["type"] == "status"]
        check(len(st) >= 1 and st[0]["faults"] == g.FAULT_IMU_ABSENT and
              st[0]["reset_reason"] == 0 and st[0]["dropped"] == 0,
              "STATUS while streaming: IMU-absent only, power-on reset, nothing dropped")

        # 2000 Hz from a 500 Hz table: linear interpolation, exactly as table.h says.
        ack, _ = link.command(g.CMD_SET_RATE, arg=2000)
        check(ack and ack["status"] == g.ACK_OK, "SET_RATE 2000 acknowledged")
        ack, pre = link.command(g.CMD_START)
        pkts, arrivals = stream(link, 3.0)
        ack, more = link.command(g.CMD_STOP)
        blocks = [p for p in pre + pkts + more if p["type"] == "samples"]
        n = check_blocks(blocks, 2000, "2000 Hz")
        got = [s[0] for b in blocks for s in b["s"]]
        want = [expected_sample(tab, k, 2000) for k in range(len(got))]
        check(n >= 5000 and got == want, f"2000 Hz: all {n} samples are the interpolated table")

        # 1 kHz for 10.5 s: the numbers station probe reports, measured here
        # independently on the host clock.
        ack, _ = link.command(g.CMD_SET_RATE, arg=1000)
        ack, pre = link.command(g.CMD_START)
        check(ack and ack["status"] == g.ACK_OK, "START at 1000 Hz acknowledged")
        crc_before = link.dec.crc_errors
        pkts, arrivals = stream(link, 10.5)
        ack, more = link.command(g.CMD_STOP)
        blocks = [p for p in pre + pkts + more if p["type"] == "samples"]
        n = check_blocks(blocks, 1000, "1000 Hz")
        check(n >= 10000, f"1000 Hz: {n} samples >= 10 s worth")
        slope = host_rate(arrivals)
        check(abs(slope - 1000) <= 5.0, f"1000 Hz: measured {slope:.2f} Hz within 0.5 %")
        check(link.dec.crc_errors == crc_before and link.dec.frames_bad == 0,
              f"no CRC errors or bad frames ({link.dec.frames_bad} bad)")
        # About one STATUS per second; after a stall of the (emulated) device
        # the core sends one, not a burst, so a starved emulator sends fewer:
        # assert no bursts (at most one per second of sensor time, plus the
        # one due at the start) and the last one's counters.
        st = [p for p in pkts if p["type"] == "status"]
        span_s = (st[-1]["t_us"] - st[0]["t_us"]) / 1e6 if st else 0
        check(1 <= len(st) <= span_s + 2, f"{len(st)} STATUS packets over {span_s:.1f} s")
        check(st and st[-1]["dropped"] == 0 and st[-1]["overruns"] == 0,
              "last STATUS says 0 dropped, 0 overruns")
    finally:
        link.close()
        q.close()


# ---------------------------------------------------------------- station helpers
def station():
    path = os.path.join(env("GC_BINARY_DIR"), "bin", "station")
    if not os.path.exists(path):
        print(f"skip: {path} is not built")
        sys.exit(SKIP)
    return path


def run_station(args, timeout):
    # A private home: the station keeps sessions and recordings under
    # $XDG_DATA_HOME / $HOME, and a test must not leave them in the user's.
    home = mkdtemp("gc-fw-home-")
    e = dict(os.environ, HOME=home, XDG_DATA_HOME=os.path.join(home, "data"),
             XDG_CONFIG_HOME=os.path.join(home, "config"))
    r = subprocess.run([station()] + args, capture_output=True, text=True, timeout=timeout,
                       env=e)
    if r.returncode != 0 and "not available in this build" in r.stderr:
        print(f"skip: station {args[0]} is not implemented yet ({r.stderr.strip()})")
        sys.exit(SKIP)
    return r


# ---------------------------------------------------------------- probe
def test_probe(fw):
    tmp = mkdtemp()
    rec = os.path.join(env("GC_TEST_DATA"), "real", "alcantara2022_trial01.csv")
    tab = make_table(rec, os.path.join(tmp, "t.bin"), "--loop")
    q, link = boot(os.path.join(fw, "gaitcue-fw-qemu.elf"), os.path.join(tmp, "t.bin"))
    try:
        # Make sure the firmware is up before handing the pty to the station.
        _, h = identify(link)
        check(h is not None, "firmware answers before the probe")
        link.close()
        r = run_station(["probe", q.pty, "--seconds", "10"], timeout=60)
        print(r.stdout)
        print(r.stderr, file=sys.stderr)
        if not check(r.returncode == 0, f"station probe exits 0 (got {r.returncode})"):
            return
        try:
            j = json.loads(r.stdout)
        except json.JSONDecodeError:
            check(False, "station probe prints one JSON object")
            return
        # Keys as station/app/cmd_probe.c writes them.
        ident = j.get("identity", {})
        check(ident.get("serial") == f"QEMU-{tab['crc']:08X}", f"identity.serial {ident.get('serial')}")
        want_fw = os.environ.get("GC_FW_VERSION", "0.1.0")
        check(ident.get("firmware") == want_fw, f"identity.firmware {ident.get('firmware')}")
        check(ident.get("rate_hz") == 1000, f"identity.rate_hz {ident.get('rate_hz')}")
        check(ident.get("faults") == g.FAULT_IMU_ABSENT, f"identity.faults {ident.get('faults')}")
        acks = j.get("acks", {})
        for name in ("identify", "stop", "set_rate", "ping", "start", "stop_after"):
            check(acks.get(name) == "ok", f"acks.{name} = {acks.get(name)}")
        samples = j.get("samples", 0)
        check(samples >= 10000 * 0.995, f"samples {samples} >= 10 s at 1 kHz")
        check(j.get("crc_errors") == 0 and j.get("bad_frames") == 0,
              f"crc_errors {j.get('crc_errors')}, bad_frames {j.get('bad_frames')}")
        check(j.get("seq_gaps") == 0 and j.get("lost_blocks") == 0,
              f"seq_gaps {j.get('seq_gaps')}, lost_blocks {j.get('lost_blocks')}")
        rate = j.get("rate_measured_hz")
        check(rate is not None and abs(rate - 1000) <= 5.0,
              f"rate_measured_hz {rate} within 0.5 % of 1000")
        dev = j.get("device", {})
        check(dev.get("dropped_samples") == 0 and dev.get("overruns") == 0,
              f"device dropped {dev.get('dropped_samples')}, overruns {dev.get('overruns')}")
    finally:
        q.close()


# ---------------------------------------------------------------- steps
def read_steps(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def trim_csv(src, dst, seconds):
    """Copy the first `seconds` of a canonical CSV (comment lines kept)."""
    with open(src) as f, open(dst, "w") as out:
        for line in f:
            if line.startswith("#") or line.startswith("t_s"):
                out.write(line)
            elif float(line.split(",", 1)[0]) < seconds - 1e-9:
                out.write(line)


class FaultProxy:
    """gc_fault_proxy in front of QEMU's pty (--upstream)."""

    def __init__(self, upstream, tmp, faults):
        self.link = os.path.join(tmp, "proxy-link")
        self.report = os.path.join(tmp, "proxy.json")
        exe = os.path.join(env("GC_BINARY_DIR"), "bin", "gc_fault_proxy")
        if not os.path.exists(exe):
            print(f"skip: {exe} is not built")
            sys.exit(SKIP)
        self.p = subprocess.Popen([exe, "--upstream", upstream, "--link", self.link, "--report",
                                   self.report] + faults, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("ready "):
            raise RuntimeError(f"gc_fault_proxy did not start: {line!r}")

    def finish(self):
        self.p.terminate()
        self.p.wait(10)
        with open(self.report) as f:
            return json.load(f)


def summary_count(text, key):
    import re
    m = re.search(key + r" (\d+)", text)
    return int(m.group(1)) if m else None


def test_steps(fw, name="alcantara2022_trial01.csv", fw_rate=None, max_seconds=None, ber=False):
    """fw_rate None: stream at the table's own rate, a sample-for-sample
    replay, so every IC must agree within one sample.  Else the firmware
    plays the table at fw_rate (linear interpolation, table.h): each
    analysis then times events on its own sample grid, so they may differ by
    up to one sample of each grid (1/rate_csv + 1/fw_rate)."""
    tmp = mkdtemp()
    rec = os.path.join(env("GC_TEST_DATA"), "real", name)
    if max_seconds is not None:
        trimmed = os.path.join(tmp, name)
        trim_csv(rec, trimmed, max_seconds)
        rec = trimmed
    tab = make_table(rec, os.path.join(tmp, "t.bin"))  # no loop: the stream ends with the CSV
    rate = fw_rate or tab["rate"]
    ref = os.path.join(tmp, "ref_steps.csv")
    r = run_station(["analyze", rec, "--steps", ref], timeout=60)
    if not check(r.returncode == 0, f"station analyze on the CSV exits 0 ({r.stderr.strip()})"):
        return
    q, link = boot(os.path.join(fw, "gaitcue-fw-qemu.elf"), os.path.join(tmp, "t.bin"))
    try:
        # Stream at the recording's own rate so the firmware replays it
        # sample for sample (the live path must then see the same signal).
        ack, _ = link.command(g.CMD_SET_RATE, arg=rate)
        check(ack and ack["status"] == g.ACK_OK, f"SET_RATE {rate} before the run")
        link.close()
        live = os.path.join(tmp, "live_steps.csv")
        # The table does not loop: the stream ends with the recording.  `station
        # run --seconds S` ends at the first sample at session time >= S, so S
        # half a period before the last sample (t = (count - 1) / rate) makes
        # the live session end exactly on the recording's last sample.
        last_k = ((tab["count"] - 1) * rate) // tab["rate"]  # last sample the firmware plays
        seconds = (last_k - 0.5) / rate
        port, px = q.pty, None
        if ber:
            px = FaultProxy(q.pty, tmp, ["--ber", "1e-4", "--stall-every", "1", "--stall-for",
                                         "0.02", "--seed", "16"])
            port = px.link
        try:
            r = run_station(["run", "--port", port, "--seconds", f"{seconds:.6f}", "--steps", live],
                            timeout=70)
        finally:
            rep = px.finish() if px else None
        print(r.stdout[-2000:])
        print(r.stderr[-2000:], file=sys.stderr)
        if not check(r.returncode == 0, f"station run --port on the emulated sensor exits 0"):
            return
        if rep is not None:
            damaged = len(rep["lost"])
            lost = summary_count(r.stdout, "lost blocks")
            recovered = summary_count(r.stdout, "recovered")
            requests = summary_count(r.stdout, "resend requests")
            print(f"figure: QEMU + proxy 1e-4/bit both ways + 20 ms stalls/s: proxy damaged "
                  f"{damaged} blocks and {rep['resent_damaged']} resends, flipped "
                  f"{rep['bits_flipped_up']} bits towards the device; station resend requests "
                  f"{requests}, recovered {recovered}, finally lost {lost}")
            # the recording is 5 s long: a stall per second, ~0.2 damaged
            # blocks per block sent, a few bits of the station's commands
            check(damaged > 20 and rep["bits_flipped_up"] > 0 and rep["stalls"] >= 4,
                  f"the proxy damaged {damaged} blocks, {rep['bits_flipped_up']} bits towards "
                  f"the device, {rep['stalls']} stalls")
            check(lost == 0, f"0 blocks finally lost (summary: {lost})")
            check(recovered is not None and recovered >= damaged - 2,
                  f"the firmware resent them: {recovered} recovered of {damaged} damaged "
                  "(the proxy also counts blocks after the station stopped)")
    finally:
        q.close()
    a, b = read_steps(ref), read_steps(live)
    check(len(a) > 5 and len(a) == len(b), f"same step count: CSV {len(a)}, stream {len(b)}")
    if not a or len(a) != len(b):
        return
    period = 1.0 / tab["rate"] + (1.0 / rate if rate != tab["rate"] else 0.0)
    ic_a = [float(s["t_ic_s"]) for s in a]
    ic_b = [float(s["t_ic_s"]) for s in b]
    # The live path may count time from its own origin (sensor time at the
    # first sample): remove one common offset, then every IC must agree.
    diffs = sorted(y - x for x, y in zip(ic_a, ic_b))
    offset = diffs[len(diffs) // 2]
    worst = max(abs(y - x - offset) for x, y in zip(ic_a, ic_b))
    print(f"IC offset stream - CSV: {offset * 1000:.3f} ms, worst residual {worst * 1000:.3f} ms")
    check(worst <= period + 1e-9, f"every IC within {period * 1000:.2f} ms")
    ct = [abs(float(x["contact_ms"]) - float(y["contact_ms"]))
          for x, y in zip(a, b) if x["contact_ms"] and y["contact_ms"]]
    check(ct and max(ct) <= period * 1000 + 1e-6,
          f"contact times within {period * 1000:.2f} ms (worst {max(ct) if ct else -1:.3f} ms)")
    sides_a = "".join(x["side"] or "-" for x in a)
    sides_b = "".join(y["side"] or "-" for y in b)
    print(f"sides CSV    {sides_a}\nsides stream {sides_b}")
    if "copx_m" in open(rec).read(4096):
        # With a COP the cells carry the left/right swing: sides must survive.
        check(sides_a == sides_b and sides_a.strip("-"), "same left/right labels")


# ---------------------------------------------------------------- fault
def test_fault(fw):
    tmp = mkdtemp()
    rec = os.path.join(env("GC_TEST_DATA"), "real", "alcantara2022_trial01.csv")
    make_table(rec, os.path.join(tmp, "t.bin"), "--loop", "--fault-test")
    q, link = boot(os.path.join(fw, "gaitcue-fw-qemu.elf"), os.path.join(tmp, "t.bin"))
    try:
        _, h = identify(link)
        check(h is not None and h["faults"] == g.FAULT_IMU_ABSENT,
              "fresh boot: no fault reported")
        ack, _ = link.command(g.CMD_START)
        check(ack and ack["status"] == g.ACK_OK, "START acknowledged")
        # The armed test fault fires 200 ms into the run; the handler records
        # it in .noinit RAM and resets; the new boot announces itself.
        pkts, _ = stream(link, 2.0)
        hellos = [p for p in pkts if p["type"] == "hello"]
        check(len(hellos) == 1, f"one unsolicited HELLO after the reset (got {len(hellos)})")
        if hellos:
            check(hellos[0]["faults"] & g.FAULT_HARDFAULT, "HELLO after reset has FAULT_HARDFAULT")
            check(not hellos[0]["streaming"], "and the device is stopped")
        ack, _ = link.command(g.CMD_START)
        check(ack and ack["status"] == g.ACK_OK, "START after the reset acknowledged")
        pkts, _ = stream(link, 1.6)
        st = [p for p in pkts if p["type"] == "status"]
        check(len(st) >= 1 and st[0]["reset_reason"] == 2 and st[0]["faults"] & g.FAULT_HARDFAULT,
              "STATUS reports reset_reason 2 (fault) and FAULT_HARDFAULT")
        blocks = [p for p in pkts if p["type"] == "samples"]
        check(len(blocks) > 100 and not [p for p in pkts if p["type"] == "hello"],
              "the test fault is not re-armed: streaming continues")
        check(blocks and blocks[0]["seq"] == 0, "sequence restarted at 0 after the reset")
    finally:
        link.close()
        q.close()


# ---------------------------------------------------------------- absent
def expect_absent(elf, table, serial, what):
    q, link = boot(elf, table)
    try:
        _, h = identify(link)
        if not check(h is not None, f"{what}: HELLO"):
            return
        check(h["faults"] == g.FAULT_ADC_ABSENT | g.FAULT_IMU_ABSENT,
              f"{what}: faults 0x{h['faults']:x} == ADC absent | IMU absent")
        check(h["serial"] == serial, f"{what}: serial {h['serial']}")
        ack, _ = link.command(g.CMD_START)
        check(ack and ack["status"] == g.ACK_BAD_STATE, f"{what}: START refused (BAD_STATE)")
        pkts = link.poll(0.5)
        check(not [p for p in pkts if p["type"] == "samples"], f"{what}: no samples")
        ack, _ = link.command(g.CMD_PING, arg64=42)
        check(ack and ack["echo"] == 42, f"{what}: still answers PING")
    finally:
        link.close()
        q.close()


def test_absent(fw):
    expect_absent(os.path.join(fw, "gaitcue-fw-stm32f405.elf"), None, "GC-NO-UID",
                  "real-board image")
    expect_absent(os.path.join(fw, "gaitcue-fw-qemu.elf"), None, "QEMU-NOTABLE",
                  "emulated image, no table")
    tmp = mkdtemp()
    rec = os.path.join(env("GC_TEST_DATA"), "real", "alcantara2022_trial01.csv")
    path = os.path.join(tmp, "t.bin")
    make_table(rec, path)
    blob = bytearray(open(path, "rb").read())
    blob[100] ^= 0x10  # one flipped bit in the sample data
    open(path, "wb").write(blob)
    expect_absent(os.path.join(fw, "gaitcue-fw-qemu.elf"), path, "QEMU-NOTABLE",
                  "emulated image, corrupt table")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("test", choices=["link", "probe", "steps", "steps-cop", "steps-ber", "fault",
                                     "absent"])
    ap.add_argument("--fw-dir", required=True)
    a = ap.parse_args()
    {"link": test_link, "probe": test_probe, "steps": test_steps,
     # 300 Hz force plate with COP, played at 600 Hz (interpolated), 29 s of
     # it (the emulated SRAM holds 29.5 s at 300 Hz).
     "steps-cop": lambda fw: test_steps(fw, "fukuchi_rbds0041_t25.csv", 600, 29.0),
     "steps-ber": lambda fw: test_steps(fw, ber=True),
     "fault": test_fault, "absent": test_absent}[a.test](a.fw_dir)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
