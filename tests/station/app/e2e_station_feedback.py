#!/usr/bin/env python3
"""e2e: `station run` on gaitcue-sim for 30 s, headless, audio to a WAV.

Issue 6, "done when":
  - the metronome clicks in the WAV have the target cadence within
    0.1 steps/min and inter-click jitter under 0.1 ms;
  - each loading cue starts within 20 ms (sensor time) of the step event
    that caused it;
  - closed loop: with the metronome at 172 (+7.5 % over the simulated
    runner's 160), the measured cadence moves into the band and the
    display says 'in band' (station ctl get status -> state=in);
  - `station ctl` changes a setting while running and it shows in the
    next status and in the session log (stderr log line);
  - --screenshot writes the last frame.

The loading ceiling is lowered to 10 BW/s through `station ctl` a few
seconds in, so (nearly) every step is a 'hard landing' and its cue timing
can be measured.  Needs the wired station (feedback_app in cmd_run) and
GAITCUE_CUE_LOG support (feedback_app.c).
"""
import os
import subprocess
import sys
import tempfile
import time
import wave

import numpy as np
from scipy import signal

RATE = 48000
CLICK_HZ, CLICK_DECAY_S, CLICK_LEN_S = 1800.0, 0.004, 0.020  # audio.h
TARGET = 172.0
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def ctl(station, env, *args):
    p = subprocess.run([station, "ctl", *args], env=env, capture_output=True, text=True,
                       timeout=10)
    return p.returncode, (p.stdout + p.stderr).strip()


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    return rate, x


def click_onsets(x):
    """Sub-sample click onsets: band-pass for coarse positions, then the
    peak of the cross-correlation with the exact click waveform."""
    sos = signal.butter(4, [1500, 2100], btype="band", fs=RATE, output="sos")
    env = np.abs(signal.sosfiltfilt(sos, x))
    thr = 0.3 * np.percentile(env, 99.9)
    n_t = int(CLICK_LEN_S * RATE)
    tau = np.arange(n_t) / RATE
    tmpl = np.cos(2 * np.pi * CLICK_HZ * tau) * np.exp(-tau / CLICK_DECAY_S)
    coarse, last = [], -RATE
    for i in np.flatnonzero(env > thr):
        if i - last > RATE // 10:
            coarse.append(i)
        last = i
    out = []
    for c in coarse:
        lo = c - 96
        if lo < 0 or c + 96 + n_t >= len(x):
            continue
        lags = np.arange(-96, 97)
        cc = np.array([np.dot(x[c + l:c + l + n_t], tmpl) for l in lags])
        k = int(np.argmax(cc))
        if 0 < k < len(lags) - 1:
            a, b, d = cc[k - 1], cc[k], cc[k + 1]
            frac = 0.5 * (a - d) / (a - 2 * b + d)
        else:
            frac = 0.0
        out.append(c + lags[k] + frac)
    return np.array(out)


def main():
    bindir = os.environ.get("GC_BINARY_DIR", "build")
    station = os.path.join(bindir, "bin", "station")
    if not os.access(station, os.X_OK):
        print("station binary not found at " + station)
        return 1
    tmp = tempfile.mkdtemp(prefix="gc-e2e-fb-")
    run_dir = os.path.join(tmp, "run")
    os.mkdir(run_dir, 0o700)
    wav_path = os.path.join(tmp, "x.wav")
    cue_log = os.path.join(tmp, "cues.csv")
    png = os.path.join(tmp, "last.png")
    env = dict(os.environ, XDG_RUNTIME_DIR=run_dir, XDG_DATA_HOME=os.path.join(tmp, "data"),
               GAITCUE_CUE_LOG=cue_log, SDL_VIDEODRIVER="dummy")
    cmd = [station, "run", "--sim", "--sim-cadence", "160", "--seconds", "30", "--headless",
           "--no-record",
           "--audio-device", "file:FILE=%s,FORMAT=wav" % wav_path,
           "--target-cadence", "%g" % TARGET, "--screenshot", png]
    print(" ".join(cmd))
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    sock = os.path.join(run_dir, "gaitcue", "station.sock")
    while not os.path.exists(sock) and time.monotonic() - t0 < 15 and proc.poll() is None:
        time.sleep(0.1)
    check(os.path.exists(sock), "control socket appears under $XDG_RUNTIME_DIR/gaitcue/")
    mode = os.stat(sock).st_mode & 0o777 if os.path.exists(sock) else 0
    check(mode == 0o600, "control socket is 0600 (got %o)" % mode)
    time.sleep(2.0)
    rc, out = ctl(station, env, "set", "loading-ceiling", "10")
    check(rc == 0 and out == "ok loading-ceiling=10.0", "ctl set loading-ceiling: " + out)
    rc, out = ctl(station, env, "get", "loading-ceiling")
    check(rc == 0 and out == "ok loading-ceiling=10.0", "ctl get shows the change: " + out)
    rc, out = ctl(station, env, "set", "band", "fast")
    check(rc != 0 and "not a number" in out, "malformed ctl refused: " + out)
    rc, out = ctl(station, env, "mark", "note", "e2e check")
    check(rc == 0, "ctl mark note: " + out)
    # early on the runner (preferred 160) is still below the 172 band
    rc, early = ctl(station, env, "get", "status")
    print("status early: " + early)
    fields = dict(kv.split("=", 1) for kv in early.split()[1:] if "=" in kv)
    if fields.get("cadence", "none") != "none":
        check(float(fields["cadence"]) < 172 * 0.975,
              "early cadence %s is below the band (runner starts at 160)" % fields["cadence"])
    # closed loop: by 25 s the runner has followed the metronome into the band
    while time.monotonic() - t0 < 26 and proc.poll() is None:
        time.sleep(0.2)
    rc, status = ctl(station, env, "get", "status")
    print("status: " + status)
    check(rc == 0 and "state=in" in status, "closed loop: cadence in band near the end")
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    print(stdout[-2000:])
    print(stderr[-2000:])
    check(proc.returncode == 0, "station run exits 0 (got %s)" % proc.returncode)
    check("set loading-ceiling=10.0 (ctl)" in stdout and "therapist: t=" in stdout,
          "the change is logged with its time")
    check(os.path.exists(png) and os.path.getsize(png) > 10000, "screenshot written")

    if not os.path.exists(wav_path):
        check(False, "the station wrote the WAV (is feedback_app wired into cmd_run?)")
        print("FAILED: %d" % len(failures))
        return 1
    rate, x = read_wav(wav_path)
    check(rate == RATE, "WAV at 48 kHz")
    dur = len(x) / RATE
    check(dur > 25, "WAV holds the session (%.1f s)" % dur)
    on = click_onsets(x)
    if len(on) > 10:
        iv = np.diff(on) / RATE
        # a click hidden under a cue would show as a double interval: drop
        # intervals that are not single (none expected)
        single = iv[np.abs(iv - np.median(iv)) < 0.5 * np.median(iv)]
        cad = 60.0 / np.mean(single)
        jitter_ms = 1000 * np.max(np.abs(single - np.mean(single)))
        print("clicks %d, cadence %.4f, jitter %.4f ms" % (len(on), cad, jitter_ms))
        check(abs(cad - TARGET) <= 0.1, "metronome cadence %.4f within 0.1 of %g" % (cad, TARGET))
        check(jitter_ms < 0.1, "inter-click jitter %.4f ms < 0.1 ms" % jitter_ms)
        check(len(single) >= len(iv) - 1, "no missing clicks (%d of %d)" % (len(single), len(iv)))
    else:
        check(False, "metronome clicks found in the WAV (%d)" % len(on))

    lat, n_hard, n_bad_onset = [], 0, 0
    lp = np.convolve(x, np.ones(48) / 48, mode="same")
    if os.path.exists(cue_log):
        for line in open(cue_log):
            f = line.strip().split(",")
            if len(f) != 10 or f[0] != "hard-landing":
                continue
            n_hard += 1
            t_ev_host, t_heard, frame = int(f[3]), int(f[8]), int(f[9])
            if t_ev_host > 0:
                lat.append((t_heard - t_ev_host) / 1e6)
            if 300 < frame < len(x) - 300:
                before = np.sqrt(np.mean(lp[frame - 240:frame - 48] ** 2))
                after = np.sqrt(np.mean(lp[frame + 48:frame + 240] ** 2))
                n_bad_onset += not (after > 2000 and after > 5 * before)
    check(n_hard >= 20, "hard-landing cues logged (%d)" % n_hard)
    if lat:
        lat = np.array(lat)
        print("loading event -> cue heard: p50 %.2f ms, p99 %.2f ms, max %.2f ms" %
              (np.percentile(lat, 50), np.percentile(lat, 99), lat.max()))
        check(lat.max() <= 20.0, "every loading cue within 20 ms of its step event")
        check(lat.min() >= 0.0, "no cue before its event")
    check(n_bad_onset == 0, "each logged cue starts at its WAV frame (%d off)" % n_bad_onset)
    print("FAILED: %d" % len(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
