#!/usr/bin/env bash
# e2e_sessions.sh - clinic sessions through the station CLI.
#
#   cli   patient add/list/show, a simulated session filed with
#         'station sessions import', report PDF/CSV/JSON, progress PDF, and
#         the bad inputs (unknown patient, malformed protocol, unwritable
#         output, database from a newer gaitcue: clear message, exit 1,
#         database bytes unchanged).
#   run   patient add -> station run --sim --patient --protocol
#         cadence-retraining -> station report latest --pdf: needs the
#         session recorder wired into 'station run' (see docs/sessions.md).
#
# Env (from gc_add_script_test): GC_BINARY_DIR, GC_SOURCE_DIR.
set -euo pipefail
mode=${1:-cli}
bin=$GC_BINARY_DIR/bin
station=$bin/station
sim=$bin/gaitcue-sim
tmp=$(mktemp -d /tmp/gc-e2e-sess-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME=$tmp/xdg   # never touch the user's real database
db=$tmp/clinic.db
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_fail WHAT PATTERN CMD...: exit 1 and stderr matching PATTERN
expect_fail() {
  local what=$1 pat=$2; shift 2
  set +e
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  [[ $rc -eq 1 ]] || { cat "$tmp/err"; fail "$what: exit $rc, want 1"; }
  grep -q -- "$pat" "$tmp/err" || { cat "$tmp/err"; fail "$what: message lacks '$pat'"; }
  echo "ok: $what -> $(head -1 "$tmp/err")"
}

# The training row of the report equals the JSON figures (same rounding).
check_report() { # pdf json phase
  pdftotext -layout "$1" "$tmp/report.txt"
  python3 - "$tmp/report.txt" "$2" "$3" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
summary = json.load(open(sys.argv[2]))
phase = sys.argv[3]
ph = [p for p in summary["phases"] if p["name"] == phase][0]
row = [l for l in text.splitlines() if re.match(r"\s*" + re.escape(phase) + r"\s{2,}", l)]
assert row, "no row for phase %s" % phase
cells = row[0].split()
def fmt(v, d):
    return "-" if v is None else "%.*f" % (d, v)
want = [str(ph["steps"]), fmt(ph["cadence_spm"], 1), fmt(ph["contact_ms"], 0),
        fmt(ph["valr_bw_s"], 1), fmt(ph["vilr_bw_s"], 1)]
missing = [w for w in want if w not in cells]
assert not missing, "row %r lacks %r" % (row[0], missing)
assert ph["steps"] > 20, "too few steps in %s: %d" % (phase, ph["steps"])
print("ok: report row '%s' = JSON figures %s" % (phase, want))
PY
}

if [[ $mode == cli ]]; then
  [[ -x $sim ]] || fail "gaitcue-sim is not built ($sim)"
  $station patient add RUN-0001 --name "Test Runner" --birth-year 1990 --db "$db"
  [[ $(stat -c %a "$db") == 600 ]] || fail "database is not owner-only"
  $station patient list --db "$db" | grep -q "RUN-0001 *Test Runner *1990" || fail "patient list"
  # a birth year in the future is refused; a name with umlauts keeps the columns
  if $station patient add RUN-0002 --birth-year 2090 --db "$db" 2>"$tmp/by"; then
    fail "birth year 2090 accepted"
  fi
  grep -q "birth-year must be a year from 1900 to" "$tmp/by" || fail "birth year sentence"
  $station patient add RUN-0003 --name "Anna Läufer" --birth-year 1991 --db "$db" >/dev/null
  col1=$($station patient list --db "$db" | grep RUN-0001 | python3 -c "import sys; print(sys.stdin.read().index('1990'))")
  col3=$($station patient list --db "$db" | grep RUN-0003 | python3 -c "import sys; print(sys.stdin.read().index('1991'))")
  [[ $col1 == "$col3" ]] || fail "patient list columns differ with a UTF-8 name ($col1 vs $col3)"
  "$sim" --csv "$tmp/samples.csv" --truth "$tmp/truth.csv" --seconds 60 --rate 500 \
    --cadence 168 --seed 5 >/dev/null
  $station sessions import --patient RUN-0001 --steps "$tmp/truth.csv" \
    --protocol cadence-retraining --time-scale 20 --db "$db" | grep -q "^session 1:" \
    || fail "import"
  $station sessions --patient RUN-0001 --db "$db" | grep -q "cadence-retraining *complete" \
    || fail "sessions list"
  $station report latest --pdf "$tmp/r.pdf" --csv "$tmp/r.csv" --json "$tmp/r.json" --db "$db"
  check_report "$tmp/r.pdf" "$tmp/r.json" training
  check_report "$tmp/r.pdf" "$tmp/r.json" baseline
  # the exported steps CSV files again as a session with the same figures
  $station sessions import --patient RUN-0001 --steps "$tmp/r.csv" \
    --protocol cadence-retraining --time-scale 20 --db "$db" >/dev/null
  $station report latest --json "$tmp/r2.json" --db "$db" >/dev/null
  python3 - "$tmp/r.json" "$tmp/r2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for pa, pb in zip(a["phases"], b["phases"]):
    for k in ("steps", "cadence_spm", "contact_ms", "valr_bw_s", "vilr_bw_s", "in_band_pct"):
        assert pa[k] == pb[k], (pa["name"], k, pa[k], pb[k])
print("ok: CSV export re-imports to the same figures")
PY
  $station progress RUN-0001 --pdf "$tmp/p.pdf" --db "$db" >/dev/null
  pdftotext "$tmp/p.pdf" - | grep -q "Key figures session by session" || fail "progress report"

  expect_fail "unknown patient" "no patient 'NOBODY'" \
    $station report latest --patient NOBODY --pdf "$tmp/x.pdf" --db "$db"
  printf '[phase]\nkind = baseline\nduration = 3 min\n[phase]\nkind = trainig\n' >"$tmp/bad.ini"
  expect_fail "malformed protocol" "line 5: unknown kind 'trainig'" \
    $station sessions import --patient RUN-0001 --steps "$tmp/truth.csv" \
    --protocol "$tmp/bad.ini" --db "$db"
  expect_fail "unwritable output" "choose a writable path" \
    $station report latest --pdf /nonexistent-dir/r.pdf --db "$db"
  [[ ! -e /nonexistent-dir/r.pdf ]]
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=7'); c.commit(); c.close()" "$db"
  sum_before=$(sha256sum "$db" | cut -d' ' -f1)
  expect_fail "database from a newer gaitcue" "written by a newer gaitcue" \
    $station sessions --db "$db"
  expect_fail "database from a newer gaitcue (report)" "database was not changed" \
    $station report latest --pdf "$tmp/y.pdf" --db "$db"
  [[ $(sha256sum "$db" | cut -d' ' -f1) == "$sum_before" ]] || fail "newer database was modified"
  [[ ! -e $db-wal && ! -e $db-journal ]] || fail "SQLite side files created on a refused database"
  echo "e2e sessions (cli): all ok"
  exit 0
fi

# mode run: the full live path (station run stores the session)
$station patient add P-E2E --db "$db" >/dev/null
# the plan ran to its end (16:15 compressed 15x): complete
$station run --sim --patient P-E2E --protocol cadence-retraining --time-scale 15 \
  --sim-speed max --headless --quiet --no-record --audio-device null --db "$db"
$station sessions --patient P-E2E --db "$db" | tee "$tmp/list"
grep -q "cadence-retraining *complete" "$tmp/list" || fail "no complete session stored by station run"
# ended by --seconds before the plan's end: stopped, not complete
$station run --sim --patient P-E2E --protocol cadence-retraining --seconds 20 \
  --sim-speed max --headless --quiet --no-record --audio-device null --db "$db" | tee "$tmp/stop"
grep -q "stored: .* steps, stopped at 0:20 by --seconds, before the plan.s end" "$tmp/stop" || fail "early stop not stated"
$station sessions --patient P-E2E --db "$db" | tee "$tmp/list2"
grep -q "cadence-retraining *stopped" "$tmp/list2" || fail "early stop stored as complete"
$station report 1 --pdf "$tmp/run.pdf" --json "$tmp/run.json" --db "$db"
check_report "$tmp/run.pdf" "$tmp/run.json" baseline
# --no-record: the Gait page says there is no recording, and keeps the symmetry panel
pdftotext "$tmp/run.pdf" - | tr -s ' \n' ' ' >"$tmp/run.txt"
grep -q "stored without a raw recording" "$tmp/run.txt" || fail "Gait page: no-recording sentence"
grep -q "Left / right symmetry" "$tmp/run.txt" || fail "Gait page: no symmetry panel"
echo "e2e sessions (run): all ok"
