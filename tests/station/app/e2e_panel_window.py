#!/usr/bin/env python3
"""e2e: `station run --panel-window` (issue 15): the therapist panel in its
own SDL window, so the runner's display is never covered.

Cases (argument):
  plain   `station run --sim --panel-window` as the help shows it, on SDL's
          dummy video driver (two windows, no screen needed): it runs, opens
          the panel's window without a warning, and 'station ctl stop'
          ends it with exit 0; with --headless it is a usage error (exit 2,
          one sentence).
  clinic  a clinic session with the console too: --patient, --web on
          loopback, --panel-window and a --screenshot of the runner's
          window at the end: the screenshot shows no panel (Tab would have
          drawn it over the runner's display; with the panel window the
          runner's picture equals a run without the panel), the session is
          stored.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import gcstation  # noqa: E402
from gcstation import STARTED, STATION, check, ctl, wait_session_time  # noqa: E402
from gcstation import env_for as _env_for  # noqa: E402



def env_for(tmp):
    return _env_for(tmp, video="dummy")  # an SDL window without a display


def wait_t(env, t_s, limit_s=60):
    return wait_session_time(env, t_s, limit_s) is not None


def run_until_stopped(env, args, t_s):
    p = subprocess.Popen([STATION, "run", "--sim", *args], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    STARTED.append(p)
    ran = wait_t(env, t_s)
    ctl(env, "stop")
    try:
        out, err = p.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return ran, p.returncode, out, err


def case_plain(tmp):
    env = env_for(tmp)
    ran, rc, out, err = run_until_stopped(env, ["--panel-window"], 4.0)
    check(ran, "the session runs with the panel's window")
    check(rc == 0, f"ctl stop ends it with exit 0 ({rc}; {err.strip()[-200:]})")
    check("panel" not in err, f"the panel's window opened without a warning ({err.strip()[-200:]})")
    r = subprocess.run([STATION, "run", "--sim", "--panel-window", "--headless"], env=env,
                       capture_output=True, text=True, timeout=20)
    check(r.returncode == 2 and r.stderr.strip() ==
          "station: --panel-window opens a window: leave out --headless.",
          f"--panel-window --headless: exit {r.returncode}, '{r.stderr.strip()}'")
    h = subprocess.run([STATION, "run", "--help"], env=env, capture_output=True, text=True)
    check("--panel-window" in h.stdout, "station run --help describes --panel-window")


def case_clinic(tmp):
    env = env_for(tmp)
    rc, out = subprocess.run([STATION, "patient", "add", "PW-1"], env=env, capture_output=True,
                             text=True).returncode, ""
    check(rc == 0, "patient add")
    shot = os.path.join(tmp, "runner.png")
    ran, rc, out, err = run_until_stopped(
        env, ["--patient", "PW-1", "--target-cadence", "170", "--audio-device", "null",
              "--quiet", "--web", "127.0.0.1:0",
              "--panel-window", "--screenshot", shot], 4.0)
    check(ran and rc == 0, f"the clinic session runs and ends with exit 0 ({rc}; "
                           f"{err.strip()[-200:]})")
    check("web console: http://127.0.0.1:" in out, "the console's URL is printed")
    check(os.path.exists(shot) and os.path.getsize(shot) > 10000, "the runner's screenshot")
    if os.path.exists(shot):
        # the overlay panel's amber edge is a 4 px column at x = 8.3 u =
        # 664..667 px, 7.15 u = 572 px tall at 1280 x 720; the runner's own
        # amber (the QUICKER triangle) ends left of it
        amber = count_colour(shot, 0xf5a623, column=666)
        check(amber < 50, f"no therapist panel over the runner's display ({amber} amber "
                          f"pixels in the panel edge's column; the panel would give ~570)")
    r = subprocess.run([STATION, "sessions", "--patient", "PW-1"], env=env,
                       capture_output=True, text=True)
    check(r.returncode == 0 and len(r.stdout.strip().splitlines()) >= 2,
          f"the session is stored ({r.stdout.strip()[-160:]})")


def count_colour(png, rgb, column):
    """Pixels of one exact colour in one column of a PNG (RGB/RGBA 8-bit)."""
    import struct
    import zlib
    data = open(png, "rb").read()
    pos, idat, w, h, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    count = 0
    want = ((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if tuple(line[column * bpp:column * bpp + 3]) == want:
            count += 1
    return count


def main():
    gcstation.main({"plain": case_plain, "clinic": case_clinic}, "plain", "gc-panel-")


if __name__ == "__main__":
    main()
