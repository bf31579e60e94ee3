#!/usr/bin/env bash
# bench_analyze.sh - analysis throughput: one hour of 1 kHz 4-cell + IMU data
# (gaitcue-sim, running, CSV with fz1..fz4, fz, COP and 6 IMU columns)
# through `station analyze`, through the gait pipeline alone (bench_gait:
# samples already in memory), and through the Python reference.
#
#   scripts/bench_analyze.sh [BIN_DIR]      (default: build/bin)
#   GC_BENCH_SECONDS=600 scripts/bench_analyze.sh   (shorter input)
#
# Prints wall and CPU time, x real time, peak RSS; asserts that the three
# agree on the steps, and (one-hour input only) that no figure falls past
# its regression bound below.  Figures, method and bounds: docs/analysis.md.
#
# Bounds (x real time from CPU time, user + sys, best of 3: CPU time is what
# a shared machine disturbs least):
#   station analyze on CSV  >= 6,500x.  The goal (DESIGN.md 7, 10,000x) is
#       NOT met on CSV input (text parsing; docs/analysis.md 7), so the bound
#       guards against regression: 80 % of the lowest figure (8,182x; range
#       8,182-9,730x over five runs) measured on the 2-core development VM
#       while other engineers were building.
#   gait pipeline alone     >= 10,000x, the DESIGN.md goal (met: 20,600-
#       34,500x measured in the same five runs).
#   peak RSS of analyze     <= 64 MB, the DESIGN.md goal.
# Python reference: printed, not bound (a test oracle, not the product).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/build/bin}
SECS=${GC_BENCH_SECONDS:-3600}
TIME=/usr/bin/time
BOUND_ANALYZE_X=6500   # station analyze, CSV, x real time (CPU)
BOUND_PIPELINE_X=10000 # gait pipeline alone, x real time (CPU)
BOUND_RSS_MB=64        # peak RSS of station analyze
[[ -x $TIME ]] || { echo "bench_analyze: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
PY=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c "import numpy, scipy.signal" 2>/dev/null; then
    PY=$p
    break
  fi
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gc_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "== input: $SECS s of 1 kHz data from gaitcue-sim"
"$BIN/gaitcue-sim" --csv "$TMP/in.csv" --seconds "$SECS" --seed 42 --profile run
BYTES=$(stat -c %s "$TMP/in.csv")
echo "   $(wc -l <"$TMP/in.csv") lines, $((BYTES / 1000000)) MB, columns: $(grep -m1 '^t_s' "$TMP/in.csv")"
cat "$TMP/in.csv" >/dev/null # page cache: time the analysis, not the disk

report() { # label, seconds of data, "wall user sys maxrss_kb"
  read -r wall user sys rss <<<"$3"
  awk -v l="$1" -v d="$2" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    cpu = u + s; if (w <= 0) w = 0.005; if (cpu <= 0) cpu = 0.005;
    printf "   %-26s wall %7.2f s (%7.0fx real time)  cpu %7.2f s (%7.0fx)  peak RSS %6.1f MB\n",
           l, w, d / w, cpu, d / cpu, r / 1024 }'
}

echo "== station analyze (CSV parse + pipeline + steps CSV + summary)"
best=""
for rep in 1 2 3; do
  $TIME -f "%e %U %S %M" -o "$TMP/t" "$BIN/station" analyze "$TMP/in.csv" \
    --steps "$TMP/steps.csv" --summary "$TMP/summary.json" --quiet
  line=$(cat "$TMP/t")
  if [[ -z $best ]] || awk -v a="$line" -v b="$best" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[2]+x[3]<y[2]+y[3])}'; then
    best=$line
  fi
done
report "station analyze (best of 3)" "$SECS" "$best"
STEPS=$(($(wc -l <"$TMP/steps.csv") - 1))
echo "   $STEPS steps"
read -r _ a_user a_sys a_rss <<<"$best"
ANALYZE_X=$(awk -v d="$SECS" -v u="$a_user" -v s="$a_sys" 'BEGIN { c = u + s; if (c <= 0) c = 0.005; printf "%.0f", d / c }')
ANALYZE_RSS_MB=$(awk -v r="$a_rss" 'BEGIN { printf "%.1f", r / 1024 }')

echo "== gait pipeline alone (in memory, blocks of 32 as live; best of 3)"
"$BIN/bench_gait" "$TMP/in.csv" | tee "$TMP/bench_gait.txt"
PSTEPS=$(awk '{for(i=1;i<NF;i++) if($i=="steps") print $(i+1)}' "$TMP/bench_gait.txt")

PIPELINE_X=$(awk '{for(i=1;i<NF;i++) if($i=="gait_x_realtime") print $(i+1)}' "$TMP/bench_gait.txt")

status=0
if [[ $PSTEPS != "$STEPS" ]]; then
  echo "FAIL: pipeline alone found $PSTEPS steps, station analyze $STEPS" >&2
  status=1
fi

bound() { # label, value, op (ge|le), limit, unit
  if awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { exit !(op == "ge" ? v >= l : v <= l) }'; then
    echo "   bound: $1 $2$5 ($([[ $3 == ge ]] && echo ">=" || echo "<=") $4$5): met"
  else
    echo "   bound: $1 $2$5 ($([[ $3 == ge ]] && echo ">=" || echo "<=") $4$5): NOT met"
    echo "FAIL: $1 $2$5 is past its bound $4$5 (scripts/bench_analyze.sh)" >&2
    status=1
  fi
}
echo "== bounds"
if ((SECS >= 3600)); then
  bound "station analyze (CSV), x real time (CPU)" "$ANALYZE_X" ge "$BOUND_ANALYZE_X" x
  bound "gait pipeline alone, x real time (CPU)" "$PIPELINE_X" ge "$BOUND_PIPELINE_X" x
  bound "station analyze peak RSS" "$ANALYZE_RSS_MB" le "$BOUND_RSS_MB" " MB"
else
  echo "   not judged: the bounds are for the one-hour input (GC_BENCH_SECONDS=$SECS)"
fi

if [[ -n $PY ]]; then
  echo "== Python reference (numpy + scipy, zero-phase)"
  $TIME -f "%e %U %S %M" -o "$TMP/t" "$PY" "$ROOT/tests/reference/reference.py" \
    "$TMP/in.csv" "$TMP/ref.csv"
  report "reference.py" "$SECS" "$(cat "$TMP/t")"
  "$PY" "$ROOT/tests/reference/steps_compare.py" "$TMP/steps.csv" "$TMP/ref.csv" >"$TMP/cmp.json"
  "$PY" - "$TMP/cmp.json" <<'PYEOF' || status=1
import json, sys
r = json.load(open(sys.argv[1]))
print("   agreement: steps %d / %d, F1 %.4f, median |IC diff| %.2f ms" %
      (r["det_steps"], r["ref_steps"], r["f1"], r["ic_err_median_ms"]))
if r["f1"] < 0.99:
    print("FAIL: analyze and reference disagree (F1 %.4f)" % r["f1"], file=sys.stderr)
    sys.exit(1)
PYEOF
else
  echo "== Python reference skipped: no python3 with numpy + scipy"
fi
exit $status
