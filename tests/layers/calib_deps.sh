#!/usr/bin/env bash
# calib_deps.sh - calib stands on the core and station_io only: neither its
# link closure (what CMake links it with) nor the built binary (ldd) may
# hold SDL2, ALSA, SQLite or cairo.  The station binary is the positive
# control: the same patterns must find those libraries there, so a check
# that cannot see them fails instead of passing.
#
#   calib_deps.sh CALIB STATION "CALIB_CLOSURE" "STATION_CLOSURE"
# The closures are ','-separated lists of targets and library files
# (tests/layers/CMakeLists.txt).
set -u
calib=$1 station=$2 calib_closure=$3 station_closure=$4
fail=0
libs='libSDL2|libasound|libsqlite3|libcairo'
closure_pat='SDL2|ALSA|asound|SQLITE3|sqlite3|CAIRO|cairo|station_edge|station_app'

for bin in "$calib" "$station"; do
    if ! ldd "$bin" >/dev/null 2>&1; then
        echo "FAIL: ldd $bin does not run"
        exit 1
    fi
done

# Positive control.
n=$(ldd "$station" | grep -Ec "$libs")
if [ "$n" -lt 4 ]; then
    echo "FAIL: ldd finds only $n of SDL2/ALSA/SQLite/cairo in station: the check is blind"
    fail=1
else
    echo "ok: ldd finds SDL2, ALSA, SQLite and cairo in station ($n libraries)"
fi
if ! tr ',' '\n' <<<"$station_closure" | grep -Eq "$closure_pat"; then
    echo "FAIL: station's link closure names none of them: the closure check is blind"
    fail=1
fi

# calib.
bad=$(ldd "$calib" | grep -E "$libs")
if [ -n "$bad" ]; then
    echo "FAIL: calib is linked with:"
    echo "$bad"
    fail=1
else
    echo "ok: ldd of calib: no SDL2, ALSA, SQLite or cairo"
fi
bad=$(tr ',' '\n' <<<"$calib_closure" | grep -E "$closure_pat")
if [ -n "$bad" ]; then
    echo "FAIL: calib's link closure holds:"
    echo "$bad"
    fail=1
else
    echo "ok: calib links $(tr ',' ' ' <<<"$calib_closure")"
fi
exit $fail
