#!/usr/bin/env python3
"""e2e: `station metronome --cadence SPM --minutes N --out FILE.wav` exactly
as --help shows it: the clicks in the WAV (onsets found by reading the
samples back, independent of the writer) are 172 per minute, every interval
within one sample of 44100 x 60 / 172, the cadence over the track 172.000
+/- 0.001 spm; the file is private (0600); bad inputs are refused with one
sentence and exit 2."""
import os
import stat
import struct
import subprocess
import sys
import tempfile
import wave

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from gcstation import STATION, check, failures  # noqa: E402


with tempfile.TemporaryDirectory(prefix="gc-metro-") as tmp:
    out = os.path.join(tmp, "practice-172.wav")
    p = subprocess.run([STATION, "metronome", "--cadence", "172", "--minutes", "2", "--out", out],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and "344 clicks" in p.stdout, f"written: {p.stdout.strip()}{p.stderr}")
    check(stat.S_IMODE(os.stat(out).st_mode) == 0o600, "the track is 0600")
    w = wave.open(out)
    rate, n = w.getframerate(), w.getnframes()
    check(w.getnchannels() == 1 and w.getsampwidth() == 2 and n == rate * 120,
          f"mono 16-bit, 2 min ({n} frames at {rate} Hz)")
    d = struct.unpack("<%dh" % n, w.readframes(n))
    # an onset: the first non-zero sample after at least 200 silent ones,
    # taken back one sample (a click's first sample is sin(0) = 0)
    onsets, quiet = [], 200
    for i in range(n):
        if d[i] == 0:
            quiet += 1
            continue
        if quiet >= 200:
            onsets.append(i - 1)
        quiet = 0
    period = rate * 60 / 172
    iv = [b - a for a, b in zip(onsets, onsets[1:])]
    check(len(onsets) == 344, f"344 clicks found ({len(onsets)})")
    check(iv and max(abs(x - period) for x in iv) <= 1.0,
          f"every interval within one sample of {period:.2f} ({min(iv)}..{max(iv)})")
    spm = 60 * rate * (len(onsets) - 1) / (onsets[-1] - onsets[0])
    check(abs(spm - 172) <= 0.001, f"cadence over the track {spm:.4f} spm")
    for args, words in ((["--cadence", "300", "--minutes", "1", "--out", out], "--cadence must be"),
                        (["--cadence", "172", "--minutes", "0", "--out", out], "--minutes must be"),
                        (["--cadence", "172", "--minutes", "1", "--out", out[:-4] + ".mp3"],
                         ".wav"),
                        (["--cadence", "172"], "give --cadence SPM, --minutes N and --out")):
        p = subprocess.run([STATION, "metronome", *args], capture_output=True, text=True)
        check(p.returncode == 2 and words in p.stderr and p.stderr.count("\n") == 1,
              f"{' '.join(args)} refused: {p.stderr.strip()}")
    p = subprocess.run([STATION, "metronome", "--cadence", "172", "--minutes", "1", "--out",
                        os.path.join(tmp, "nodir", "x.wav")], capture_output=True, text=True)
    check(p.returncode == 1 and "nodir" in p.stderr, f"missing folder refused: {p.stderr.strip()}")

print(f"{len(failures)} check(s) failed" if failures else "all checks passed")
sys.exit(1 if failures else 0)
