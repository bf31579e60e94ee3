#!/usr/bin/env python3
"""csv2table.py - canonical force CSV -> sample table for the emulated firmware.

The QEMU build of the sensor firmware has no ADC; it plays a table of raw
ADC counts that QEMU loads into SRAM (firmware/hal/qemu/table.h describes
the format; this script is its only writer).

Per-cell forces:
  * fz1_n..fz4_n given: used as they are (cell i = ADC channel i).
  * else fz_n with copx_m/copy_m: the load is spread over the four corner
    cells (x = +-0.30 m, y = +-0.70 m; channels front-left, front-right,
    rear-left, rear-right) with bilinear weights, which reproduce the COP
    exactly.  The COP is taken relative to its median during contact
    (fz > 50 N), because recordings give it in plate coordinates whose
    origin is not the deck centre; while airborne (fz <= 50 N) or where the
    COP is missing, the load is shared equally.
  * else fz_n alone: shared equally over the four cells.
Counts = force / n_per_count (nominal 2.5e-4 N/count, as in the HELLO),
rounded, clipped to 24 bit (the number clipped is reported).

Usage: csv2table.py INPUT.csv -o TABLE.bin [--loop] [--max-seconds S]
                    [--n-per-count X] [--fault-test]
Prints one line: samples, rate, seconds, flags, data CRC.

Plain Python 3 (no numpy), so it runs under whichever python3 is first on PATH.
"""
import argparse
import math
import statistics
import struct
import sys
import zlib

MAGIC = 0x42544347  # "GCTB"
VERSION = 1
HEADER_BYTES = 32
FLAG_LOOP = 1 << 0
FLAG_IMU = 1 << 1
FLAG_FAULT_TEST = 1 << 2
STRIDE_CELLS = 12
TABLE_REGION_BYTES = 104 * 1024  # table.h TABLE_REGION_BYTES (qemu.ld TABLE region)
CELL_MAX = (1 << 23) - 1
CELL_MIN = -(1 << 23)
HALF_WIDTH_M = 0.30
HALF_LENGTH_M = 0.70
CONTACT_N = 50.0  # above this the COP means something (DESIGN.md section 4)


def fail(msg):
    print(f"csv2table: {msg}", file=sys.stderr)
    sys.exit(1)


def read_csv(path):
    meta = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}; give a canonical force CSV.")
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        key, _, value = lines[i][1:].strip().partition("=")
        meta[key.strip()] = value.strip()
        i += 1
    if i >= len(lines):
        fail(f"{path} has no header row; expected t_s,fz_n,... (DESIGN.md section 5).")
    header = [h.strip() for h in lines[i].split(",")]
    rows = [ln for ln in lines[i + 1:] if ln.strip()]
    if not rows:
        fail(f"{path} has a header but no data rows.")
    data = []
    for r in rows:
        fields = r.split(",")
        if len(fields) != len(header):
            fail(f"{path}: rows do not all have {len(header)} fields like the header.")
        try:
            data.append([float(v) if v.strip() else math.nan for v in fields])
        except ValueError:
            fail(f"{path} has a non-numeric field; every data row must be numbers.")
    cols = {name: [row[j] for row in data] for j, name in enumerate(header)}
    return meta, cols


def sample_rate(meta, cols):
    if "rate_hz" in meta:
        rate = float(meta["rate_hz"])
    else:
        t = cols["t_s"]
        if len(t) < 2:
            fail("need at least two samples (or a '# rate_hz=' line) to know the rate.")
        rate = 1.0 / statistics.median(b - a for a, b in zip(t, t[1:]))
    if abs(rate - round(rate)) > 1e-6 * rate or round(rate) <= 0:
        fail(f"sample rate {rate} Hz is not a whole number; resample the CSV first.")
    return int(round(rate))


def clip(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


def cell_forces(cols):
    """Per-sample list of the four cell forces, N."""
    if all(f"fz{i}_n" in cols for i in range(1, 5)):
        return [list(r) for r in zip(*(cols[f"fz{i}_n"] for i in range(1, 5)))]
    if "fz_n" not in cols:
        fail("the CSV needs fz_n or fz1_n..fz4_n (DESIGN.md section 5).")
    fz = cols["fz_n"]
    n = len(fz)
    copx = cols.get("copx_m", [math.nan] * n)
    copy = cols.get("copy_m", [0.0] * n)
    contact = [fz[i] > CONTACT_N and math.isfinite(copx[i]) and math.isfinite(copy[i])
               for i in range(n)]
    x0 = y0 = 0.0
    if any(contact):
        x0 = statistics.median(copx[i] for i in range(n) if contact[i])
        y0 = statistics.median(copy[i] for i in range(n) if contact[i])
    out = []
    for i in range(n):
        x = clip(copx[i] - x0, -HALF_WIDTH_M, HALF_WIDTH_M) if contact[i] else 0.0
        y = clip(copy[i] - y0, -HALF_LENGTH_M, HALF_LENGTH_M) if contact[i] else 0.0
        wr = (x + HALF_WIDTH_M) / (2 * HALF_WIDTH_M)   # share on the right-hand cells
        wf = (y + HALF_LENGTH_M) / (2 * HALF_LENGTH_M)  # share on the front cells
        out.append([fz[i] * (1 - wr) * wf, fz[i] * wr * wf,
                    fz[i] * (1 - wr) * (1 - wf), fz[i] * wr * (1 - wf)])
    return out


def build(cells_n, rate, n_per_count, flags):
    raw = bytearray()
    clipped = 0
    for row in cells_n:
        for f in row:
            v = int(round(f / n_per_count))
            if v > CELL_MAX or v < CELL_MIN:
                clipped += 1
                v = clip(v, CELL_MIN, CELL_MAX)
            raw += (v & 0xFFFFFF).to_bytes(3, "little")
    data = bytes(raw)
    head = struct.pack("<IHHIIII", MAGIC, VERSION, HEADER_BYTES, rate, len(cells_n), flags,
                       STRIDE_CELLS)
    head += struct.pack("<I", zlib.crc32(data))
    head += struct.pack("<I", zlib.crc32(head))
    assert len(head) == HEADER_BYTES
    return head + data, clipped


def main():
    ap = argparse.ArgumentParser(
        description="Convert a canonical force CSV into the emulated firmware's sample table.")
    ap.add_argument("input", help="canonical force CSV (t_s, fz_n or fz1_n..fz4_n, copx_m, copy_m)")
    ap.add_argument("-o", "--output", required=True, help="table file to write")
    ap.add_argument("--loop", action="store_true", help="replay from the start at the end")
    ap.add_argument("--max-seconds", type=float, help="keep only the first S seconds")
    ap.add_argument("--n-per-count", type=float, default=2.5e-4,
                    help="load-cell scale, N per ADC count (default 2.5e-4, the HELLO's)")
    ap.add_argument("--fault-test", action="store_true",
                    help="test hook: the firmware faults 200 ms after START (table.h)")
    a = ap.parse_args()

    meta, cols = read_csv(a.input)
    if "t_s" not in cols:
        fail("the CSV needs a t_s column (DESIGN.md section 5).")
    rate = sample_rate(meta, cols)
    cells = cell_forces(cols)
    if a.max_seconds is not None:
        cells = cells[: max(1, int(round(a.max_seconds * rate)))]
    if not all(math.isfinite(f) for row in cells for f in row):
        fail("force columns contain empty or non-finite values; fill or cut them first.")
    limit = (TABLE_REGION_BYTES - HEADER_BYTES) // STRIDE_CELLS
    if len(cells) > limit:
        fail(f"{len(cells)} samples do not fit the emulated SRAM (at most {limit}); "
             f"use --max-seconds {limit / rate:.2f} or less.")
    flags = (FLAG_LOOP if a.loop else 0) | (FLAG_FAULT_TEST if a.fault_test else 0)
    blob, clipped = build(cells, rate, a.n_per_count, flags)
    try:
        with open(a.output, "wb") as f:
            f.write(blob)
    except OSError as e:
        fail(f"cannot write {a.output}: {e.strerror}.")
    crc = struct.unpack_from("<I", blob, 24)[0]
    print(f"table: {len(cells)} samples at {rate} Hz ({len(cells) / rate:.3f} s), "
          f"flags 0x{flags:x}, data crc {crc:08X}, {clipped} values clipped")


if __name__ == "__main__":
    main()
