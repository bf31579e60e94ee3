/*
 * table.h - the sample table the emulated build plays instead of an ADC.
 *
 * QEMU's netduinoplus2 has no ADS131M04, so scripts/csv2table.py turns a
 * canonical force CSV into a table of raw ADC counts and QEMU places it in
 * SRAM with `-device loader,file=TABLE.bin,addr=0x20000000` (TABLE_ADDR;
 * the first TABLE_REGION_BYTES of SRAM are the table's, the rest is the
 * firmware's own RAM, see qemu.ld).  Little-endian, byte offsets:
 *
 *   0  u32 magic       TABLE_MAGIC ("GCTB")
 *   4  u16 version     TABLE_VERSION
 *   6  u16 header      TABLE_HEADER_BYTES
 *   8  u32 rate_hz     rate the table was sampled at (1..100000)
 *  12  u32 count       number of samples (>= 1)
 *  16  u32 flags       TABLE_FLAG_*
 *  20  u32 stride      bytes per sample: 12, or 24 with TABLE_FLAG_IMU
 *  24  u32 data_crc    CRC-32/ISO-HDLC (frame_crc32) of the count * stride data bytes
 *  28  u32 header_crc  CRC-32/ISO-HDLC of bytes 0..27
 *  32  samples: cell0..cell3 as signed 24-bit (3 bytes each, channel order
 *      of the HELLO: front-left, front-right, rear-left, rear-right), then
 *      with TABLE_FLAG_IMU ax ay az gx gy gz as signed 16-bit.
 *
 * Playback: sample k of a run (k = 0 at START) is the table read at time
 * k / rate_hz, linearly interpolated when the firmware rate differs from
 * the table rate (equal rates replay the table sample for sample).  At the
 * end, a table with TABLE_FLAG_LOOP wraps to its first sample; without it,
 * sampling pauses (no more samples, STATUS continues, STOP flushes the last
 * partial block).  Every START replays from the first sample.
 *
 * A missing or corrupt table (magic, sizes or CRCs wrong) is reported as
 * FAULT_ADC_ABSENT and START is refused; a table without IMU columns is
 * reported as FAULT_IMU_ABSENT and streams zero IMU channels.
 */
#ifndef GC_TABLE_H
#define GC_TABLE_H

#define TABLE_ADDR         0x20000000u
#define TABLE_REGION_BYTES (104u * 1024u) /* header + samples; qemu.ld TABLE */
#define TABLE_MAGIC        0x42544347u    /* bytes "GCTB" */
#define TABLE_VERSION      1u
#define TABLE_HEADER_BYTES 32u
#define TABLE_FLAG_LOOP    (1u << 0)
#define TABLE_FLAG_IMU     (1u << 1)
/* Test hook: 200 ms after a START, fault (undefined instruction) unless the
 * previous reset already was a fault.  Proves the fault record path. */
#define TABLE_FLAG_FAULT_TEST (1u << 2)
#define TABLE_STRIDE_CELLS    12u
#define TABLE_STRIDE_IMU      24u

#endif
