#!/bin/bash
# gaitcue-sim command line: --help covers every flag, bad flags exit 2 with
# one sentence, --csv/--truth write the documented formats.
# Env (from gc_add_script_test): GC_BINARY_DIR.
set -u
SIM="$GC_BINARY_DIR/bin/gaitcue-sim"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# --help: exit 0, every flag documented.
"$SIM" --help >"$TMP/help" 2>&1 || fail "--help exit status"
for f in --pty --csv --profile --cadence --walk-cadence --intervals --mass --strike \
         --run-speed --walk-speed --stand --load --wobble --rate --seed --gain-error \
         --offset --noise --drift --serial --seconds --speed --truth --deck-info --help; do
    grep -q -- "$f" "$TMP/help" || fail "--help does not mention $f"
done

# Bad input: exit 2, exactly one line on stderr, nothing on stdout.
bad() {
    "$SIM" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ $rc -eq 2 ] || fail "'$*' exited $rc, want 2"
    [ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$*' printed $(wc -l <"$TMP/err") lines on stderr"
    [ -s "$TMP/out" ] && fail "'$*' printed on stdout"
}
bad
bad --bogus
bad --pty --csv "$TMP/x.csv" --seconds 1
bad --csv "$TMP/x.csv"
bad --csv "$TMP/x.csv" --seconds 1 --speed max
bad --pty --profile jog
bad --pty --strike mid
bad --pty --cadence abc
bad --pty --cadence 400
bad --pty --mass -3
bad --pty --rate 300
bad --pty --speed fast
bad --pty --load 20@x
bad --pty --profile static --load 20@0.1
bad --pty --load 20@0.1,0.2
bad --pty --profile static --wobble 5
bad --pty --intervals 60,240
bad --pty --serial 12345678901234567
bad --pty --seconds
bad --pty --seed -1
bad --pty stray

# --csv: header and comment lines, row count, fz_n = sum of the cells.
"$SIM" --csv "$TMP/run.csv" --truth "$TMP/truth.csv" --seconds 2 --seed 4 || fail "--csv run"
grep -qx '# rate_hz=1000' "$TMP/run.csv" || fail "rate_hz line"
grep -qx '# mass_kg=70' "$TMP/run.csv" || fail "mass_kg line"
grep -q '^# source=gaitcue-sim profile=run ' "$TMP/run.csv" || fail "source line"
hdr='t_s,fz1_n,fz2_n,fz3_n,fz4_n,fz_n,copx_m,copy_m,acc_x_g,acc_y_g,acc_z_g,gyro_x_dps,gyro_y_dps,gyro_z_dps'
[ "$(grep -v '^#' "$TMP/run.csv" | head -1)" = "$hdr" ] || fail "force CSV header"
rows=$(grep -v '^#' "$TMP/run.csv" | tail -n +2 | wc -l)
[ "$rows" -eq 2000 ] || fail "2 s at 1 kHz gave $rows rows"
grep -v '^#' "$TMP/run.csv" | tail -n +2 | awk -F, '
    { d = $2 + $3 + $4 + $5 - $6; if (d < 0) d = -d; if (d > 0.0005) bad++;
      if (NF != 14) nf++;
      if (NR > 1 && ($1 - prev < 0.00099 || $1 - prev > 0.00101)) dt++; prev = $1 }
    END { exit (bad + nf + dt) > 0 }' || fail "force CSV rows (sum, column count, time step)"
thdr='index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw'
head -1 "$TMP/truth.csv" | grep -q "^$thdr" || fail "truth header order"
# 2 s at 170 spm: 5 complete contacts (the first at 0.1 s).
n=$(tail -n +2 "$TMP/truth.csv" | wc -l)
[ "$n" -ge 4 ] && [ "$n" -le 6 ] || fail "truth has $n steps in 2 s"
# The first step has no previous one: flight/step/cadence fields empty.
tail -n +2 "$TMP/truth.csv" | head -1 | awk -F, '{ exit !($6 == "" && $7 == "" && $8 == "") }' \
    || fail "first truth step must leave flight/step/cadence empty"
# Forefoot: impact fields empty on every row.
"$SIM" --csv "$TMP/f.csv" --truth "$TMP/ft.csv" --seconds 2 --strike fore || fail "--csv fore"
tail -n +2 "$TMP/ft.csv" | awk -F, '{ if ($9 != "" || $10 != "" || $11 != "") b++ } END { exit b > 0 }' \
    || fail "forefoot truth must leave impact fields empty"

# Static load through the CSV path: 50 kg at (0.1, -0.2), no errors.
"$SIM" --csv "$TMP/s.csv" --seconds 0.5 --profile static --load 50@0.1,-0.2 \
    --gain-error 0 --offset 0 --noise 0 --drift 0 || fail "--csv static"
grep -v '^#' "$TMP/s.csv" | tail -1 | awk -F, '
    { d = $6 - 490.3325; if (d < 0) d = -d;
      ex = $7 - 0.1; if (ex < 0) ex = -ex; ey = $8 + 0.2; if (ey < 0) ey = -ey;
      exit !(d < 0.001 && ex < 0.001 && ey < 0.001) }' || fail "static load sum/COP"

# --deck-info: the drawn errors as JSON; they are what the CSV cells carry
# (static 50 kg at (0.1,-0.2), no noise/drift: fzN = F_N (1 + g_N) + o_N,
# to the 2.5e-4 N count quantisation).
bad --deck-info --pty
"$SIM" --deck-info --seed 42 >"$TMP/deck.json" || fail "--deck-info"
"$SIM" --csv "$TMP/g.csv" --seconds 0.1 --profile static --load 50@0.1,-0.2 --seed 42 \
    --noise 0 --drift 0 || fail "--csv static with errors"
python3 - "$TMP/deck.json" "$TMP/g.csv" <<'PY' || fail "--deck-info gains/offsets do not match the CSV"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["serial"] == "SIM-0000002A", d["serial"]
row = [l for l in open(sys.argv[2]) if not l.startswith("#")][-1].split(",")
F, x, y = 50 * 9.80665, 0.1, -0.2
a, b = (x + 0.3) / 0.6, (y + 0.7) / 1.4
ideal = [F * (1 - a) * b, F * a * b, F * (1 - a) * (1 - b), F * a * (1 - b)]
for i, c in enumerate(d["cells"]):
    assert abs(c["gain_err"]) <= 0.05
    want = ideal[i] * (1 + c["gain_err"]) + c["offset_n"]
    assert abs(float(row[1 + i]) - want) < 0.001, (i, row[1 + i], want)
PY

# Unwritable output: one sentence, non-zero.
"$SIM" --csv /nonexistent/dir/x.csv --seconds 1 2>"$TMP/err" && fail "unwritable --csv succeeded"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "unwritable --csv message"

if [ $fails -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "sim_cli: all checks passed"
