#!/bin/bash
# analyze_cli.sh - `station analyze` from the user's side: help, usage
# errors, bad input (one clear sentence naming line/column, exit 1, no
# output written), and a good run (steps CSV header, summary JSON).
set -u
BIN="$GC_BINARY_DIR/bin"
DATA="$GC_TEST_DATA/real"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # check DESC CONDITION...
    local d="$1"; shift
    if "$@"; then echo "ok   $d"; else echo "FAIL $d"; fail=1; fi
}

"$BIN/station" analyze --help >"$T/help" 2>&1
check "--help exits 0" test $? -eq 0
check "--help names --steps, --summary, --mass" grep -q -- "--summary FILE" "$T/help"

"$BIN/station" analyze >"$T/o" 2>"$T/e"
check "no arguments: exit 2" test $? -eq 2
check "no arguments: says what to give" grep -q "give an INPUT file and --steps" "$T/e"
"$BIN/station" analyze x.csv --steps "$T/s.csv" --mass heavy 2>"$T/e"
check "bad --mass: exit 2" test $? -eq 2

"$BIN/station" analyze "$T/missing.csv" --steps "$T/s.csv" 2>"$T/e"
check "missing file: exit 1" test $? -eq 1
check "missing file: named" grep -q "missing.csv" "$T/e"

printf 't_s,fz_n\n0,10\n0.001,abc\n' >"$T/bad.csv"
"$BIN/station" analyze "$T/bad.csv" --steps "$T/bad_steps.csv" 2>"$T/e"
check "garbage: exit 1" test $? -eq 1
check "garbage: line and column named" grep -q "bad.csv:3: column 'fz_n'" "$T/e"
check "garbage: no steps file written" test ! -e "$T/bad_steps.csv"

# Force in body weights (the Alcantara source units), a whole file of it.
awk -F, 'BEGIN{OFS=","} /^#/ {next} NR>0 && $1=="t_s" {print "t_s,fz_n"; next}
         {printf "%s,%.4f\n", $1, $2/753.4}' "$DATA/alcantara2022_trial01.csv" >"$T/bw.csv"
"$BIN/station" analyze "$T/bw.csv" --steps "$T/bw_steps.csv" 2>"$T/e"
check "body-weight units: exit 1" test $? -eq 1
check "body-weight units: explained" grep -q "looks like body weights" "$T/e"
check "body-weight units: no steps file" test ! -e "$T/bw_steps.csv"

"$BIN/station" analyze "$DATA/fukuchi_rbds0041_t25.csv" --steps "$T/f.csv" \
    --summary "$T/f.json" --mass 76 >"$T/o" 2>"$T/e"
check "good run: exit 0" test $? -eq 0
check "good run: nothing on stderr (not a terminal: no progress bar)" test ! -s "$T/e"
check "good run: result line" grep -q "^78 steps in 30.0 s" "$T/o"
check "steps CSV header (DESIGN.md 5)" grep -q "^index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw" "$T/f.csv"
check "steps CSV: 78 rows" test "$(($(wc -l <"$T/f.csv") - 1))" -eq 78
check "steps CSV: first step has empty step_ms" grep -q "^0,L,[0-9.]*,[0-9.]*,[0-9.]*,,,," "$T/f.csv"
for key in '"steps":' '"per_step_median":' '"spectral":' '"contact_ms":' '"valr_bw_s":' \
           '"impact_share":' '"left":' '"right":' '"symmetry_index_pct":' '"source":	"--mass"'; do
    check "summary has $key" grep -q "$key" "$T/f.json"
done
check "summary: body weight from --mass (76 kg = 745.3 N)" grep -q '"n":	745.3' "$T/f.json"

# Standard input, quiet.
"$BIN/station" analyze - --steps "$T/stdin.csv" --quiet <"$DATA/alcantara2022_trial05.csv" >"$T/o"
check "stdin + --quiet: exit 0 and silent" test $? -eq 0 -a ! -s "$T/o"
check "stdin: steps written" test "$(wc -l <"$T/stdin.csv")" -gt 10
exit $fail
