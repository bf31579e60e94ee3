#!/usr/bin/python3
"""e2e: the therapist's web console in a real browser (issue 15).

Cases (argument):
  browser  headless Chromium (Debian chromium + chromium-driver +
           python3-selenium, installed by scripts/deps) opens the URL the
           station prints, waits until #cadence shows the simulated
           runner's cadence (164 steps/min, metronome at 164) within 3 spm,
           sets 176 in #target-cadence and presses #apply-target; then
           'station ctl get target-cadence' says 176, the page shows it,
           a pain mark 3 is stored, a wrong value (999) is refused on the
           page with the socket's sentence, and the stored session holds the
           change as made "(web)".
  bench    sample arrival -> value on the page: for each state event whose
           newest gait event is new, the browser's wall clock at the SSE
           message minus the station's wall-clock arrival time of that
           event's serial frame (same machine, same clock).  p50/p99 over
           20 s printed; fails past p99 <= 100 ms (a person reading a
           tablet; the state is published when a new event reaches the
           policy's view, from the station's 5 ms poll, and every frame).
Skips (exit 77) only when chromium, chromedriver or selenium is absent.
GC_WEB_SCREENSHOT=PATH saves the page as PNG (docs/img/web-console.png).
Runs with Debian's /usr/bin/python3 (where python3-selenium installs).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import gcstation  # noqa: E402
from gcstation import check, ctl, env_for, run, start_web, wait_for  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
BENCH_S = 20  # ~160 new states: p99 is then not the single largest sample


def skip_without_browser():
    missing = [p for p in (CHROMIUM, DRIVER) if not os.access(p, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing:
        print("SKIP: no real browser here (missing: %s); scripts/deps installs chromium, "
              "chromium-driver and python3-selenium" % ", ".join(missing))
        sys.exit(77)


def start_station(env, *args):
    return start_web(env, "run", "--sim", "--sim-cadence", "164", "--headless", "--audio-device",
                     "null", "--web", "127.0.0.1:0", *args)


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1400", "--no-first-run", "--disable-extensions"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def finish(p, env):
    rc, out = ctl(env, "stop")
    try:
        rest, _ = p.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        p.kill()
        rest, _ = p.communicate()
    return rest


def case_browser(tmp):
    from selenium.webdriver.common.by import By
    env = env_for(tmp)
    rc, out, err = run(env, "patient", "add", "WEB-1")
    check(rc == 0, f"patient add ({(out + err).strip()})")
    p, url, lines = start_station(env, "--patient", "WEB-1", "--target-cadence", "164")
    check(url is not None and "?token=" in url, f"the station prints the console's URL ({url})")
    if url is None:
        p.kill()
        print("".join(lines))
        return
    drv = browser()
    try:
        drv.get(url)
        el = lambda i: drv.find_element(By.ID, i)  # noqa: E731
        c = wait_for(lambda: (lambda v: v if v is not None and abs(v - 164) <= 3 else None)(
            number(el("cadence").text)), 40)
        check(c is not None, f"#cadence shows the simulated runner's 164 within 3 spm ({c})")
        check(el("phase").text.lower() == "training", f"#phase says training ({el('phase').text})")
        check(el("in-band").text in ("IN BAND", "QUICKER", "SLOWER"),
              f"#in-band shows a band state ({el('in-band').text})")
        check(number(el("valr").text) is not None, f"#valr shows a value ({el('valr').text})")
        check("-" in el("band").text, f"#band shows the band ({el('band').text})")

        el("target-cadence").clear()
        el("target-cadence").send_keys("176")
        el("apply-target").click()
        reply = wait_for(lambda: el("reply").text or None, 10)
        check(reply is not None and reply.startswith("ok target-cadence=176.0"),
              f"the page shows the station's reply ({reply})")
        rc, out = ctl(env, "get", "target-cadence")
        check(rc == 0 and out.strip() == "ok target-cadence=176.0",
              f"station ctl get target-cadence says 176 ({out.strip()})")
        t = wait_for(lambda: number(el("target").text) == 176.0, 5)
        check(t, f"the page's target follows ({el('target').text})")

        el("target-cadence").clear()
        el("target-cadence").send_keys("999")
        el("apply-target").click()
        bad = wait_for(lambda: el("reply").text if el("reply").text.startswith("error") else None, 10)
        check(bad == "error target-cadence must be 60..240 steps/min",
              f"a wrong value is refused with the socket's sentence ({bad})")

        def enter(field, button, value):
            el(field).clear()
            el(field).send_keys(value)
            el(button).click()

        enter("volume", "apply-volume", "55")
        v = wait_for(lambda: el("reply").text if "volume" in el("reply").text else None, 10)
        rc, out = ctl(env, "get", "volume")
        check(v == "ok volume=55" and out.strip() == "ok volume=55",
              f"a sound setting from the page ({v}; ctl: {out.strip()})")

        enter("mark-pain", "apply-pain", "3")
        m = wait_for(lambda: el("reply").text if "marked pain" in el("reply").text else None, 10)
        check(m is not None, f"pain 3 is marked ({m})")
        ml = wait_for(lambda: el("markers").text if "mark pain 3 (web)" in el("markers").text
                      else None, 5)
        check(ml is not None, f"the page lists the marker ({el('markers').text!r})")

        # the treadmill's speed as entered on the tablet (issue 17's ctl set speed)
        enter("speed", "apply-speed", "3.1")
        sp = wait_for(lambda: el("reply").text if "speed" in el("reply").text else None, 10)
        rc, out = ctl(env, "get", "speed")
        check(sp == "ok speed=3.10 m/s" and out.strip() == "ok speed=3.10",
              f"the belt speed from the page ({sp}; ctl: {out.strip()})")
        shot = os.environ.get("GC_WEB_SCREENSHOT")
        if shot:
            drv.execute_script("window.scrollTo(0, 0)")  # the live figures, not the last button
            time.sleep(2)
            drv.save_screenshot(shot)
            drv.set_window_size(412, 915)  # a phone held at arm's length
            drv.execute_script("window.scrollTo(0, 0)")
            time.sleep(1)
            phone = shot[:-4] + "-phone.png" if shot.endswith(".png") else shot + "-phone"
            drv.save_screenshot(phone)
            print("screenshots:", shot, phone)
    finally:
        drv.quit()
    rest = finish(p, env)
    check(p.returncode == 0, f"the station exits 0 after ctl stop ({p.returncode})")
    check("set target-cadence=176.0 (web)" in rest, "the change is logged with source web")

    rpt = os.path.join(tmp, "r.json")
    rc, out, err = run(env, "report", "latest", "--json", rpt)
    check(rc == 0, f"report ({(out + err).strip()[-200:]})")
    js = json.load(open(rpt)) if rc == 0 else {}
    web = [c for c in js.get("target_changes", []) if "(web)" in c.get("note", "")]
    check(any("target-cadence=176.0" in c["note"] for c in web),
          f"the stored session holds the change made by web ({[c['note'] for c in web]})")
    marks = [m for m in js.get("markers", []) if m.get("kind") == "pain"]
    check(any(m.get("text") == "3" for m in marks), f"the pain mark is stored ({marks})")
    check(any("speed not entered -> 3.10 m/s (web)" in c["note"] for c in web),
          f"the speed change is stored as made by web ({[c['note'] for c in web]})")
    check(js.get("stopped_by") == "the PT (ctl)",
          f"the stored session says who stopped it ({js.get('stopped_by')})")
    # headless with the null sound device: the runner got no feedback, and the record says so
    check(js.get("feedback_delivery") ==
          "display: none (headless); sound: none (--audio-device null: cues discarded)",
          f"the stored session says how feedback reached the runner "
          f"({js.get('feedback_delivery')})")


def case_bench(tmp):
    env = env_for(tmp)
    p, url, lines = start_station(env, "--target-cadence", "164", "--no-record")
    check(url is not None, f"the station prints the console's URL ({url})")
    if url is None:
        p.kill()
        return
    drv = browser()
    try:
        drv.get(url)
        wait_for(lambda: drv.execute_script("return window.gcEvents") > 10, 20)
        drv.execute_script("window.gcLatencies = []")
        time.sleep(BENCH_S)
        lat = drv.execute_script("return window.gcLatencies")
        events = drv.execute_script("return window.gcEvents")
    finally:
        drv.quit()
    finish(p, env)
    check(len(lat) >= 40, f"{len(lat)} new states seen in {BENCH_S} s")
    if lat:
        lat.sort()
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
        print(f"sample arrival -> value on the page: n={len(lat)} p50={p50:.1f} ms "
              f"p99={p99:.1f} ms max={lat[-1]:.1f} ms min={lat[0]:.1f} ms "
              f"(SSE messages {events})")
        check(lat[0] > -5, f"no negative latency beyond clock resolution ({lat[0]:.1f} ms)")
        check(p99 <= 100, f"p99 {p99:.1f} ms <= 100 ms")


def main():
    skip_without_browser()
    gcstation.main({"browser": case_browser, "bench": case_bench}, "browser", "gc-web-")


if __name__ == "__main__":
    main()
