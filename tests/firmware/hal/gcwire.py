"""gcwire.py - independent Python implementation of the gaitcue wire protocol
and a QEMU launcher, for the firmware end-to-end tests.

Deliberately written from docs/protocol.md / packet.h rather than by wrapping
the C code, so the e2e tests cross-check the firmware's framing and layouts.

  COBS( type:u8 | payload | crc32:u32 LE ) 0x00, crc32 = zlib CRC-32 over type+payload
"""
import os
import re
import select
import struct
import subprocess
import termios
import time
import tty
import zlib

PKT_HELLO, PKT_SAMPLES, PKT_STATUS, PKT_CMD, PKT_ACK = 0x01, 0x02, 0x03, 0x10, 0x11
CMD_START, CMD_STOP, CMD_SET_RATE, CMD_IDENTIFY, CMD_PING, CMD_METRONOME = 1, 2, 3, 4, 5, 6
ACK_OK, ACK_BAD_ARG, ACK_BAD_STATE, ACK_UNSUPPORTED = 0, -1, -2, -3
FAULT_ADC_ABSENT, FAULT_ADC_CRC, FAULT_IMU_ABSENT = 1, 2, 4
FAULT_WATCHDOG, FAULT_HARDFAULT, FAULT_TX_OVERFLOW, FAULT_SAMPLE_LATE = 8, 16, 32, 64


def cobs_encode(data):
    out = bytearray()
    block = bytearray()
    for b in data:
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block = bytearray()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def cobs_decode(data):
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            raise ValueError("bad COBS")
        out += data[i + 1:i + code]
        i += code
        if code != 255 and i < len(data):
            out.append(0)
    return bytes(out)


def frame(ptype, payload):
    raw = bytes([ptype]) + payload
    raw += struct.pack("<I", zlib.crc32(raw))
    return cobs_encode(raw) + b"\x00"


def cmd_frame(cmd, token, arg=0, arg64=0):
    return frame(PKT_CMD, struct.pack("<BHIQ", cmd, token, arg, arg64))


def i24(b, off):
    v = b[off] | b[off + 1] << 8 | b[off + 2] << 16
    return v - (1 << 24) if v & 0x800000 else v


def parse(ptype, p):
    """Decode a payload into a dict; raises ValueError on a wrong length."""
    if ptype == PKT_HELLO:
        if len(p) != 59:
            raise ValueError("HELLO length")
        d = {"type": "hello", "proto": p[0], "fw": tuple(p[1:4]),
             "serial": p[4:20].split(b"\x00")[0].decode("ascii", "replace"),
             "rate_hz": struct.unpack_from("<H", p, 20)[0], "corner": tuple(p[22:26]),
             "cell_x_mm": struct.unpack_from("<4h", p, 26),
             "cell_y_mm": struct.unpack_from("<4h", p, 34)}
        d["n_per_count"], d["accel_g_per_lsb"], d["gyro_dps_per_lsb"] = \
            struct.unpack_from("<3f", p, 42)
        d["faults"] = struct.unpack_from("<I", p, 54)[0]
        d["streaming"] = bool(p[58])
        return d
    if ptype == PKT_SAMPLES:
        seq, t_first, rate, n = struct.unpack_from("<IQHB", p, 0)
        if len(p) != 15 + 24 * n:
            raise ValueError("SAMPLES length")
        samples = []
        for k in range(n):
            o = 15 + 24 * k
            cells = tuple(i24(p, o + 3 * c) for c in range(4))
            imu = struct.unpack_from("<6h", p, o + 12)
            samples.append((cells, imu))
        return {"type": "samples", "seq": seq, "t_first_us": t_first, "rate_hz": rate,
                "n": n, "s": samples}
    if ptype == PKT_STATUS:
        if len(p) != 25:
            raise ValueError("STATUS length")
        t, tot, drop, over, faults, reset = struct.unpack("<QIIIIB", p)
        return {"type": "status", "t_us": t, "samples_total": tot, "dropped": drop,
                "overruns": over, "faults": faults, "reset_reason": reset}
    if ptype == PKT_ACK:
        if len(p) != 20:
            raise ValueError("ACK length")
        cmd, token, status, t_dev, echo = struct.unpack("<BHbQQ", p)
        return {"type": "ack", "cmd": cmd, "token": token, "status": status,
                "t_device_us": t_dev, "echo": echo}
    return {"type": "unknown", "ptype": ptype}


class Decoder:
    """Byte-fed frame decoder; counts bad frames like the station's."""

    def __init__(self):
        self.buf = bytearray()
        self.frames_ok = 0
        self.frames_bad = 0
        self.crc_errors = 0

    def feed(self, data):
        out = []
        for b in data:
            if b != 0:
                self.buf.append(b)
                continue
            if not self.buf:
                continue
            raw = bytes(self.buf)
            self.buf.clear()
            try:
                dec = cobs_decode(raw)
            except ValueError:
                self.frames_bad += 1
                continue
            if len(dec) < 5:
                self.frames_bad += 1
                continue
            if zlib.crc32(dec[:-4]) != struct.unpack("<I", dec[-4:])[0]:
                self.frames_bad += 1
                self.crc_errors += 1
                continue
            try:
                out.append(parse(dec[0], dec[1:-4]))
                self.frames_ok += 1
            except (ValueError, struct.error):
                self.frames_bad += 1
        return out


def _die_with_parent():
    """In the child: get SIGTERM when the test process dies (e.g. killed by
    ctest's timeout), so no emulator outlives its test."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Qemu:
    """qemu-system-arm -M netduinoplus2 with USART1 on a fresh pty."""

    def __init__(self, elf, table=None, table_addr=0x20000000, extra=()):
        args = ["qemu-system-arm", "-M", "netduinoplus2", "-nographic", "-monitor", "none",
                "-serial", "pty", "-kernel", elf]
        if table:
            args += ["-device", f"loader,file={table},addr=0x{table_addr:08x},force-raw=on"]
        args += list(extra)
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        self.pty = None
        deadline = time.monotonic() + 20
        seen = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                line = self.proc.stdout.readline()
                if not line:
                    break
                seen += line
                m = re.search(rb"char device redirected to (/dev/pts/\d+)", line)
                if m:
                    self.pty = m.group(1).decode()
                    break
            elif self.proc.poll() is not None:
                break
        if self.pty is None:
            self.close()
            raise RuntimeError("QEMU did not report a pty: " + seen.decode(errors="replace"))

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Link:
    """Raw, non-blocking view of a pty with a frame decoder."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        attrs = termios.tcgetattr(self.fd)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        self.dec = Decoder()
        self.pending = []
        self.token = 100

    def close(self):
        os.close(self.fd)

    def send(self, data):
        os.write(self.fd, data)

    def poll(self, timeout):
        """Packets that arrive within timeout seconds (at least one read),
        after any left over from command()."""
        end = time.monotonic() + timeout
        got, self.pending = self.pending, []
        while True:
            left = max(0.0, end - time.monotonic())
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except BlockingIOError:
                    data = b""
                got += self.dec.feed(data)
            if time.monotonic() >= end:
                return got

    def command(self, cmd, arg=0, arg64=0, timeout=1.0, tries=5):
        """Send a command, return (ack, packets seen meanwhile).  Retries, as
        the station does, because a command byte can be lost on the link."""
        seen = []
        for _ in range(tries):
            self.token = (self.token + 1) & 0xFFFF
            self.send(cmd_frame(cmd, self.token, arg, arg64))
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                got = self.poll(0.05)
                for i, p in enumerate(got):
                    if p["type"] == "ack" and p["token"] == self.token:
                        self.pending = got[i + 1:] + self.pending
                        return p, seen
                    seen.append(p)
        return None, seen
