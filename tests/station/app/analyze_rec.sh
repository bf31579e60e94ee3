#!/bin/bash
# analyze_rec.sh - `station analyze` on raw session recordings, end to end:
# a simulated session run live with --record and --steps, then
#  * analyze REC: steps CSV byte-identical to the live one (and to replay),
#    summary step count == rows, the same summary fields as a CSV input;
#  * the kind is found by content (a recording named .csv still works);
#  * a copy cut mid-record: analysed up to the damage, one warning, rows a
#    prefix of the live ones; with a flipped bit: that record skipped, the
#    rest analysed, one warning;
#  * empty, garbage, UTF-16, missing, cut inside the file header, cut
#    inside the header records: one clear sentence, exit 1, no steps file.
set -u
BIN="$GC_BINARY_DIR/bin"
DATA="$GC_TEST_DATA/real"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # check DESC CONDITION...
    local d="$1"
    shift
    if "$@"; then echo "ok   $d"; else
        echo "FAIL $d"
        fail=1
    fi
}
# Keep the session's side files (store, control socket) out of the user's.
export HOME="$T/home" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config" XDG_RUNTIME_DIR="$T/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cd "$T" || exit 1

"$BIN/station" run --sim --sim-speed max --seconds 20 --headless --audio-device null \
    --record R.gcrec --steps LIVE.csv >run.out 2>run.err
rc=$?
check "live run exits 0 ($(tail -c 300 run.err))" test $rc -eq 0
rows=$(($(wc -l <LIVE.csv) - 1))
# 20 s of the simulated runner at ~170 steps/min: about 56 steps.
check "live steps CSV has 45..65 rows ($rows)" test "$rows" -ge 45 -a "$rows" -le 65

# ---- the recording, analysed
"$BIN/station" analyze R.gcrec --steps A.csv --summary S.json >a.out 2>a.err
check "analyze REC exits 0 ($(cat a.err))" test $? -eq 0
check "analyze REC: steps CSV byte-identical to the live one" cmp -s A.csv LIVE.csv
check "analyze REC: nothing on stderr for a complete recording" test ! -s a.err
check "analyze REC: the flags column follows active_peak_bw" \
    grep -q "^index,.*,active_peak_bw,flags,lr_fallback,walk,after_gap,threshold_n," A.csv
"$BIN/station" replay R.gcrec --speed max --steps REP.csv >/dev/null 2>&1
check "replay REC --steps gives the same file" cmp -s A.csv REP.csv

# The same summary fields as for a CSV input, and the numbers consistent.
"$BIN/station" analyze "$DATA/fukuchi_rbds0041_t25.csv" --steps C.csv --summary C.json \
    --quiet 2>c.err
check "analyze CSV exits 0" test $? -eq 0
python3 - S.json C.json "$rows" <<'PY' >py.out 2>&1
import json, sys
s, c, rows = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
def keys(o, p=""):
    out = set()
    for k, v in o.items():
        out.add(p + k)
        if isinstance(v, dict):
            out |= keys(v, p + k + ".")
    return out
bad = []
if keys(s) != keys(c):
    bad.append("fields differ: recording only %s, CSV only %s" %
               (sorted(keys(s) - keys(c)), sorted(keys(c) - keys(s))))
if s["steps"] != rows:
    bad.append("summary steps %s != %d rows" % (s["steps"], rows))
# 20 s of session: the last sample is 20 s after the first (one 10 ms block).
if not 19.9 <= s["duration_s"] <= 20.1:
    bad.append("duration_s %s" % s["duration_s"])
if s["rate_hz"] != 1000:
    bad.append("rate_hz %s" % s["rate_hz"])
# Estimated live from whole steps (no mass given): the simulated runner
# weighs 70 kg, i.e. 686.5 N; the estimate is within 3 % of it.
bw = s["body_weight"]
if not (bw["n"] and abs(bw["n"] - 686.5) <= 0.03 * 686.5) or "estimated" not in bw["source"]:
    bad.append("body_weight %s" % bw)
# Constant simulated cadence: the spectral estimate agrees with the
# per-step median within 3 steps/min (the bin spacing of the spectrum).
cad = s["cadence_spm"]
if not (cad["spectral"] and cad["per_step_median"] and abs(cad["agreement"]) <= 3.0):
    bad.append("cadence %s" % cad)
if s["gaps"] != 0:
    bad.append("gaps %s" % s["gaps"])
if "gaitcue recording: sim" not in s.get("source", ""):
    bad.append("source %r" % s.get("source"))
print("\n".join(bad) if bad else "summary ok: %d steps, bw %.1f N, cadence %s" %
      (s["steps"], bw["n"], cad))
sys.exit(1 if bad else 0)
PY
check "summary of the recording: $(tr '\n' ' ' <py.out)" test $? -eq 0

# ---- kind by content, not by name; --mass overrides
cp R.gcrec rec_named.csv
"$BIN/station" analyze rec_named.csv --steps N.csv --quiet 2>n.err
check "a recording named .csv is analysed as a recording" cmp -s N.csv LIVE.csv
"$BIN/station" analyze R.gcrec --steps M.csv --summary M.json --mass 80 --quiet 2>m.err
check "--mass on a recording: exits 0" test $? -eq 0
check "--mass on a recording: 80 kg = 784.5 N from --mass" \
    python3 -c 'import json,sys; b=json.load(open("M.json"))["body_weight"]; sys.exit(not (b["n"] == 784.5 and b["source"] == "--mass"))'

# ---- damaged copies: record boundaries from the format (docs/acquisition.md 7)
python3 - R.gcrec <<'PY' >cuts
import struct, sys
d = open(sys.argv[1], "rb").read()
off, bounds = 16, []
while off + 16 <= len(d):
    kind, aux, ln = struct.unpack_from("<BBH", d, off)
    bounds.append((off, kind, ln))
    off += 20 + ln
# Cut 60 % into the stream, 9 bytes into a SAMPLES frame record's head+payload.
frames = [b for b in bounds if b[1] == 1 and b[2] > 20]
mid = frames[len(frames) * 6 // 10]
# A bit flipped in the payload of a frame record 30 % in.
flip = frames[len(frames) * 3 // 10]
# The end of the first header record (INFO): HELLO/CAL are missing.
info_end = bounds[1][0]
print(mid[0] + 9, flip[0] + 16 + 5, info_end)
PY
read -r cut flip info_end <cuts
head -c "$cut" R.gcrec >cut.gcrec
"$BIN/station" analyze cut.gcrec --steps T.csv --summary TS.json >t.out 2>t.err
check "truncated: exits 0" test $? -eq 0
check "truncated: one warning naming the cut ($(cat t.err))" \
    test "$(grep -c 'warning: cut.gcrec ends with an incomplete or corrupt record at byte' t.err)" -eq 1 -a "$(wc -l <t.err)" -eq 1
trows=$(($(wc -l <T.csv) - 1))
# Cut at 60 % of the stream: about 0.6 * rows steps (+-15 %).
check "truncated: $trows steps, about 60 % of $rows" \
    test "$trows" -ge $((rows * 45 / 100)) -a "$trows" -le $((rows * 75 / 100))
# The steps before the cut are the live ones exactly; the last one may have
# been completed by the end-of-input flush instead of its toe-off.
head -n "$trows" LIVE.csv >live_prefix.csv
head -n "$trows" T.csv >t_prefix.csv
check "truncated: rows before the cut equal the live rows" cmp -s t_prefix.csv live_prefix.csv
check "truncated: summary step count == rows" \
    python3 -c "import json,sys; sys.exit(json.load(open('TS.json'))['steps'] != $trows)"

cp R.gcrec flip.gcrec
python3 -c "
import sys
f = open('flip.gcrec', 'r+b'); f.seek($flip); b = f.read(1); f.seek($flip); f.write(bytes([b[0] ^ 0x10]))"
"$BIN/station" analyze flip.gcrec --steps F.csv >/dev/null 2>f.err
check "flipped bit: exits 0 with the warning" grep -q "warning: flip.gcrec: 1 damaged records skipped" f.err
frows=$(($(wc -l <F.csv) - 1))
# The reader resyncs at the next record (issue 13): one frame lost, not the rest.
check "flipped bit at 30 %: analysed past it ($frows of $rows steps)" \
    test "$frows" -ge $((rows * 90 / 100)) -a "$frows" -le "$rows"

# ---- not analysable: one sentence, exit 1, no output
bad() { # bad NAME PATTERN
    "$BIN/station" analyze "$1" --steps "$1.steps.csv" >/dev/null 2>"$1.err"
    local rc=$?
    check "$1: exit 1 ($(cat "$1.err"))" test $rc -eq 1
    check "$1: says '$2'" grep -q "$2" "$1.err"
    check "$1: one line" test "$(wc -l <"$1.err")" -eq 1
    check "$1: no steps file" test ! -e "$1.steps.csv"
}
python3 -c "import random; random.seed(7); open('garbage.bin','wb').write(bytes(random.getrandbits(8) for _ in range(5000)))"
bad garbage.bin "neither a CSV nor a gaitcue recording"
: >empty.gcrec
bad empty.gcrec "is empty; expected a canonical force CSV"
head -c 10 R.gcrec >stub.gcrec
bad stub.gcrec "cut off inside its file header"
head -c "$info_end" R.gcrec >hdr.gcrec
bad hdr.gcrec "holds no sensor identity"
bad missing.gcrec "cannot open missing.gcrec"
printf '\xff\xfet\x00_\x00s\x00,\x00' >u16.csv
bad u16.csv "is UTF-16 text"

exit $fail
