#!/usr/bin/env python3
"""e2e: the web console without its token, and a flood of requests (issue 15).

Cases (argument):
  plain   `station run --sim --web-bind 127.0.0.1` as the help shows it (no
          other flag; --web-bind implies --web on the default port 8088,
          loopback because tests never listen on the network): it prints
          http://127.0.0.1:8088/?token=<32 hex>, the page needs the token,
          'station ctl stop' ends it with exit 0.
  auth    401 on every path without the right token (missing, empty, one
          character short or long, upper case, in a header instead of the
          URL, path tricks); hostile commands with the token refused with
          their sentence (too long 413, two lines 400, stop 403, syntax 400);
          then the pipeline under a flood: hard-landing cues (every step:
          loading ceiling 10 BW/s) timed from the cue log for 10 s quiet,
          then for 10 s while 8 client threads send a burst of 1,000
          requests without the token every second (half on new
          connections, half on kept-alive ones).  No request gets anything
          but 401/429 or a refused connection; no frame or block is lost;
          sample arrival -> cue written under the bursts: median within
          the quiet median + 1 ms and 90th percentile within the quiet
          one + 2 ms; every cue heard within 20 ms of its sample's arrival
          (DESIGN.md section 7).  Why p90 and not p99: ~27 cues per window
          make p99 the single largest sample, which one late timer wake of
          the audio thread decides with or without requests
          (bench_cue_latency); p99 and max are printed.  The margins: the
          quiet figures themselves move by up to ~1 ms between runs on this
          shared 2-core machine, and the bursts' Python client runs on the
          same two cores as the station, which a LAN attacker's does not.
"""
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import gcstation  # noqa: E402
from gcstation import STATION, check, ctl, env_for, start_web  # noqa: E402

WINDOW_S = 10  # quiet, then flooded: ~27 hard-landing cues each at 164 steps/min


def start(env, args, extra_env=None):
    e = dict(env)
    e.update(extra_env or {})
    return start_web(e, "run", "--sim", *args)


def stop(p, env):
    ctl(env, "stop")
    try:
        out, _ = p.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    return out


def request(host, port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection(host, port, timeout=10)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


def split_url(url):
    hostport, rest = url[len("http://"):].split("/", 1)
    host, port = hostport.rsplit(":", 1)
    return host, int(port), rest.split("token=", 1)[1]


def case_plain(tmp):
    env = env_for(tmp)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 8088))
        except OSError:
            check(False, "port 8088 is free on loopback (something else listens there)")
            return
    p, url, lines = start(env, ["--web-bind", "127.0.0.1"])
    check(url is not None and url.startswith("http://127.0.0.1:8088/?token="),
          f"prints the console's URL on the default port ({url})")
    if url:
        host, port, tok = split_url(url)
        check(len(tok) == 32 and all(c in "0123456789abcdef" for c in tok),
              "the token is 32 hex digits (128 random bits)")
        st, body = request(host, port, "GET", "/")
        check(st == 401, f"the page without the token: {st}")
        st, body = request(host, port, "GET", "/?token=" + tok)
        check(st == 200 and "app.js?token=" + tok in body, f"the page with the token: {st}")
    out = stop(p, env)
    check(p.returncode == 0, f"ctl stop ends it with exit 0 ({p.returncode})")
    check("summary: " in out, "the summary is printed")

    # the help tells the truth; wrong values are usage errors (exit 2, one sentence)
    h = subprocess.run([STATION, "run", "--help"], env=env, capture_output=True, text=True)
    check(h.returncode == 0 and "--web [ADDR:]PORT" in h.stdout and "--web-bind ADDR" in h.stdout,
          "station run --help describes --web and --web-bind")
    for args, words in [(["--web", "abc"], "must be a number from 0 to 65535"),
                        (["--web", "127.0.0.1:99999"], "must be a number from 0 to 65535"),
                        (["--web", "clinic.lan:8088"], "numeric IP address"),
                        (["--web-bind", "clinic.lan"], "numeric IP address"),
                        (["--web-bind"], "needs a value"),
                        (["--web", "--web"], "twice"),
                        (["--web", "127.0.0.1:0", "--web-bind", "10.0.0.1"], "give one address")]:
        r = subprocess.run([STATION, "run", "--sim", *args], env=env, capture_output=True,
                           text=True, timeout=20)
        err = r.stderr.strip()
        check(r.returncode == 2 and words in err and len(err.splitlines()) == 1,
              f"run {' '.join(args)}: exit {r.returncode}, '{err[:110]}'")
    # a port in use: said before any sensor is opened, nothing runs
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        busy = s.getsockname()[1]
        r = subprocess.run([STATION, "run", "--sim", "--headless", "--web", f"127.0.0.1:{busy}"],
                           env=env, capture_output=True, text=True, timeout=30)
    recs = os.path.join(env["XDG_DATA_HOME"], "gaitcue", "recordings")
    check(r.returncode == 1 and "cannot serve the web console on 127.0.0.1:%d" % busy in r.stderr
          and "sensor " not in r.stdout,
          f"a port in use is refused before the sensor is opened (exit {r.returncode}: "
          f"{r.stderr.strip()[-160:]})")
    n_recs = len(os.listdir(recs)) if os.path.isdir(recs) else 0
    check(n_recs == 1, f"no recording is left by the refused start ({n_recs} in the folder, "
                       f"the first session's)")


def cue_latencies(path, t0_ns, t1_ns):
    w, h = [], []
    for line in open(path):
        if line.startswith("#") or line.startswith("cue,"):
            continue
        f = line.strip().split(",")
        if len(f) < 10 or f[0] != "hard-landing":
            continue
        t_rx, t_write, t_heard = int(f[4]), int(f[7]), int(f[8])
        if t0_ns <= t_rx < t1_ns:
            w.append((t_write - t_rx) / 1e6)
            h.append((t_heard - t_rx) / 1e6)
    return w, h


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def flood(host, port, deadline, counts, lock):
    """Bursts of 1,000 requests without the token until the deadline."""
    paths = ["/", "/app.js", "/events", "/api/state", "/api/cmd", "/x", "/?token=0"]

    def fresh(n):
        for i in range(n):
            try:
                st, _ = request(host, port, "GET", paths[i % len(paths)])
                key = str(st)
            except (OSError, http.client.HTTPException):
                key = "refused"
            with lock:
                counts[key] = counts.get(key, 0) + 1

    def kept(n):
        c = None
        for i in range(n):
            try:
                if c is None:
                    c = http.client.HTTPConnection(host, port, timeout=10)
                c.request("GET", paths[i % len(paths)])
                r = c.getresponse()
                r.read()
                key = str(r.status)
            except (OSError, http.client.HTTPException):
                key = "refused"
                c = None
            with lock:
                counts[key] = counts.get(key, 0) + 1

    bursts = 0
    while time.monotonic() < deadline:
        t_burst = time.monotonic()
        ts = [threading.Thread(target=fresh if k < 4 else kept, args=(125,)) for k in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        bursts += 1
        # one burst of 1,000 a second (the burst, repeated so that
        # enough cues fall under it); a burst that takes longer is followed
        # at once by the next
        time.sleep(max(0.0, t_burst + 1.0 - time.monotonic()))
    return bursts


def case_auth(tmp):
    env = env_for(tmp)
    cues = os.path.join(tmp, "cues.csv")
    p, url, lines = start(env, ["--sim-cadence", "164", "--target-cadence", "164", "--headless",
                                "--audio-device", "null", "--no-record", "--web", "127.0.0.1:0"],
                          {"GAITCUE_CUE_LOG": cues})
    check(url is not None, f"the station prints the console's URL ({url})")
    if url is None:
        p.kill()
        print("".join(lines))
        return
    host, port, tok = split_url(url)

    bad_tokens = ["", tok[:-1], tok + "0", tok.upper(), "0" * 32]
    paths = ["/", "/index.html", "/app.js", "/style.css", "/events", "/api/state", "/api/cmd",
             "/nope", "/../../etc/passwd", "/%2e%2e/store", "//api/state"]
    got = []
    for path in paths:
        got.append((path, request(host, port, "GET", path)[0]))
        got.append((path + " POST", request(host, port, "POST", path, body="set mode off")[0]))
        for t in bad_tokens:
            got.append((path + "?token=" + t[:6],
                        request(host, port, "GET", path + "?token=" + t)[0]))
        got.append((path + " bearer", request(host, port, "GET", path,
                                              headers={"Authorization": "Bearer " + tok})[0]))
        time.sleep(0.6)  # stay under the rate limit: this part is about the token
    not401 = [g for g in got if g[1] != 401]
    check(not not401, f"401 on every path without the right token ({len(got)} requests; "
                      f"other: {not401[:5]})")
    rc, out = ctl(env, "get", "mode")
    check(out == "ok mode=continuous", f"no command got through ({out})")

    q = "?token=" + tok
    for what, body, want in [("too long", "mark note " + "x" * 600, 413),
                             ("two lines", "set mode off\nset mute on", 400),
                             ("stop", "stop", 403),
                             ("syntax", "set target-cadence", 400),
                             ("out of range", "set band 99", 422),
                             ("binary", "set mode \x00off", 400)]:
        st, body_out = request(host, port, "POST", "/api/cmd" + q, body=body)
        check(st == want and body_out.startswith("error "),
              f"hostile command ({what}): {st} {body_out.strip()[:90]}")
    st, body_out = request(host, port, "GET", "/api/state" + q)
    check(st == 200 and body_out.startswith("{\"t\":"), f"state with the token: {st}")

    rc, out = ctl(env, "set", "loading-ceiling", "10")
    check(rc == 0, f"every step a hard landing: {out}")
    time.sleep(1)
    t0 = time.monotonic_ns()
    time.sleep(WINDOW_S)
    t1 = time.monotonic_ns()
    counts, lock = {}, threading.Lock()
    bursts = flood(host, port, time.monotonic() + WINDOW_S, counts, lock)
    t2 = time.monotonic_ns()
    time.sleep(0.5)
    st, body_out = request(host, port, "GET", "/api/state" + q)
    check(st == 200, f"the console still answers its owner after the flood ({st})")
    out = stop(p, env)
    check(p.returncode == 0, f"exit 0 ({p.returncode})")

    total = sum(counts.values())
    check(total == bursts * 1000 and bursts >= WINDOW_S - 1,
          f"{bursts} bursts of 1,000 requests sent ({total})")
    check(set(counts) <= {"401", "429", "refused"},
          f"every flood request got 401, 429 or a refused connection ({counts})")
    summ = [l for l in out.splitlines() if l.startswith("summary: ")]
    check(summ and "lost blocks 0" in summ[0] and "ring drops 0" in summ[0],
          f"no data lost ({summ[0][-120:] if summ else out[-300:]})")
    qw, qh = cue_latencies(cues, t0, t1)
    fw, fh = cue_latencies(cues, t1, t2)
    for name, w, h in (("quiet", qw, qh), ("flood", fw, fh)):
        print(f"{name}: {len(w)} cues  arrival->written p50 {statistics.median(w) if w else 0:.2f} "
              f"p90 {pct(w, .90):.2f} p99 {pct(w, .99):.2f} max {max(w) if w else 0:.2f} ms  "
              f"arrival->heard p50 {statistics.median(h) if h else 0:.2f} p99 {pct(h, .99):.2f} "
              f"max {max(h) if h else 0:.2f} ms")
    check(len(qw) >= 20 and len(fw) >= 20, f"cues measured: quiet {len(qw)}, flood {len(fw)}")
    if qw and fw:
        check(statistics.median(fw) <= statistics.median(qw) + 1.0,
              f"arrival->written median under the bursts {statistics.median(fw):.2f} ms <= "
              f"quiet {statistics.median(qw):.2f} + 1 ms")
        check(pct(fw, .90) <= pct(qw, .90) + 2.0,
              f"arrival->written p90 under the bursts {pct(fw, .90):.2f} ms <= quiet "
              f"{pct(qw, .90):.2f} + 2 ms")
        check(max(fh) <= 20.0, f"every cue under the bursts heard <= 20 ms after its sample "
                               f"arrived (max {max(fh):.2f} ms)")


def main():
    gcstation.main({"plain": case_plain, "auth": case_auth}, "auth", "gc-webauth-")


if __name__ == "__main__":
    main()
