"""gclive.py - helpers for the acquisition end-to-end and fault tests.

Written from the protocol description (docs/protocol.md, firmware/proto/
frame.h, packet.h) and the recording format (docs/acquisition.md), not from
the C code, so the tests check the C implementation against the documents.
"""
import os
import pty
import re
import struct
import subprocess
import sys
import threading
import time
import zlib

PKT_HELLO, PKT_SAMPLES, PKT_STATUS, PKT_CMD, PKT_ACK = 0x01, 0x02, 0x03, 0x10, 0x11
PKT_RESENT = 0x04  # protocol 2: a SAMPLES block sent again on request
CMD_START, CMD_STOP, CMD_SET_RATE, CMD_IDENTIFY, CMD_PING = 1, 2, 3, 4, 5
REC_FRAME, REC_LINK, REC_TX, REC_INFO, REC_HELLO, REC_CAL, REC_END = 1, 2, 3, 16, 17, 18, 31
REC_MAGIC = b"GCREC\r\n\x1a"


def binary_dir():
    return os.environ["GC_BINARY_DIR"]


def station():
    return os.path.join(binary_dir(), "bin", "station")


def sim():
    return os.path.join(binary_dir(), "bin", "gaitcue-sim")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg)


# ---- wire protocol ----

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
    i, n = 0, len(data)
    while i < n:
        code = data[i]
        if code == 0 or i + code > n:
            return None
        out += data[i + 1:i + code]
        i += code
        if code != 255 and i < n:
            out.append(0)
    return bytes(out)


def frame(ptype, payload):
    raw = bytes([ptype]) + payload
    raw += struct.pack("<I", zlib.crc32(raw) & 0xFFFFFFFF)
    return cobs_encode(raw) + b"\x00"


def unframe(wire):
    """wire: bytes of one frame without the 0x00.  Returns (type, payload) or None."""
    raw = cobs_decode(wire)
    if raw is None or len(raw) < 5:
        return None
    body, crc = raw[:-4], struct.unpack("<I", raw[-4:])[0]
    if zlib.crc32(body) & 0xFFFFFFFF != crc:
        return None
    return body[0], body[1:]


def hello_payload(proto=2, serial=b"FAKE-0001", rate=1000, streaming=0):
    p = bytearray()
    p += bytes([proto, 0, 1, 0])
    p += serial.ljust(16, b"\x00")[:16]
    p += struct.pack("<H", rate)
    p += bytes([0, 1, 2, 3])
    p += struct.pack("<4h", -300, 300, -300, 300)
    p += struct.pack("<4h", 700, 700, -700, -700)
    p += struct.pack("<fff", 2.5e-4, 1.0 / 2048, 1.0 / 16.4)
    p += struct.pack("<I", 0)
    p += bytes([streaming])
    assert len(p) == 59
    return bytes(p)


def ack_payload(cmd, token, status=0, t_dev=0, echo=0):
    return struct.pack("<BHbQQ", cmd, token, status, t_dev, echo)


class FakeDevice:
    """A pretend sensor on a pty for bad-input tests.

    mode: 'mute' never answers; 'version:N' answers IDENTIFY with a HELLO of
    protocol version N; 'ok' answers like a (non-streaming) sensor."""

    def __init__(self, mode):
        self.mode = mode
        self.master, slave = pty.openpty()
        self.path = os.ttyname(slave)
        # raw mode on the slave so nothing is translated
        import tty
        tty.setraw(slave)
        os.close(slave)
        self.stop = False
        self.commands = []
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def run(self):
        buf = b""
        while not self.stop:
            try:
                import select
                r, _, _ = select.select([self.master], [], [], 0.05)
                if not r:
                    continue
                data = os.read(self.master, 4096)
            except OSError:
                time.sleep(0.02)
                continue
            buf += data
            while b"\x00" in buf:
                wire, buf = buf.split(b"\x00", 1)
                f = unframe(wire)
                if f is None or f[0] != PKT_CMD or len(f[1]) < 3:
                    continue
                cmd, token = f[1][0], struct.unpack("<H", f[1][1:3])[0]
                self.commands.append(cmd)
                if self.mode == "mute":
                    continue
                os.write(self.master, frame(PKT_ACK, ack_payload(cmd, token)))
                if cmd == CMD_IDENTIFY:
                    ver = 1
                    if self.mode.startswith("version:"):
                        ver = int(self.mode.split(":")[1])
                    os.write(self.master, frame(PKT_HELLO, hello_payload(proto=ver)))

    def close(self):
        self.stop = True
        self.th.join(1)
        os.close(self.master)


# ---- recording ----

def read_recording(path):
    """Returns (records, truncated) with records as dicts."""
    data = open(path, "rb").read()
    if data[:8] != REC_MAGIC:
        raise ValueError("not a recording")
    off = 16
    recs = []
    truncated = False
    while off < len(data):
        if off + 16 > len(data):
            truncated = True
            break
        kind, aux, ln, extra, t = struct.unpack("<BBHIq", data[off:off + 16])
        if kind not in (1, 2, 3, 16, 17, 18, 31) or off + 20 + ln > len(data):
            truncated = True
            break
        payload = data[off + 16:off + 16 + ln]
        crc = struct.unpack("<I", data[off + 16 + ln:off + 20 + ln])[0]
        if zlib.crc32(data[off:off + 16 + ln]) & 0xFFFFFFFF != crc:
            truncated = True
            break
        recs.append({"kind": kind, "aux": aux, "extra": extra, "t_ns": t, "payload": payload})
        off += 20 + ln
    return recs, truncated


def sample_seqs(recs):
    """Sequence numbers of the sample blocks in a recording, in order
    (SAMPLES and, since protocol 2, RESENT: a block that came again)."""
    return [struct.unpack("<I", r["payload"][:4])[0]
            for r in recs if r["kind"] == REC_FRAME and r["aux"] in (PKT_SAMPLES, PKT_RESENT)]


def resent_seqs(recs):
    """Sequence numbers of the blocks recorded as resent (protocol 2)."""
    return [struct.unpack("<I", r["payload"][:4])[0]
            for r in recs if r["kind"] == REC_FRAME and r["aux"] == PKT_RESENT]


# ---- station output ----

LINE_RE = re.compile(r"^t=\s*(\d+) s\s+cadence\s+(\S+)\s+spm \(spectral\s+(\S+)\s*\)")
SUMMARY_RE = re.compile(r"^summary: ")


def parse_summary(text):
    for line in text.splitlines():
        if line.startswith("summary: "):
            d = {}
            for key, pat in [("steps", r"steps (\d+)"), ("frames", r"frames (\d+)"),
                             ("crc", r"crc errors (\d+)"), ("bad", r"bad frames (\d+)"),
                             ("lost", r"lost blocks (\d+)"), ("gaps", r"gaps (\d+)"),
                             ("restarts", r"restarts (\d+)"), ("reconnects", r"reconnects (\d+)"),
                             ("silences", r"silences (\d+)"),
                             ("ring_drops", r"ring drops (\d+)"),
                             ("dev_dropped", r"device dropped (\d+)"),
                             ("seconds", r"summary: ([\d.]+) s")]:
                m = re.search(pat, line)
                if m:
                    d[key] = float(m.group(1)) if key == "seconds" else int(m.group(1))
            return d
    return None


def tick_lines(text):
    return [l for l in text.splitlines() if LINE_RE.match(l)]


def print_brief(text, file=None):
    """A station's output without most of its once-a-second lines (every
    30th is kept): CI shows the head and the tail of a long log, and a
    failing check printed after 300 tick lines would fall out of both."""
    ticks = 0
    for line in text.splitlines():
        if LINE_RE.match(line):
            ticks += 1
            if ticks % 30 != 1:
                continue
        print(line, file=file or sys.stdout)


def run(args, timeout, env=None, check_rc=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    t0 = time.monotonic()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                       env=e, text=True)
    dt = time.monotonic() - t0
    if check_rc is not None and p.returncode != check_rc:
        print_brief(p.stdout)
        print_brief(p.stderr, file=sys.stderr)
        fail("%s exited %d, expected %d" % (" ".join(args), p.returncode, check_rc))
    return p, dt


def start_sim(args, pty_timeout=5.0):
    """Start gaitcue-sim --pty ARGS; returns (proc, pty_path)."""
    p = subprocess.Popen([sim(), "--pty"] + args, stdout=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    while time.monotonic() - t0 < pty_timeout:
        line = p.stdout.readline()
        if line.startswith("pty: "):
            return p, line[5:].strip()
        if not line and p.poll() is not None:
            break
    p.kill()
    fail("gaitcue-sim did not print its pty")
