#!/usr/bin/env python3
"""Independent MCP/1 conformance checker.

Written from the wire specification (MCP-SPEC.md) alone, with the Python standard library only,
so that a misreading shared by the project's own encoder and decoder cannot hide here. It talks
to a running server over TCP and prints one line per check:

    PASS <name>
    FAIL <name>: <reason> [sent ...] [got ...]
    SKIP <name>: <why>
    INFO <name>: <what the server did where the spec leaves a choice>

and exits 1 if any check failed (2 on a usage error), else 0.

    python3 conformance/mcp_conformance.py --host 127.0.0.1 --port 19779 [--token T]
        [--token2 T2] [--handshake-timeout S] [--sigterm-pid PID]

--token      the server requires tokens: every HELLO carries this one, and the bad-AUTH checks run.
--token2     a second token the same server accepts (another owner): the resume-with-foreign-
             credentials check (PERMISSION_DENIED) runs.
--handshake-timeout  the server's handshake timeout in seconds (spec default 10).
--sigterm-pid  the server's process id: the last check sends it SIGTERM and expects GOAWAY with
             LAST_STREAM_ID (the server is gone afterwards).
"""

import argparse
import json
import os
import random
import signal
import socket
import struct
import sys
import time
import traceback

# ---------------------------------------------------------------------------------------------
# CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, table-driven.                 spec §2
# ---------------------------------------------------------------------------------------------


def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# Constants                                                                         spec §3-§9
# ---------------------------------------------------------------------------------------------

MAGIC = 0x4D43
VERSION = 1
HEADER = 18
TRAILER = 4

HELLO, WELCOME, PING, PONG, GOAWAY = 0x01, 0x02, 0x03, 0x04, 0x05
REQUEST, RESPONSE, ERROR, NOTIFY, CANCEL = 0x10, 0x11, 0x12, 0x13, 0x14
PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, NACK = 0x20, 0x21, 0x22, 0x23, 0x24, 0x25
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 0x28, 0x29, 0x2A, 0x2B

TYPE_NAMES = {
    HELLO: "HELLO", WELCOME: "WELCOME", PING: "PING", PONG: "PONG", GOAWAY: "GOAWAY",
    REQUEST: "REQUEST", RESPONSE: "RESPONSE", ERROR: "ERROR", NOTIFY: "NOTIFY", CANCEL: "CANCEL",
    PUBLISH: "PUBLISH", PUBACK: "PUBACK", PUBREC: "PUBREC", PUBREL: "PUBREL", PUBCOMP: "PUBCOMP",
    NACK: "NACK", SUBSCRIBE: "SUBSCRIBE", SUBACK: "SUBACK", UNSUBSCRIBE: "UNSUBSCRIBE",
    UNSUBACK: "UNSUBACK",
}

QOS_MASK, DUP, RETAIN = 0x03, 0x04, 0x08
ALLOWED_FLAGS = {PUBLISH: 0x0F, PUBREL: DUP}           # every other type: 0 (§2, §3)
STREAM_ZERO = {HELLO, WELCOME, PING, PONG, GOAWAY, NOTIFY}   # §4 "stream id" column
STREAM_NONZERO = {REQUEST, RESPONSE, CANCEL, PUBACK, PUBREC, PUBREL, PUBCOMP, NACK,
                  SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK}
HAS_OPCODE = {REQUEST, RESPONSE, ERROR, NOTIFY}          # §2 opcode: else 0

K_TOPIC, K_TRACEPARENT, K_TRACESTATE, K_TIMEOUT_MS = 0x01, 0x02, 0x03, 0x04
K_ERROR_CODE, K_ERROR_MESSAGE, K_MESSAGE_EXPIRY_S = 0x05, 0x06, 0x07
K_SUBSCRIPTION = 0x10
K_CLIENT_ID, K_KEEPALIVE_MS, K_MAX_FRAME, K_RECEIVE_WINDOW = 0x20, 0x21, 0x22, 0x23
K_CODECS, K_AUTH, K_SESSION_ID, K_SESSION_EXPIRY_S = 0x24, 0x25, 0x26, 0x27
K_SESSION_PRESENT, K_SERVER_NAME, K_LAST_STREAM_ID, K_MAX_CONCURRENT = 0x28, 0x29, 0x2A, 0x2B
K_NAMED = 0xFF

ERR = {
    0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "UNSUPPORTED_VERSION", 3: "FRAME_TOO_LARGE",
    4: "CHECKSUM_MISMATCH", 5: "UNAUTHENTICATED", 6: "PERMISSION_DENIED", 7: "NOT_FOUND",
    8: "DEADLINE_EXCEEDED", 9: "CANCELLED", 10: "OVERLOADED", 11: "INVALID_PAYLOAD",
    12: "INTERNAL", 13: "UNAVAILABLE", 14: "SESSION_NOT_FOUND", 15: "KEEPALIVE_TIMEOUT",
    16: "UNSUPPORTED_CODEC", 17: "TOPIC_INVALID", 18: "QUOTA_EXCEEDED", 19: "SESSION_TAKEN_OVER",
}
CODE = {v: k for k, v in ERR.items()}

OP_ECHO, OP_INFO = 0xFF01, 0xFF02

# §10 test vectors, verbatim.
VEC_PING = ("4d 43 01 03 00 00 00 00 00 00 00 00 00 00 00 00 00 08 00 00 00 00 00 00 00 2a 60 c3 25 bc")
VEC_REQUEST = ("4d 43 01 10 00 00 ff 01 00 00 00 01 00 07 00 00 00 02 04 00 04 00 00 03 e8 68 69 fd 11 fd eb")
VEC_PUBLISH = ("4d 43 01 20 01 01 00 00 00 00 00 07 00 0d 00 00 00 0a 01 00 0a 73 65 6e 73 6f 72 73 2f 74 31"
               " 7b 22 76 22 3a 32 31 2e 35 7d 0d 57 e8 62")
VEC_HELLO = ("4d 43 01 01 00 00 00 00 00 00 00 00 00 15 00 00 00 00 20 00 05 64 65 76 2d 31 21 00 04 00 00"
             " 75 30 24 00 03 01 03 00 e6 b1 75 5d")


def unhex(s):
    return bytes.fromhex(s.replace(" ", ""))


def hexs(data, limit=160):
    data = bytes(data)
    h = data[:limit].hex()
    return h + ("...(%d bytes)" % len(data) if len(data) > limit else "")


def err_name(code):
    if code is None:
        return "(no ERROR_CODE)"
    return "%s(%d)" % (ERR.get(code, "app" if code >= 0x8000 else "unknown"), code)


# ---------------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------------


def meta_bytes(entries):
    out = bytearray()
    for k, v in entries:
        out += struct.pack(">BH", k, len(v)) + v
    return bytes(out)


def encode(ftype, flags=0, codec=0, opcode=0, stream=0, meta=(), payload=b"", magic=MAGIC,
           version=VERSION, crc=None, meta_raw=None, m_len=None, p_len=None):
    """One frame (§2); the keyword overrides build deliberately broken ones."""
    mb = meta_raw if meta_raw is not None else meta_bytes(meta)
    m = len(mb) if m_len is None else m_len
    p = len(payload) if p_len is None else p_len
    head = struct.pack(">HBBBBHIHI", magic, version, ftype, flags, codec, opcode, stream, m, p)
    body = head + mb + payload
    return body + struct.pack(">I", crc32c(body) if crc is None else crc)


def u32(n):
    return struct.pack(">I", n)


def u16(n):
    return struct.pack(">H", n)


class Frame:
    def __init__(self, raw):
        self.raw = bytes(raw)
        (self.magic, self.version, self.type, self.flags, self.codec, self.opcode, self.stream,
         self.m, self.p) = struct.unpack(">HBBBBHIHI", raw[:HEADER])
        self.meta_raw = raw[HEADER:HEADER + self.m]
        self.payload = bytes(raw[HEADER + self.m:HEADER + self.m + self.p])
        self.crc = struct.unpack(">I", raw[-4:])[0]
        self.meta = None

    @property
    def name(self):
        return TYPE_NAMES.get(self.type, "0x%02x" % self.type)

    @property
    def qos(self):
        return self.flags & QOS_MASK

    def get(self, key):
        for k, v in self.meta:
            if k == key:
                return v
        return None

    def all(self, key):
        return [v for k, v in self.meta if k == key]

    def u(self, key):
        v = self.get(key)
        if v is None:
            return None
        return int.from_bytes(v, "big")

    @property
    def code(self):
        return self.u(K_ERROR_CODE)

    @property
    def message(self):
        v = self.get(K_ERROR_MESSAGE)
        return v.decode("utf-8", "replace") if v is not None else None

    def __repr__(self):
        s = "%s stream=%d flags=0x%02x codec=%d opcode=0x%04x P=%d" % (
            self.name, self.stream, self.flags, self.codec, self.opcode, self.p)
        if self.type in (ERROR, GOAWAY, NACK):
            s += " code=%s msg=%r" % (err_name(self.code), self.message)
        return s


def parse_meta(mb):
    """TLV entries filling exactly M bytes (§5); raises ValueError otherwise."""
    out, i = [], 0
    while i < len(mb):
        if i + 3 > len(mb):
            raise ValueError("metadata entry header runs past M at offset %d" % i)
        k, n = struct.unpack(">BH", mb[i:i + 3])
        if i + 3 + n > len(mb):
            raise ValueError("metadata key 0x%02x value runs past M" % k)
        out.append((k, bytes(mb[i + 3:i + 3 + n])))
        i += 3 + n
    return out


# ---------------------------------------------------------------------------------------------
# Check plumbing
# ---------------------------------------------------------------------------------------------


class Fail(Exception):
    def __init__(self, reason, frame=None, sent=None):
        super().__init__(reason)
        self.reason = reason
        self.frame = frame
        self.sent = sent


class Skip(Exception):
    pass


class Closed(Exception):
    pass


class TimedOut(Exception):
    pass


def require(cond, reason, frame=None, sent=None):
    if not cond:
        raise Fail(reason, frame, sent)


class Conn:
    """One TCP connection with a frame reader that validates everything the server sends."""

    def __init__(self, ctx, name="conn"):
        self.ctx = ctx
        self.name = name
        self.sock = socket.create_connection((ctx.host, ctx.port), timeout=ctx.io_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.client_max_frame = None       # what our HELLO announced
        self.welcome = None
        self.auto_pong = True
        self.pings = []                    # server PINGs seen
        self.closed = False
        self.last_sent = b""
        self.pending = []                  # frames read ahead while waiting for another one
        self.client_id = None
        ctx.conns.append(self)

    # -- sending
    def send(self, data):
        self.last_sent = data
        self.sock.sendall(data)

    def frame(self, ftype, **kw):
        self.send(encode(ftype, **kw))

    # -- receiving
    def _fill(self, n, deadline):
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimedOut()
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimedOut()
            except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
                self.closed = True
                raise Closed("connection reset")
            if not chunk:
                self.closed = True
                if self.buf:
                    raise Fail("server closed the connection in the middle of a frame", sent=None,
                               frame=None) from None
                raise Closed("EOF")
            self.buf += chunk

    def recv_any(self, timeout=None):
        """The next frame, PINGs included (validated); raises TimedOut or Closed."""
        deadline = time.monotonic() + (self.ctx.io_timeout if timeout is None else timeout)
        self._fill(HEADER, deadline)
        m, p = struct.unpack(">HI", self.buf[12:18])
        size = HEADER + m + p + TRAILER
        limit = self.client_max_frame if self.client_max_frame is not None else 4 * 1024 * 1024
        if size > limit:
            raise Fail("server sent a %d-byte frame, over the MAX_FRAME %d we announced (§2, §5)"
                       % (size, limit), sent=None, frame=None)
        self._fill(size, deadline)
        raw = bytes(self.buf[:size])
        del self.buf[:size]
        f = Frame(raw)
        validate_server_frame(f)
        return f

    def recv(self, timeout=None):
        """The next frame other than a server PING (answered with PONG when auto_pong)."""
        if self.pending:
            return self.pending.pop(0)
        deadline = time.monotonic() + (self.ctx.io_timeout if timeout is None else timeout)
        while True:
            f = self.recv_any(max(0.0, deadline - time.monotonic()))
            if f.type == PING:
                self.pings.append(f)
                if self.auto_pong:
                    self.frame(PONG, payload=f.payload)
                continue
            return f

    def recv_type(self, ftype, timeout=None, what=None):
        f = self.expect(timeout)
        require(f.type == ftype, "expected %s%s, got %r" % (
            TYPE_NAMES[ftype], " (" + what + ")" if what else "", f), f, self.last_sent)
        return f

    def expect(self, timeout=None, what="a frame"):
        try:
            return self.recv(timeout)
        except TimedOut:
            raise Fail("timed out waiting for %s" % what, sent=self.last_sent)
        except Closed as e:
            raise Fail("connection closed (%s) while waiting for %s" % (e, what), sent=self.last_sent)

    def nothing_for(self, seconds, what="frames"):
        """Asserts that no frame (other than PING) arrives within `seconds`."""
        try:
            f = self.recv(seconds)
        except TimedOut:
            return
        except Closed as e:
            raise Fail("connection closed (%s) while expecting silence" % e)
        raise Fail("unexpected %r (expected no %s)" % (f, what), f)

    def expect_closed(self, timeout=5.0):
        """EOF (or reset) within `timeout`, with no frame before it."""
        try:
            f = self.recv(timeout)
        except Closed:
            return
        except TimedOut:
            raise Fail("server did not close the connection within %.1f s" % timeout)
        raise Fail("expected the connection to close, got %r" % f, f)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True

    # -- protocol helpers
    def hello(self, client_id=None, keepalive=30000, max_frame=16 * 1024 * 1024, receive_window=None,
              codecs=(0, 1, 2, 3), session_id=None, expiry=None, auth="default", extra=(), expect=True):
        self.client_id = client_id or self.ctx.uniq("c")
        meta = [(K_CLIENT_ID, self.client_id.encode())]
        if keepalive is not None:
            meta.append((K_KEEPALIVE_MS, u32(keepalive)))
        if max_frame is not None:
            meta.append((K_MAX_FRAME, u32(max_frame)))
            self.client_max_frame = max_frame
        if receive_window is not None:
            meta.append((K_RECEIVE_WINDOW, u16(receive_window)))
        if codecs is not None:
            meta.append((K_CODECS, bytes(codecs)))
        if auth == "default":
            auth = self.ctx.token
        if auth is not None:
            meta.append((K_AUTH, auth.encode() if isinstance(auth, str) else auth))
        if session_id is not None:
            meta.append((K_SESSION_ID, session_id))
        if expiry is not None:
            meta.append((K_SESSION_EXPIRY_S, u32(expiry)))
        meta.extend(extra)
        self.frame(HELLO, meta=meta)
        if not expect:
            return None
        w = self.recv_type(WELCOME, what="WELCOME for our HELLO")
        self.welcome = w
        return w

    def request(self, stream, opcode=OP_ECHO, payload=b"", codec=0, meta=()):
        self.frame(REQUEST, stream=stream, opcode=opcode, payload=payload, codec=codec, meta=meta)

    def echo(self, stream, payload=b"x", timeout=None):
        self.request(stream, OP_ECHO, payload)
        f = self.recv_type(RESPONSE, timeout, "ECHO answer")
        require(f.stream == stream and f.payload == payload,
                "ECHO answer on stream %d with %r, expected stream %d with %r"
                % (f.stream, f.payload, stream, payload), f)
        return f

    def subscribe(self, stream, *subs, extra_meta=()):
        """subs: (filter, max_qos); returns the SUBACK payload (granted bytes)."""
        meta = [(K_SUBSCRIPTION, bytes([q]) + flt.encode()) for flt, q in subs]
        self.frame(SUBSCRIBE, stream=stream, meta=meta + list(extra_meta))
        f = self.recv_type(SUBACK, what="SUBACK")
        require(f.stream == stream, "SUBACK on stream %d, expected %d" % (f.stream, stream), f)
        require(len(f.payload) == len(subs), "SUBACK has %d bytes for %d filters"
                % (len(f.payload), len(subs)), f)
        return f.payload

    def publish(self, topic, payload, qos=0, packet_id=0, codec=0, retain=False, dup=False,
                complete=True):
        flags = qos | (RETAIN if retain else 0) | (DUP if dup else 0)
        topic_b = topic.encode() if isinstance(topic, str) else topic
        self.frame(PUBLISH, flags=flags, codec=codec, stream=packet_id,
                   meta=[(K_TOPIC, topic_b)], payload=payload)
        if not complete or qos == 0:
            return None
        if qos == 1:
            f = self.recv_type(PUBACK, what="PUBACK")
            require(f.stream == packet_id, "PUBACK for %d, expected %d" % (f.stream, packet_id), f)
            return f
        f = self.recv_type(PUBREC, what="PUBREC")
        require(f.stream == packet_id, "PUBREC for %d, expected %d" % (f.stream, packet_id), f)
        self.frame(PUBREL, stream=packet_id)
        f = self.recv_type(PUBCOMP, what="PUBCOMP")
        require(f.stream == packet_id, "PUBCOMP for %d, expected %d" % (f.stream, packet_id), f)
        return f

    def delivery(self, timeout=None, ack=True):
        """The next PUBLISH from the server; acknowledged (PUBACK / PUBREC-PUBREL-PUBCOMP)."""
        f = self.recv_type(PUBLISH, timeout, "a delivery")
        if ack:
            self.ack(f)
        return f

    def ack(self, f):
        if f.qos == 1:
            self.frame(PUBACK, stream=f.stream)
        elif f.qos == 2:
            self.frame(PUBREC, stream=f.stream)
            stash = []
            while True:       # other frames may already be on their way: keep them for later
                r = self.expect(what="PUBREL for packet %d" % f.stream)
                if r.type == PUBREL and r.stream == f.stream:
                    break
                require(r.type != PUBREL, "PUBREL for %d, expected %d" % (r.stream, f.stream), r)
                stash.append(r)
            self.pending = stash + self.pending
            self.frame(PUBCOMP, stream=f.stream)


def validate_server_frame(f):
    """Every frame the server sends must itself be valid MCP/1 (§2-§5)."""
    def bad(reason):
        raise Fail("server sent an invalid frame: " + reason, f)

    if f.magic != MAGIC:
        bad("magic 0x%04x" % f.magic)
    if f.version != VERSION:
        bad("version %d" % f.version)
    if f.crc != crc32c(f.raw[:-4]):
        bad("CRC-32C 0x%08x, computed 0x%08x" % (f.crc, crc32c(f.raw[:-4])))
    if f.type not in TYPE_NAMES:
        bad("unknown type 0x%02x" % f.type)
    if f.flags & ~ALLOWED_FLAGS.get(f.type, 0):
        bad("flags 0x%02x not defined for %s (§3: MUST be 0)" % (f.flags, f.name))
    if f.type == PUBLISH:
        if f.qos == 3:
            bad("PUBLISH with QoS 3")
        if (f.stream == 0) != (f.qos == 0):
            bad("PUBLISH QoS %d with packet id %d (§4: 0 exactly for QoS 0)" % (f.qos, f.stream))
    try:
        f.meta = parse_meta(f.meta_raw)
    except ValueError as e:
        bad(str(e))
    if f.p == 0 and f.codec != 0:
        bad("codec %d with no payload (§2: 0 when there is no payload)" % f.codec)
    if f.type not in HAS_OPCODE and f.opcode != 0:
        bad("opcode 0x%04x on %s (§2: else 0)" % (f.opcode, f.name))
    if f.type in STREAM_ZERO and f.stream != 0:
        bad("%s on stream %d (§4: stream 0)" % (f.name, f.stream))
    if f.type in STREAM_NONZERO and f.stream == 0:
        bad("%s on stream 0" % f.name)
    seen = set()
    for k, v in f.meta:
        repeatable = k in (K_SUBSCRIPTION, K_NAMED) or (k == K_TOPIC and f.type == UNSUBSCRIBE)
        if k in seen and not repeatable:
            bad("metadata key 0x%02x repeated (§5)" % k)
        seen.add(k)
        if k == K_ERROR_CODE and len(v) != 2:
            bad("ERROR_CODE of %d bytes (u16)" % len(v))
        if k in (K_KEEPALIVE_MS, K_MAX_FRAME, K_SESSION_EXPIRY_S, K_LAST_STREAM_ID, K_MAX_CONCURRENT,
                 K_TIMEOUT_MS, K_MESSAGE_EXPIRY_S) and len(v) != 4:
            bad("metadata key 0x%02x of %d bytes (u32)" % (k, len(v)))
        if k == K_RECEIVE_WINDOW and len(v) != 2:
            bad("RECEIVE_WINDOW of %d bytes (u16)" % len(v))
        if k in (K_TOPIC, K_ERROR_MESSAGE, K_SERVER_NAME):
            try:
                v.decode("utf-8")
            except UnicodeDecodeError:
                bad("metadata key 0x%02x is not UTF-8" % k)
    if f.type in (ERROR, GOAWAY, NACK) and f.get(K_ERROR_CODE) is None:
        bad("%s without ERROR_CODE (§4/§5)" % f.name)


class Ctx:
    def __init__(self, args):
        self.host = args.host
        self.port = args.port
        self.token = args.token
        self.token2 = args.token2
        self.handshake_timeout = args.handshake_timeout
        self.sigterm_pid = args.sigterm_pid
        self.io_timeout = args.timeout
        self.run_id = "%08x" % random.getrandbits(32)
        self.counter = 0
        self.conns = []
        self.notes = []

    def uniq(self, prefix):
        self.counter += 1
        return "%s-%s-%d" % (prefix, self.run_id, self.counter)

    def topic(self, name="t"):
        return "conf/%s/%s" % (self.uniq("run"), name)

    def conn(self, name="conn"):
        return Conn(self, name)

    def session(self, name="conn", **hello):
        c = Conn(self, name)
        c.hello(**hello)
        return c

    def note(self, text):
        self.notes.append(text)


CHECKS = []


def check(name):
    def deco(fn):
        CHECKS.append((name, fn))
        return fn
    return deco


def expect_conn_error(c, codes, what, close_timeout=5.0, allow_before=()):
    """§2/§9: ERROR on stream 0 (or GOAWAY) carrying one of `codes`, then the server closes.
    Returns a text naming the form ("ERROR stream 0" or "GOAWAY")."""
    sent = c.last_sent
    while True:
        try:
            f = c.recv()
        except TimedOut:
            raise Fail("no ERROR/GOAWAY for %s within %.1f s" % (what, c.ctx.io_timeout), sent=sent)
        except Closed as e:
            raise Fail("connection closed (%s) without ERROR on stream 0 for %s" % (e, what), sent=sent)
        if f.type in allow_before:
            continue
        break
    return expect_conn_error_from(c, f, codes, what, close_timeout, sent)


def expect_conn_error_from(c, f, codes, what, close_timeout=5.0, sent=None):
    """expect_conn_error with the first frame already read."""
    require(f.type == GOAWAY or (f.type == ERROR and f.stream == 0),
            "expected ERROR on stream 0 (or GOAWAY) for %s, got %r" % (what, f), f, sent)
    names = "/".join(err_name(CODE[x]) for x in codes)
    require(f.code in [CODE[x] for x in codes],
            "%s: expected %s, got %s" % (what, names, err_name(f.code)), f, sent)
    c.expect_closed(close_timeout)
    return "%s %s" % ("GOAWAY" if f.type == GOAWAY else "ERROR(stream 0)", err_name(f.code))


def session_id_forms(sid):
    import base64
    h = sid.hex()
    forms = {
        "lowercase hex": h,
        "uppercase hex": h.upper(),
        "UUID text": "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:]),
        "base64": base64.b64encode(sid).decode(),
        "base64 unpadded": base64.b64encode(sid).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(sid).decode(),
        "base64url unpadded": base64.urlsafe_b64encode(sid).decode().rstrip("="),
    }
    forms["UUID text (upper)"] = forms["UUID text"].upper()
    return forms


# ---------------------------------------------------------------------------------------------
# §10 test vectors
# ---------------------------------------------------------------------------------------------


@check("selftest-crc32c-and-vectors")
def c_selftest(ctx):
    """§10: this checker's own CRC-32C and encoder reproduce the spec's check value and vectors."""
    require(crc32c(b"123456789") == 0xE3069283, "crc32c('123456789') = 0x%08x" % crc32c(b"123456789"))
    mine = {
        "PING": encode(PING, payload=u32(0) + u32(42)),
        "REQUEST": encode(REQUEST, opcode=OP_ECHO, stream=1, meta=[(K_TIMEOUT_MS, u32(1000))], payload=b"hi"),
        "PUBLISH": encode(PUBLISH, flags=1, codec=1, stream=7, meta=[(K_TOPIC, b"sensors/t1")],
                          payload=b'{"v":21.5}'),
        "HELLO": encode(HELLO, meta=[(K_CLIENT_ID, b"dev-1"), (K_KEEPALIVE_MS, u32(30000)),
                                     (K_CODECS, bytes([1, 3, 0]))]),
    }
    vec = {"PING": VEC_PING, "REQUEST": VEC_REQUEST, "PUBLISH": VEC_PUBLISH, "HELLO": VEC_HELLO}
    for k, v in vec.items():
        require(mine[k] == unhex(v), "%s vector: encoder gives %s" % (k, mine[k].hex()))


@check("vector-hello-welcome")
def c_vector_hello(ctx):
    """§10 HELLO vector sent byte for byte; §7 WELCOME carries SESSION_ID (16 bytes),
    SESSION_PRESENT, KEEPALIVE_MS, MAX_FRAME, RECEIVE_WINDOW, CODECS, MAX_CONCURRENT_REQUESTS,
    SERVER_NAME."""
    if ctx.token:
        raise Skip("the server requires a token and the vector carries no AUTH (covered by the token-less run)")
    c = ctx.conn()
    c.send(unhex(VEC_HELLO))
    w = c.recv_type(WELCOME, what="WELCOME for the HELLO vector")
    check_welcome(ctx, w, requested_keepalive=30000)


def check_welcome(ctx, w, requested_keepalive=None):
    require(w.stream == 0, "WELCOME on stream %d" % w.stream, w)
    sid = w.get(K_SESSION_ID)
    require(sid is not None and len(sid) == 16, "SESSION_ID missing or not 16 bytes: %r" % (sid,), w)
    sp = w.get(K_SESSION_PRESENT)
    require(sp is not None and len(sp) == 1 and sp[0] in (0, 1), "SESSION_PRESENT missing or not 0/1", w)
    for key, name in ((K_KEEPALIVE_MS, "KEEPALIVE_MS"), (K_MAX_FRAME, "MAX_FRAME"),
                      (K_RECEIVE_WINDOW, "RECEIVE_WINDOW"), (K_CODECS, "CODECS"),
                      (K_MAX_CONCURRENT, "MAX_CONCURRENT_REQUESTS"), (K_SERVER_NAME, "SERVER_NAME")):
        require(w.get(key) is not None, "WELCOME lacks %s (§7)" % name, w)
    require(len(w.get(K_CODECS)) >= 1, "WELCOME CODECS is empty", w)
    require(w.u(K_MAX_FRAME) >= 22, "WELCOME MAX_FRAME %d is below a frame's overhead" % w.u(K_MAX_FRAME), w)
    if requested_keepalive is not None:
        require(w.u(K_KEEPALIVE_MS) <= requested_keepalive,
                "WELCOME KEEPALIVE_MS %d is above the client's %d (§7: the server may lower it)"
                % (w.u(K_KEEPALIVE_MS), requested_keepalive), w)


@check("vector-ping-pong")
def c_vector_ping(ctx):
    """§10 PING vector -> §4 PONG on stream 0 with the same 8 payload bytes."""
    c = ctx.session()
    c.send(unhex(VEC_PING))
    f = c.recv_type(PONG, what="PONG")
    require(f.payload == u32(0) + u32(42), "PONG payload %s, expected the PING's" % f.payload.hex(), f)


@check("vector-request-echo")
def c_vector_request(ctx):
    """§10 REQUEST vector (ECHO "hi", TIMEOUT_MS 1000) -> §8 RESPONSE stream 1, opcode 0xFF01,
    codec 0, payload "hi"."""
    c = ctx.session()
    c.send(unhex(VEC_REQUEST))
    f = c.recv_type(RESPONSE, what="ECHO RESPONSE")
    require(f.stream == 1 and f.opcode == OP_ECHO and f.codec == 0 and f.payload == b"hi",
            "RESPONSE %r payload %r; expected stream 1, opcode 0xff01, codec 0, 'hi'" % (f, f.payload), f)


@check("info")
def c_info(ctx):
    """§8 INFO 0xFF02 -> RESPONSE, a JSON object with at least server, version, sessionId; the
    sessionId names the session WELCOME gave (textual form reported)."""
    c = ctx.conn()
    w = c.hello()
    c.request(1, OP_INFO)
    f = c.recv_type(RESPONSE, what="INFO RESPONSE")
    require(f.stream == 1 and f.opcode == OP_INFO, "INFO answer %r" % f, f)
    require(f.codec == 1, "INFO RESPONSE codec %d, expected 1 (JSON)" % f.codec, f)
    try:
        doc = json.loads(f.payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Fail("INFO payload is not JSON: %s" % e, f)
    require(isinstance(doc, dict), "INFO payload is not a JSON object", f)
    for k in ("server", "version", "sessionId"):
        require(k in doc, "INFO lacks %r: %s" % (k, sorted(doc)), f)
    sid = w.get(K_SESSION_ID)
    forms = session_id_forms(sid)
    got = str(doc["sessionId"])
    match = [name for name, text in forms.items() if text == got]
    require(match, "INFO sessionId %r matches no textual form of WELCOME's SESSION_ID %s"
            % (got, sid.hex()), f)
    ctx.note("INFO sessionId is the SESSION_ID as %s (%s); server=%r version=%r"
             % (match[0], got, doc["server"], doc["version"]))


@check("vector-publish-puback")
def c_vector_publish(ctx):
    """§10 PUBLISH QoS 1 vector (packet id 7, TOPIC sensors/t1) -> §8 PUBACK packet id 7."""
    c = ctx.session()
    c.send(unhex(VEC_PUBLISH))
    f = c.recv_type(PUBACK, what="PUBACK")
    require(f.stream == 7, "PUBACK for packet %d, expected 7" % f.stream, f)


# ---------------------------------------------------------------------------------------------
# §7 lifecycle
# ---------------------------------------------------------------------------------------------


@check("first-frame-not-hello")
def c_first_not_hello(ctx):
    """§7: the first frame MUST be HELLO; any other frame before WELCOME is a PROTOCOL_ERROR
    (ERROR on stream 0, then close: §2, §9). Tried with a REQUEST and with a PING."""
    forms = []
    for frame in (encode(REQUEST, opcode=OP_ECHO, stream=1, payload=b"x"), unhex(VEC_PING)):
        c = ctx.conn()
        c.send(frame)
        forms.append(expect_conn_error(c, ["PROTOCOL_ERROR"], "a first frame other than HELLO"))
    ctx.note("answered with " + ", ".join(forms))


@check("hello-twice")
def c_hello_twice(ctx):
    """§7: HELLO is only the first frame; a second one is an illegal transition -> PROTOCOL_ERROR."""
    c = ctx.session()
    c.hello(expect=False)
    ctx.note(expect_conn_error(c, ["PROTOCOL_ERROR"], "a second HELLO"))


@check("auth-required")
def c_auth(ctx):
    """§7: a bad AUTH gets ERROR(stream 0, UNAUTHENTICATED), then close. Tried with a wrong token
    and with no AUTH at all; the right token gets WELCOME."""
    if not ctx.token:
        raise Skip("no --token: run against a server that requires one")
    for auth in (ctx.token + "-wrong", None):
        c = ctx.conn()
        c.hello(auth=auth, expect=False)
        expect_conn_error(c, ["UNAUTHENTICATED"], "HELLO with %s" % ("a wrong AUTH" if auth else "no AUTH"))
    ctx.session()


@check("resume-foreign-credentials")
def c_resume_foreign(ctx):
    """§8: the server refuses a resume whose credentials (AUTH) do not belong to the session's owner
    (PERMISSION_DENIED). With two tokens the resume by the other token and another CLIENT_ID must be
    refused under any reading of "owner"; the same CLIENT_ID with the other token is reported (the
    spec does not say whether a shared token names an owner: see README)."""
    if not (ctx.token and ctx.token2):
        raise Skip("needs --token and --token2 (two credentials on one server)")
    a = ctx.session(expiry=60)
    sid = a.welcome.get(K_SESSION_ID)
    a.close()
    b = ctx.conn()
    b.hello(auth=ctx.token2, session_id=sid, expiry=60, expect=False)
    form = expect_conn_error(b, ["PERMISSION_DENIED"], "a resume with another AUTH and CLIENT_ID")
    c = ctx.conn()
    c.hello(auth=ctx.token2, session_id=sid, expiry=60, client_id=a.client_id, expect=False)
    f = c.expect(what="an answer to a resume with another AUTH, same CLIENT_ID")
    if f.type == WELCOME:
        other = "WELCOME SESSION_PRESENT=%d" % f.get(K_SESSION_PRESENT)[0]
        c.close()
    else:
        other = "%r" % f
    # the owner still can.
    deadline = time.monotonic() + 5
    while True:
        d = ctx.conn()
        w = d.hello(session_id=sid, expiry=0, client_id=a.client_id)
        if w.get(K_SESSION_PRESENT) == b"\x01" or time.monotonic() > deadline:
            break
        d.close()
    require(w.get(K_SESSION_PRESENT) == b"\x01", "the owner could not resume afterwards", w)
    ctx.note("other AUTH + other CLIENT_ID: %s; other AUTH + same CLIENT_ID: %s" % (form, other))


@check("resume-by-other-client-id")
def c_resume_other_client(ctx):
    """§8: a resume names the session by SESSION_ID; the spec ties ownership to AUTH only. Reports
    what the server does when the same credentials (or none) come with another CLIENT_ID: a new
    WELCOME with SESSION_PRESENT = 1, or PERMISSION_DENIED (this project's documented choice)."""
    a = ctx.session(expiry=60)
    sid = a.welcome.get(K_SESSION_ID)
    a.close()
    b = ctx.conn()
    b.hello(session_id=sid, expiry=60, expect=False)
    f = b.expect(what="an answer to a resume with another CLIENT_ID")
    if f.type == WELCOME:
        require(f.get(K_SESSION_PRESENT) == b"\x01", "SESSION_PRESENT 0 for a kept session", f)
        ctx.note("resumed (SESSION_PRESENT 1)")
    else:
        ctx.note(expect_conn_error_from(b, f, ["PERMISSION_DENIED"], "a resume with another CLIENT_ID"))


@check("keepalive-ping-answered")
def c_ping(ctx):
    """§7 keepalive: the server answers each PING with a PONG echoing the payload."""
    c = ctx.session()
    for i in range(3):
        data = struct.pack(">Q", time.time_ns() + i)
        c.frame(PING, payload=data)
        f = c.recv_type(PONG, what="PONG")
        require(f.payload == data, "PONG payload %s for PING %s" % (f.payload.hex(), data.hex()), f)


# Slack for scheduling on a loaded machine, on top of the spec's instants.
JITTER = 0.15


@check("keepalive-server-pings-and-times-out")
def c_keepalive_timeout(ctx):
    """§7: a peer that has sent nothing for KEEPALIVE_MS sends PING (8-byte payload); a peer that has
    received nothing for 1.5 x KEEPALIVE_MS closes with KEEPALIVE_TIMEOUT. The client asks for
    1000 ms and then stays silent (never answers the PING). Expected: the PING after K (and before
    the client's own 1.5 K deadline), the close not before 1.5 K and at most K/4 (a timer tick)
    plus scheduling slack after it."""
    c = ctx.conn()
    c.auto_pong = False
    w = c.hello(keepalive=1000)
    t0 = time.monotonic()
    k = w.u(K_KEEPALIVE_MS)
    if k == 0:
        raise Skip("server disabled keepalive (KEEPALIVE_MS 0)")
    require(k <= 1000, "KEEPALIVE_MS %d above the client's 1000" % k, w)
    ks = k / 1000.0
    f = None
    pinged = None
    while True:
        try:
            f = c.recv_any(max(0.0, t0 + 3 * ks + 5 - time.monotonic()))
        except TimedOut:
            raise Fail("no KEEPALIVE_TIMEOUT within %.2f s of silence (KEEPALIVE_MS %d)"
                       % (time.monotonic() - t0, k))
        except Closed:
            raise Fail("closed without KEEPALIVE_TIMEOUT (after %.2f s)" % (time.monotonic() - t0))
        if f.type == PING:
            require(len(f.payload) == 8, "server PING payload of %d bytes (§4: 8)" % len(f.payload), f)
            if pinged is None:
                pinged = time.monotonic() - t0
            continue
        break
    elapsed = time.monotonic() - t0
    require(f.type == GOAWAY or (f.type == ERROR and f.stream == 0),
            "expected ERROR/GOAWAY(KEEPALIVE_TIMEOUT), got %r" % f, f)
    require(f.code == CODE["KEEPALIVE_TIMEOUT"], "closed with %s" % err_name(f.code), f)
    require(pinged is not None, "no PING from the server in %.2f s of its own silence before it timed the"
            " connection out (KEEPALIVE_MS %d)" % (elapsed, k), f)
    require(ks - 0.05 <= pinged < 1.5 * ks, "first PING %.3f s after WELCOME; expected after KEEPALIVE_MS %d"
            " and before the client's own 1.5 x deadline" % (pinged, k))
    require(elapsed >= 1.5 * ks - 0.05, "KEEPALIVE_TIMEOUT after %.3f s of silence, before 1.5 x %d ms"
            % (elapsed, k), f)
    require(elapsed <= 1.75 * ks + JITTER, "KEEPALIVE_TIMEOUT only after %.3f s of silence; 1.5 x KEEPALIVE_MS"
            " is %.3f s" % (elapsed, 1.5 * ks), f)
    c.expect_closed()
    ctx.note("KEEPALIVE_MS %d: PING after %.3f s, KEEPALIVE_TIMEOUT after %.3f s as %s"
             % (k, pinged, elapsed, "GOAWAY" if f.type == GOAWAY else "ERROR(stream 0)"))


@check("keepalive-short-interval")
def c_keepalive_alive(ctx):
    """§7 with a short KEEPALIVE_MS (400 ms asked): the server PINGs whenever it has sent nothing for
    K, so the client, which closes after 1.5 x K of receiving nothing, never has to; a client that
    answers with PONG stays connected."""
    c = ctx.conn()
    w = c.hello(keepalive=400)
    t0 = last = time.monotonic()
    k = w.u(K_KEEPALIVE_MS)
    if k == 0:
        raise Skip("server disabled keepalive")
    require(k <= 400, "KEEPALIVE_MS %d above the client's 400" % k, w)
    ks = k / 1000.0
    end = t0 + max(2.5, 6 * ks)
    gaps = []
    while time.monotonic() < end:
        try:
            f = c.recv_any(min(end - time.monotonic(), 1.5 * ks + JITTER - (time.monotonic() - last)))
        except TimedOut:
            if time.monotonic() >= end:
                break
            raise Fail("nothing from the server for %.3f s with KEEPALIVE_MS %d: a client keeping the spec"
                       " closes after 1.5 x KEEPALIVE_MS (%s)" % (time.monotonic() - last, k,
                                                                  "PINGs so far after %s s" % gaps))
        except Closed:
            raise Fail("closed although every PING was answered")
        require(f.type == PING, "unexpected %r while idle" % f, f)
        now = time.monotonic()
        gaps.append(round(now - last, 3))
        last = now
        c.frame(PONG, payload=f.payload)
    require(gaps, "the server never sent PING over %.1f s with KEEPALIVE_MS %d" % (end - t0, k))
    c.echo(1)
    ctx.note("KEEPALIVE_MS %d: PING gaps %s s" % (k, gaps))


@check("handshake-timeout")
def c_handshake_timeout(ctx):
    """§7: the server closes a connection that sends no HELLO within its handshake timeout."""
    c = ctx.conn()
    t0 = time.monotonic()
    limit = ctx.handshake_timeout
    frames = []
    while True:
        try:
            frames.append(c.recv(max(0.0, t0 + limit + 5 - time.monotonic())))
        except TimedOut:
            raise Fail("still open %.1f s after connecting without HELLO" % (time.monotonic() - t0))
        except Closed:
            break
    elapsed = time.monotonic() - t0
    require(elapsed >= 0.8 * limit, "closed after %.2f s, before the %.1f s handshake timeout" % (elapsed, limit))
    ctx.note("closed after %.2f s%s" % (elapsed, (" after " + ", ".join(map(repr, frames))) if frames else
                                          " without a frame"))


@check("session-id-unknown-starts-new")
def c_unknown_session(ctx):
    """§8: a HELLO naming an unknown SESSION_ID starts a new session (SESSION_PRESENT = 0); the
    session id stays the server's random token, not the client's guess."""
    guess = os.urandom(16)
    c = ctx.conn()
    w = c.hello(session_id=guess, expiry=60)
    require(w.get(K_SESSION_PRESENT) == b"\x00", "SESSION_PRESENT %r for an unknown SESSION_ID"
            % w.get(K_SESSION_PRESENT), w)
    require(w.get(K_SESSION_ID) != guess, "the server adopted the client's unknown SESSION_ID as the new"
            " session's id (§8: a random, unguessable token)", w)
    other = ctx.session().welcome.get(K_SESSION_ID)
    require(other != w.get(K_SESSION_ID), "two sessions got the same SESSION_ID")


@check("session-expiry-zero-ends-with-connection")
def c_expiry_zero(ctx):
    """§8: SESSION_EXPIRY_S = 0 (the default) ends the session with its connection: resuming it later
    gives SESSION_PRESENT = 0."""
    a = ctx.session()
    sid = a.welcome.get(K_SESSION_ID)
    a.close()
    deadline = time.monotonic() + 5
    while True:
        c = ctx.conn()
        w = c.hello(session_id=sid, client_id=a.client_id)
        if w.get(K_SESSION_PRESENT) == b"\x00":
            return
        c.close()
        if time.monotonic() > deadline:
            raise Fail("session with SESSION_EXPIRY_S 0 still present 5 s after its connection closed", w)
        time.sleep(0.1)


@check("session-takeover")
def c_takeover(ctx):
    """§8: resuming a session still attached to a live connection takes it over: the old connection
    gets GOAWAY(SESSION_TAKEN_OVER) and is closed; the new one gets SESSION_PRESENT = 1."""
    a = ctx.session(expiry=60)
    sid = a.welcome.get(K_SESSION_ID)
    b = ctx.conn()
    w = b.hello(session_id=sid, expiry=0, client_id=a.client_id)
    require(w.get(K_SESSION_PRESENT) == b"\x01", "SESSION_PRESENT %r on takeover" % w.get(K_SESSION_PRESENT), w)
    require(w.get(K_SESSION_ID) == sid, "resumed session has another SESSION_ID", w)
    f = a.recv_type(GOAWAY, what="GOAWAY on the taken-over connection")
    require(f.code == CODE["SESSION_TAKEN_OVER"], "GOAWAY with %s" % err_name(f.code), f)
    a.expect_closed()
    b.echo(1)


# ---------------------------------------------------------------------------------------------
# §2 / §9 framing errors
# ---------------------------------------------------------------------------------------------


def framing_check(ctx, build, codes, what, handshake=True):
    """Sends a broken frame on an established connection and expects a connection error; a good
    connection opened before keeps working (ECHO) afterwards."""
    good = ctx.session("good")
    good.echo(1, b"before")
    c = ctx.conn("bad")
    if handshake:
        c.hello()
    data = build(c)
    c.send(data)
    form = expect_conn_error(c, codes, what)
    good.echo(3, b"after")
    return form


@check("framing-bad-magic")
def c_bad_magic(ctx):
    """§2: the receiver MUST verify magic; a violation is a connection error (ERROR stream 0, close)."""
    ctx.note(framing_check(ctx, lambda c: encode(PING, payload=bytes(8), magic=0x4D44),
                           ["PROTOCOL_ERROR"], "bad magic"))


@check("framing-version-2")
def c_version(ctx):
    """§2/§9: version other than 1 -> UNSUPPORTED_VERSION, on an established connection and as the
    very first frame (a version-2 HELLO)."""
    f1 = framing_check(ctx, lambda c: encode(PING, payload=bytes(8), version=2),
                       ["UNSUPPORTED_VERSION"], "version 2")
    c = ctx.conn()
    c.send(encode(HELLO, version=2, meta=[(K_CLIENT_ID, b"v2")]))
    f2 = expect_conn_error(c, ["UNSUPPORTED_VERSION"], "a version-2 HELLO")
    ctx.note("established: %s; first frame: %s" % (f1, f2))


@check("framing-unknown-type")
def c_unknown_type(ctx):
    """§4: unknown types are a PROTOCOL_ERROR (connection error)."""
    ctx.note(framing_check(ctx, lambda c: encode(0x7E), ["PROTOCOL_ERROR"], "unknown type 0x7e"))


@check("framing-reserved-flags")
def c_reserved_flags(ctx):
    """§3: flag bits 4-7 MUST be 0, and bits not defined for a type MUST be 0 (§2): PUBLISH with bit 4,
    REQUEST with QoS bits, PING with RETAIN -> connection error."""
    forms = []
    forms.append(framing_check(ctx, lambda c: encode(PUBLISH, flags=0x10, meta=[(K_TOPIC, b"a/b")], payload=b"x"),
                               ["PROTOCOL_ERROR"], "PUBLISH with reserved flag bit 4"))
    forms.append(framing_check(ctx, lambda c: encode(REQUEST, flags=0x01, opcode=OP_ECHO, stream=1, payload=b"x"),
                               ["PROTOCOL_ERROR"], "REQUEST with flag bit 0"))
    forms.append(framing_check(ctx, lambda c: encode(PING, flags=RETAIN, payload=bytes(8)),
                               ["PROTOCOL_ERROR"], "PING with flag bit 3"))
    ctx.note("; ".join(forms))


@check("framing-qos-3")
def c_qos3(ctx):
    """§3: QoS 3 is invalid -> connection error."""
    ctx.note(framing_check(ctx, lambda c: encode(PUBLISH, flags=3, stream=1, meta=[(K_TOPIC, b"a/b")], payload=b"x"),
                           ["PROTOCOL_ERROR"], "PUBLISH QoS 3"))


@check("framing-metadata-past-m")
def c_meta_past(ctx):
    """§2/§5: the entries fill exactly M bytes; an entry running past M is a connection error."""
    bad = bytes([K_TIMEOUT_MS]) + u16(8) + u32(1000)            # says 8 bytes, 4 remain in M
    ctx.note(framing_check(ctx, lambda c: encode(REQUEST, opcode=OP_ECHO, stream=1, meta_raw=bad, payload=b"hi"),
                           ["PROTOCOL_ERROR"], "metadata entry running past M"))


@check("framing-metadata-truncated-entry")
def c_meta_trunc(ctx):
    """§5: M ending inside an entry's 3-byte key/length header is a connection error."""
    bad = bytes([K_TIMEOUT_MS, 0x00])
    ctx.note(framing_check(ctx, lambda c: encode(REQUEST, opcode=OP_ECHO, stream=1, meta_raw=bad, payload=b"hi"),
                           ["PROTOCOL_ERROR"], "metadata ending inside an entry header"))


@check("framing-crc-mismatch")
def c_crc(ctx):
    """§2/§9: a wrong CRC-32C -> CHECKSUM_MISMATCH (connection error)."""
    def build(c):
        good = encode(REQUEST, opcode=OP_ECHO, stream=1, payload=b"hi")
        return good[:-4] + u32(struct.unpack(">I", good[-4:])[0] ^ 1)
    ctx.note(framing_check(ctx, build, ["CHECKSUM_MISMATCH"], "CRC mismatch"))


@check("framing-crc-mismatch-before-hello")
def c_crc_first(ctx):
    """§2: a corrupt HELLO is a connection error like any other (CHECKSUM_MISMATCH)."""
    c = ctx.conn()
    data = unhex(VEC_HELLO)
    c.send(data[:-1] + bytes([data[-1] ^ 0xFF]))
    ctx.note(expect_conn_error(c, ["CHECKSUM_MISMATCH"], "a HELLO with a bad CRC"))


@check("framing-too-large-header-only")
def c_too_large(ctx):
    """§2: the frame size is checked against MAX_FRAME before buffering the body: a header declaring
    22+M+P = MAX_FRAME+1 gets FRAME_TOO_LARGE without the body being sent."""
    def build(c):
        mf = c.welcome.u(K_MAX_FRAME)
        head = struct.pack(">HBBBBHIHI", MAGIC, VERSION, REQUEST, 0, 0, OP_ECHO, 1, 0, mf + 1 - 22)
        return head
    ctx.note(framing_check(ctx, build, ["FRAME_TOO_LARGE"], "a header over MAX_FRAME"))


@check("framing-max-frame-boundary")
def c_max_frame_exact(ctx):
    """§2: MAX_FRAME is the largest frame the server accepts and a frame is 22 + M + P bytes, so a
    frame of exactly MAX_FRAME bytes is accepted (ECHO answered) and MAX_FRAME + 1 with metadata
    counted in is refused."""
    c = ctx.session()
    mf = c.welcome.u(K_MAX_FRAME)
    if mf > 64 * 1024 * 1024:
        raise Skip("MAX_FRAME %d too large to send" % mf)
    meta = [(K_TIMEOUT_MS, u32(5000))]
    payload = os.urandom(mf - 22 - 7)
    frame = encode(REQUEST, opcode=OP_ECHO, stream=1, meta=meta, payload=payload)
    assert len(frame) == mf
    c.send(frame)
    f = c.recv_type(RESPONSE, timeout=max(ctx.io_timeout, 30), what="ECHO of a MAX_FRAME-sized frame")
    require(f.stream == 1 and f.payload == payload, "wrong ECHO answer for the MAX_FRAME-sized request", f)
    c.send(encode(REQUEST, opcode=OP_ECHO, stream=3, meta=meta, payload=payload + b"!"))
    ctx.note(expect_conn_error(c, ["FRAME_TOO_LARGE"], "a frame of MAX_FRAME + 1 bytes (metadata included)"))


@check("server-respects-client-max-frame")
def c_client_max_frame(ctx):
    """§5 MAX_FRAME is the largest frame the sender (here the client) accepts: an ECHO whose answer
    would exceed it must not be answered with an oversized frame; the request still gets exactly one
    answer (§4), which can only be an ERROR."""
    c = ctx.conn()
    c.hello(max_frame=1024)
    c.request(1, OP_ECHO, os.urandom(2000))
    f = c.expect(what="an answer to an ECHO larger than our MAX_FRAME")
    require(f.type == ERROR and f.stream == 1, "expected ERROR on stream 1, got %r" % f, f)
    ctx.note("answered %r" % f)
    c.echo(3)


# ---------------------------------------------------------------------------------------------
# §8 requests
# ---------------------------------------------------------------------------------------------


@check("request-unknown-opcode")
def c_unknown_opcode(ctx):
    """§8: an unknown opcode gets ERROR(NOT_FOUND); the answer echoes stream id and opcode."""
    c = ctx.session()
    for stream, op in ((1, 0x7ABC), (3, 0xFFEE)):
        c.request(stream, op, b"x")
        f = c.recv_type(ERROR, what="ERROR for an unknown opcode")
        require(f.stream == stream and f.opcode == op and f.code == CODE["NOT_FOUND"],
                "expected ERROR(NOT_FOUND) stream %d opcode 0x%04x, got %r" % (stream, op, f), f)
    c.echo(5)


@check("request-echo-codec-and-opcode")
def c_echo_codec(ctx):
    """§8: ECHO answers with the request's payload and codec; the answer echoes the opcode."""
    c = ctx.session()
    codecs = list(c.welcome.get(K_CODECS))
    for i, codec in enumerate(x for x in (1, 3, 2) if x in codecs):
        payload = b'{"a":1}' if codec == 1 else b"\x81\xa1a\x01"
        c.request(2 * i + 1, OP_ECHO, payload, codec=codec)
        f = c.recv_type(RESPONSE, what="ECHO answer")
        require(f.stream == 2 * i + 1 and f.codec == codec and f.payload == payload and f.opcode == OP_ECHO,
                "ECHO with codec %d answered %r %r" % (codec, f, f.payload), f)
    c.request(99, OP_ECHO, b"")
    f = c.recv_type(RESPONSE, what="ECHO of an empty payload")
    require(f.stream == 99 and f.payload == b"", "empty ECHO answered %r" % f, f)


@check("request-unannounced-codec")
def c_bad_codec(ctx):
    """§6: a payload in a codec the receiver did not announce gets ERROR with UNSUPPORTED_CODEC
    (same stream and opcode)."""
    c = ctx.session()
    codecs = set(c.welcome.get(K_CODECS))
    codec = next(x for x in (200, 201, 202, 127, 4) if x not in codecs)
    c.request(1, OP_ECHO, b"x", codec=codec)
    f = c.recv_type(ERROR, what="ERROR(UNSUPPORTED_CODEC)")
    require(f.stream == 1 and f.opcode == OP_ECHO and f.code == CODE["UNSUPPORTED_CODEC"],
            "codec %d answered %r" % (codec, f), f)
    c.echo(3)


@check("request-even-stream-id")
def c_even_stream(ctx):
    """§8: client-initiated stream ids are odd. The spec names no error for an even one; reported."""
    c = ctx.session()
    c.request(2, OP_ECHO, b"even")
    try:
        f = c.recv(3.0)
    except TimedOut:
        raise Fail("no answer and no error for a REQUEST on even stream 2 (§4: exactly one RESPONSE or ERROR)")
    except Closed:
        raise Fail("closed without ERROR after a REQUEST on an even stream id")
    if f.type == RESPONSE:
        require(f.stream == 2 and f.payload == b"even", "wrong answer %r" % f, f)
        ctx.note("server answers an even client stream id normally (lenient)")
        c.echo(1)
    elif f.type == ERROR and f.stream == 2:
        ctx.note("server refuses an even client stream id with ERROR %s on that stream" % err_name(f.code))
        c.echo(1)
    elif f.type in (ERROR, GOAWAY) and f.stream == 0:
        require(f.code == CODE["PROTOCOL_ERROR"], "connection error %s" % err_name(f.code), f)
        c.expect_closed()
        ctx.note("server treats an even client stream id as a connection error PROTOCOL_ERROR")
    else:
        raise Fail("unexpected %r" % f, f)


@check("request-stream-zero")
def c_stream_zero(ctx):
    """§4: REQUEST needs stream n != 0 (0 is connection level). Refusal form reported."""
    c = ctx.session()
    c.request(0, OP_ECHO, b"zero")
    try:
        f = c.recv(3.0)
    except TimedOut:
        raise Fail("no answer and no error for a REQUEST on stream 0")
    except Closed:
        raise Fail("closed without ERROR after a REQUEST on stream 0")
    require(f.type in (ERROR, GOAWAY), "REQUEST on stream 0 answered %r" % f, f)
    require(f.code == CODE["PROTOCOL_ERROR"], "REQUEST on stream 0 refused with %s" % err_name(f.code), f)
    if f.stream == 0:
        c.expect_closed()
    ctx.note("refused with %r" % f)


@check("request-pipelined")
def c_pipelined(ctx):
    """§4/§8: pipelined requests are each answered exactly once, echoing stream id and opcode."""
    c = ctx.session()
    n = 64
    data = b"".join(encode(REQUEST, opcode=OP_ECHO, stream=2 * i + 1, payload=b"p%d" % i) for i in range(n))
    c.send(data)
    seen = {}
    while len(seen) < n:
        f = c.recv_type(RESPONSE, what="answer %d of %d" % (len(seen) + 1, n))
        i = (f.stream - 1) // 2
        require(f.stream % 2 == 1 and 0 <= i < n and f.payload == b"p%d" % i and f.opcode == OP_ECHO,
                "answer %r payload %r matches no request" % (f, f.payload), f)
        require(f.stream not in seen, "stream %d answered twice" % f.stream, f)
        seen[f.stream] = f
    c.nothing_for(0.3, "further answers")


@check("request-over-max-concurrent")
def c_concurrent(ctx):
    """§8: more than MAX_CONCURRENT_REQUESTS in flight gets ERROR(OVERLOADED). ECHO finishes at once,
    so each of MAX+16 pipelined requests gets exactly one answer: RESPONSE or ERROR(OVERLOADED)."""
    c = ctx.session()
    mx = c.welcome.u(K_MAX_CONCURRENT)
    if mx > 4096:
        raise Skip("MAX_CONCURRENT_REQUESTS %d too large" % mx)
    n = mx + 16
    c.send(b"".join(encode(REQUEST, opcode=OP_ECHO, stream=2 * i + 1, payload=b"%d" % i) for i in range(n)))
    got, overloaded = set(), 0
    while len(got) < n:
        f = c.expect(what="answer %d of %d" % (len(got) + 1, n))
        require(f.stream not in got, "stream %d answered twice" % f.stream, f)
        if f.type == ERROR:
            require(f.code == CODE["OVERLOADED"] and f.stream != 0, "unexpected %r" % f, f)
            overloaded += 1
        else:
            require(f.type == RESPONSE and f.payload == b"%d" % ((f.stream - 1) // 2), "unexpected %r" % f, f)
        got.add(f.stream)
    ctx.note("MAX_CONCURRENT_REQUESTS %d: %d pipelined ECHOs, %d OVERLOADED" % (mx, n, overloaded))


@check("request-cancel")
def c_cancel(ctx):
    """§4: CANCEL abandons REQUEST n; the request still gets exactly one answer: its RESPONSE (the
    race) or ERROR(CANCELLED). A CANCEL for a finished or unknown stream is harmless (it can always
    race the answer)."""
    c = ctx.session()
    c.send(encode(REQUEST, opcode=OP_ECHO, stream=1, payload=b"c") + encode(CANCEL, stream=1))
    f = c.expect(what="the answer to the cancelled request")
    require(f.stream == 1 and (f.type == RESPONSE or (f.type == ERROR and f.code == CODE["CANCELLED"])),
            "expected RESPONSE or ERROR(CANCELLED) on stream 1, got %r" % f, f)
    ctx.note("cancelled ECHO answered %r" % f)
    c.frame(CANCEL, stream=1)
    c.frame(CANCEL, stream=777)
    c.echo(3)
    c.nothing_for(0.3, "second answer for the cancelled stream")


@check("request-timeout-ms")
def c_timeout_ms(ctx):
    """§8/§5: TIMEOUT_MS is the requester's budget (u32). A generous budget gets the RESPONSE; an
    exhausted one (0, 1 ms) gets exactly one answer: the RESPONSE or ERROR(DEADLINE_EXCEEDED)."""
    c = ctx.session()
    c.request(1, OP_ECHO, b"t", meta=[(K_TIMEOUT_MS, u32(60000))])
    f = c.recv_type(RESPONSE, what="ECHO answer with TIMEOUT_MS 60000")
    forms = []
    for stream, t in ((3, 1), (5, 0)):
        c.request(stream, OP_ECHO, b"t", meta=[(K_TIMEOUT_MS, u32(t))])
        f = c.expect(what="answer with TIMEOUT_MS %d" % t)
        require(f.stream == stream and (f.type == RESPONSE or
                                        (f.type == ERROR and f.code == CODE["DEADLINE_EXCEEDED"])),
                "TIMEOUT_MS %d answered %r" % (t, f), f)
        forms.append("TIMEOUT_MS %d -> %s" % (t, f.name if f.type == RESPONSE else err_name(f.code)))
    c.nothing_for(0.3)
    ctx.note(", ".join(forms))


@check("notify-no-answer")
def c_notify(ctx):
    """§4: NOTIFY is a one-way command on stream 0 with no answer (known or unknown opcode)."""
    c = ctx.session()
    c.frame(NOTIFY, opcode=OP_ECHO, payload=b"n")
    c.frame(NOTIFY, opcode=0x7ABD, payload=b"n")
    c.echo(1, b"after-notify")
    c.nothing_for(0.3, "answer to a NOTIFY")


@check("metadata-unknown-keys-ignored")
def c_unknown_keys(ctx):
    """§5: a receiver ignores keys it does not know in 0x01-0x7F; 0x80-0xFE are opaque application
    values; 0xFF named headers may repeat; TRACEPARENT is allowed on any frame."""
    c = ctx.conn()
    c.hello(extra=[(0x7E, b"future")])
    meta = [(0x7D, b"x"), (0x90, b"app"), (K_NAMED, b"\x03abcvalue"), (K_NAMED, b"\x03abcvalue2"),
            (K_TRACEPARENT, b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    c.request(1, OP_ECHO, b"k", meta=meta)
    f = c.recv_type(RESPONSE, what="ECHO with unknown metadata keys")
    require(f.stream == 1 and f.payload == b"k", "wrong answer %r" % f, f)


# ---------------------------------------------------------------------------------------------
# §8 publish / subscribe
# ---------------------------------------------------------------------------------------------


@check("subscribe-suback")
def c_suback(ctx):
    """§4/§8: SUBSCRIBE with SUBSCRIPTION entries (max QoS byte + filter) -> SUBACK on the same
    stream, one granted byte per filter, 0-2 and not above the requested QoS; a filter with '#' not
    last is refused (0x80)."""
    c = ctx.session()
    base = ctx.topic()
    got = c.subscribe(1, (base + "/a", 0), (base + "/b", 1), (base + "/c", 2), (base + "/#/x", 1))
    for i, q in enumerate((0, 1, 2)):
        require(got[i] <= q, "filter %d granted QoS %d above the requested %d" % (i, got[i], q))
    require(got[3] == 0x80, "filter with '#' not last granted 0x%02x, expected 0x80" % got[3])
    ctx.note("granted " + got.hex())


@check("subscribe-filter-not-utf8")
def c_filter_utf8(ctx):
    """§1/§5: strings are UTF-8 and a SUBSCRIPTION filter is UTF-8 text: a filter that is not
    well-formed UTF-8 is refused (SUBACK 0x80), its neighbour granted; nothing is delivered for it."""
    c = ctx.session()
    base = ctx.topic()
    meta = [(K_SUBSCRIPTION, b"\x01" + (base + "/ok").encode()),
            (K_SUBSCRIPTION, b"\x01" + base.encode() + b"/\xff\xfe"),
            (K_SUBSCRIPTION, b"\x01" + base.encode() + b"/\xc0\xaf")]       # overlong '/'
    c.frame(SUBSCRIBE, stream=1, meta=meta)
    f = c.recv_type(SUBACK, what="SUBACK")
    require(f.stream == 1 and len(f.payload) == 3, "SUBACK %r %s" % (f, f.payload.hex()), f)
    require(f.payload[0] == 1, "valid filter granted 0x%02x" % f.payload[0], f)
    require(f.payload[1] == 0x80 and f.payload[2] == 0x80,
            "filters that are not UTF-8 granted %s, expected 0x80 each" % f.payload[1:].hex(), f)


@check("publish-qos-downgrade")
def c_qos_matrix(ctx):
    """§8: a subscriber receives each message at the lower of the publish QoS and its filter's QoS;
    QoS 0 deliveries have packet id 0, QoS 1/2 a non-zero one; payload and codec unchanged (§6)."""
    topic = ctx.topic()
    subs = []
    for q in (0, 1, 2):
        s = ctx.session("sub%d" % q)
        g = s.subscribe(1, (topic, q))
        require(g[0] == q, "filter QoS %d granted %d" % (q, g[0]))
        subs.append(s)
    pub = ctx.session("pub")
    for pq in (0, 1, 2):
        payload = b'{"q":%d}' % pq
        pub.publish(topic, payload, qos=pq, packet_id=10 + pq if pq else 0, codec=1)
        for sq, s in enumerate(subs):
            f = s.delivery()
            want = min(pq, sq)
            require(f.qos == want, "publish QoS %d to a QoS %d filter delivered at QoS %d" % (pq, sq, f.qos), f)
            require(f.payload == payload and f.codec == 1 and f.get(K_TOPIC) == topic.encode(),
                    "delivery changed topic/payload/codec: %r %r" % (f, f.payload), f)
            require(not f.flags & RETAIN, "live delivery carries RETAIN (§8)", f)
    for s in subs:
        s.nothing_for(0.2, "further deliveries")


@check("publish-codec-forwarded")
def c_codec_forward(ctx):
    """§6: the server forwards PUBLISH payloads unchanged, codec byte included (raw, JSON,
    protobuf, msgpack as announced by the server)."""
    topic = ctx.topic()
    sub = ctx.session("sub")
    sub.subscribe(1, (topic, 1))
    pub = ctx.session("pub")
    codecs = [x for x in pub.welcome.get(K_CODECS) if x in (0, 1, 2, 3)]
    for i, codec in enumerate(codecs):
        payload = bytes(range(256)) if codec == 0 else b"\x08\x96\x01" if codec == 2 else b'{"c":1}' \
            if codec == 1 else b"\x81\xa1c\x01"
        pub.publish(topic, payload, qos=1, packet_id=i + 1, codec=codec)
        f = sub.delivery()
        require(f.codec == codec and f.payload == payload, "codec %d forwarded as codec %d %r" % (
            codec, f.codec, f.payload[:20]), f)
    ctx.note("codecs forwarded: %s" % codecs)


@check("publish-unannounced-codec")
def c_publish_bad_codec(ctx):
    """§6: a PUBLISH payload in a codec the server did not announce gets NACK(UNSUPPORTED_CODEC)."""
    c = ctx.session()
    codecs = set(c.welcome.get(K_CODECS))
    codec = next(x for x in (200, 201, 202, 127, 4) if x not in codecs)
    c.publish(ctx.topic(), b"x", qos=1, packet_id=3, codec=codec, complete=False)
    f = c.expect(what="NACK for codec %d" % codec)
    require(f.type == NACK and f.stream == 3 and f.code == CODE["UNSUPPORTED_CODEC"],
            "expected NACK(UNSUPPORTED_CODEC) for packet 3, got %r" % f, f)
    c.echo(1)


@check("qos2-both-directions")
def c_qos2(ctx):
    """§8 QoS 2: PUBLISH -> PUBREC -> PUBREL -> PUBCOMP from the publisher to the server and from
    the server to the subscriber; delivered once."""
    topic = ctx.topic()
    sub = ctx.session("sub")
    sub.subscribe(1, (topic, 2))
    pub = ctx.session("pub")
    pub.publish(topic, b"exactly-once", qos=2, packet_id=42)
    f = sub.recv_type(PUBLISH, what="QoS 2 delivery")
    require(f.qos == 2 and f.stream != 0 and f.payload == b"exactly-once", "delivery %r" % f, f)
    sub.frame(PUBREC, stream=f.stream)
    r = sub.recv_type(PUBREL, what="PUBREL from the server")
    require(r.stream == f.stream, "PUBREL for %d, expected %d" % (r.stream, f.stream), r)
    sub.frame(PUBCOMP, stream=f.stream)
    sub.nothing_for(0.5, "re-delivery after PUBCOMP")


@check("qos2-duplicate-publish-delivered-once")
def c_qos2_dup(ctx):
    """§8: the QoS 2 receiver delivers once and keeps the packet id until PUBREL: a DUP re-send of
    the PUBLISH before PUBREL gets PUBREC again but no second delivery."""
    topic = ctx.topic()
    sub = ctx.session("sub")
    sub.subscribe(1, (topic, 2))
    pub = ctx.session("pub")
    pub.publish(topic, b"once", qos=2, packet_id=5, complete=False)
    f = pub.recv_type(PUBREC, what="PUBREC")
    require(f.stream == 5, "PUBREC for %d" % f.stream, f)
    pub.publish(topic, b"once", qos=2, packet_id=5, dup=True, complete=False)
    f = pub.recv_type(PUBREC, what="PUBREC for the DUP re-send")
    require(f.stream == 5, "PUBREC for %d" % f.stream, f)
    pub.frame(PUBREL, stream=5)
    f = pub.recv_type(PUBCOMP, what="PUBCOMP")
    require(f.stream == 5, "PUBCOMP for %d" % f.stream, f)
    pub.publish(topic, b"marker", qos=1, packet_id=6)
    d = sub.delivery()
    require(d.payload == b"once", "first delivery %r" % d.payload, d)
    d = sub.delivery()
    require(d.payload == b"marker", "the QoS 2 message was delivered twice (%r before the marker)" % d.payload, d)


@check("wildcards")
def c_wildcards(ctx):
    """§8: '+' matches exactly one level, '#' the rest (last level only)."""
    base = ctx.topic()
    plus = ctx.session("plus")
    plus.subscribe(1, (base + "/+/temp", 1))
    hash_ = ctx.session("hash")
    hash_.subscribe(1, (base + "/#", 1))
    pub = ctx.session("pub")
    pub.publish(base + "/a/temp", b"1", qos=1, packet_id=1)
    pub.publish(base + "/a/b/temp", b"2", qos=1, packet_id=2)
    pub.publish(base + "/a/hum", b"3", qos=1, packet_id=3)
    pub.publish(base + "/b/temp", b"4", qos=1, packet_id=4)
    got_plus = [plus.delivery().payload, plus.delivery().payload]
    require(got_plus == [b"1", b"4"], "'+/temp' got %r, expected [1, 4]" % got_plus)
    plus.nothing_for(0.3, "deliveries not matching '+'")
    got_hash = sorted(hash_.delivery().payload for _ in range(4))
    require(got_hash == [b"1", b"2", b"3", b"4"], "'#' got %r" % got_hash)


@check("retained")
def c_retained(ctx):
    """§8: a retained message is sent to new subscribers after SUBACK, with RETAIN; live deliveries do
    not carry RETAIN; a retained PUBLISH with an empty payload clears it."""
    topic = ctx.topic()
    live = ctx.session("live")
    live.subscribe(1, (topic, 1))
    pub = ctx.session("pub")
    pub.publish(topic, b"r1", qos=1, packet_id=1, retain=True)
    f = live.delivery()
    require(f.payload == b"r1" and not f.flags & RETAIN, "live delivery of a retained publish %r" % f, f)
    new = ctx.conn("new")
    new.hello()
    new.frame(SUBSCRIBE, stream=1, meta=[(K_SUBSCRIPTION, b"\x01" + topic.encode())])
    f = new.expect(what="SUBACK")
    require(f.type == SUBACK, "SUBACK must come before the retained message (§8), got %r" % f, f)
    f = new.delivery()
    require(f.payload == b"r1" and f.flags & RETAIN, "retained message without RETAIN or wrong: %r" % f, f)
    require(f.get(K_TOPIC) == topic.encode(), "retained message on topic %r" % f.get(K_TOPIC), f)
    # a newer retained message replaces it
    pub.publish(topic, b"r2", qos=1, packet_id=2, retain=True)
    # clear it
    pub.publish(topic, b"", qos=1, packet_id=3, retain=True)
    late = ctx.session("late")
    late.subscribe(1, (topic, 1))
    pub.publish(topic, b"marker", qos=1, packet_id=4)
    f = late.delivery()
    require(f.payload == b"marker", "after clearing, a new subscriber got %r (RETAIN=%d) before the live"
            " marker" % (f.payload, bool(f.flags & RETAIN)), f)


@check("retained-wildcard-subscribe")
def c_retained_wild(ctx):
    """§8: a new subscription's retained messages include every topic its wildcard filter matches."""
    base = ctx.topic()
    pub = ctx.session("pub")
    pub.publish(base + "/x/1", b"a", qos=1, packet_id=1, retain=True)
    pub.publish(base + "/y/1", b"b", qos=1, packet_id=2, retain=True)
    s = ctx.session("sub")
    s.subscribe(1, (base + "/+/1", 1))
    got = sorted((s.delivery().payload for _ in range(2)))
    require(got == [b"a", b"b"], "retained via '+' got %r" % got)
    for t in ("/x/1", "/y/1"):
        pub.publish(base + t, b"", qos=1, packet_id=3, retain=True)


@check("dollar-topics-refused")
def c_dollar(ctx):
    """§8: topics beginning with '$' are reserved for the server: a client PUBLISH to one is refused
    (NACK; the spec names no code, TOPIC_INVALID or PERMISSION_DENIED accepted) and not delivered."""
    topic = "$conf/" + ctx.uniq("x")
    sub = ctx.session("sub")
    sub.subscribe(1, (topic, 1))
    pub = ctx.session("pub")
    pub.publish(topic, b"nope", qos=1, packet_id=9, complete=False)
    f = pub.expect(what="NACK for a '$' topic")
    require(f.type == NACK and f.stream == 9, "PUBLISH QoS 1 to %r answered %r, expected NACK" % (topic, f), f)
    require(f.code in (CODE["TOPIC_INVALID"], CODE["PERMISSION_DENIED"]), "NACK with %s" % err_name(f.code), f)
    pub.publish(topic, b"nope0", qos=0)
    sub.nothing_for(0.3, "delivery of a client '$' publish")
    ctx.note("NACK %s" % err_name(f.code))


@check("topic-invalid")
def c_topic_invalid(ctx):
    """§5: TOPIC is UTF-8 of 1-1024 bytes; a QoS 1 PUBLISH with an empty, over-long, non-UTF-8 or
    missing topic is refused (NACK TOPIC_INVALID, or a PROTOCOL_ERROR connection error)."""
    forms = []
    cases = [("empty", b""), ("1025 bytes", b"a" * 1025), ("not UTF-8", b"a/\xff\xfe"),
             ("overlong UTF-8", b"a\xc0\xafb"), ("UTF-8 surrogate", b"a/\xed\xa0\x80"), ("missing", None)]
    for what, t in cases:
        c = ctx.session()
        meta = [] if t is None else [(K_TOPIC, t)]
        c.frame(PUBLISH, flags=1, stream=1, meta=meta, payload=b"x")
        f = c.expect(what="refusal of a PUBLISH with a %s topic" % what)
        if f.type == NACK:
            require(f.stream == 1 and f.code == CODE["TOPIC_INVALID"], "%s topic: %r" % (what, f), f)
            forms.append("%s: NACK %s" % (what, err_name(f.code)))
            c.echo(1)
        else:
            require(f.type in (ERROR, GOAWAY) and f.stream == 0 and f.code in (
                CODE["PROTOCOL_ERROR"], CODE["TOPIC_INVALID"]), "%s topic: %r" % (what, f), f)
            c.expect_closed()
            forms.append("%s: connection error %s" % (what, err_name(f.code)))
    c = ctx.session()
    c.publish("a" * 1024 + "", b"x", qos=1, packet_id=1)
    ctx.note("; ".join(forms))


@check("shared-subscription")
def c_share(ctx):
    """§8: '$share/GROUP/FILTER' delivers each message to one member of GROUP; a plain subscriber
    still gets every message."""
    topic = ctx.topic()
    group = ctx.uniq("g")
    members = []
    for i in range(2):
        m = ctx.session("member%d" % i)
        g = m.subscribe(1, ("$share/%s/%s" % (group, topic), 1))
        require(g[0] in (0, 1), "shared filter refused: 0x%02x" % g[0])
        members.append(m)
    plain = ctx.session("plain")
    plain.subscribe(1, (topic, 1))
    pub = ctx.session("pub")
    n = 8
    for i in range(n):
        pub.publish(topic, b"s%d" % i, qos=1, packet_id=i + 1)
    all_ = sorted(plain.delivery().payload for _ in range(n))
    require(all_ == sorted(b"s%d" % i for i in range(n)), "plain subscriber got %r" % all_)
    got = []
    counts = []
    for m in members:
        k = 0
        while True:
            try:
                f = m.recv(0.5)
            except TimedOut:
                break
            require(f.type == PUBLISH, "unexpected %r" % f, f)
            m.ack(f)
            got.append(f.payload)
            k += 1
        counts.append(k)
    require(sorted(got) == sorted(b"s%d" % i for i in range(n)),
            "group members got %r together; each message must reach exactly one member" % sorted(got))
    ctx.note("split between members: %s" % counts)


@check("unsubscribe")
def c_unsub(ctx):
    """§4/§8: UNSUBSCRIBE (TOPIC entries) -> UNSUBACK on the same stream; no more deliveries."""
    t1, t2 = ctx.topic("a"), ctx.topic("b")
    s = ctx.session("sub")
    s.subscribe(1, (t1, 1), (t2, 1))
    s.frame(UNSUBSCRIBE, stream=3, meta=[(K_TOPIC, t1.encode())])
    f = s.recv_type(UNSUBACK, what="UNSUBACK")
    require(f.stream == 3, "UNSUBACK on stream %d" % f.stream, f)
    pub = ctx.session("pub")
    pub.publish(t1, b"gone", qos=1, packet_id=1)
    pub.publish(t2, b"still", qos=1, packet_id=2)
    f = s.delivery()
    require(f.payload == b"still", "delivery %r after UNSUBSCRIBE" % f.payload, f)
    s.nothing_for(0.3, "deliveries for the unsubscribed filter")
    s.frame(UNSUBSCRIBE, stream=5, meta=[(K_TOPIC, t2.encode()), (K_TOPIC, b"never/subscribed")])
    f = s.recv_type(UNSUBACK, what="UNSUBACK for two TOPIC entries")
    require(f.stream == 5, "UNSUBACK on stream %d" % f.stream, f)
    pub.publish(t2, b"gone", qos=1, packet_id=3)
    s.nothing_for(0.3, "deliveries after unsubscribing everything")


@check("receive-window")
def c_window(ctx):
    """§8 Window: the server has at most the client's RECEIVE_WINDOW QoS 1/2 PUBLISH unacknowledged;
    more waits. A subscriber announcing RECEIVE_WINDOW 1 sees the next only after its PUBACK."""
    topic = ctx.topic()
    s = ctx.conn("sub")
    s.hello(receive_window=1)
    s.subscribe(1, (topic, 1))
    pub = ctx.session("pub")
    for i in range(3):
        pub.publish(topic, b"w%d" % i, qos=1, packet_id=i + 1)
    for i in range(3):
        f = s.delivery(ack=False)
        require(f.payload == b"w%d" % i, "delivery %r, expected w%d" % (f.payload, i), f)
        s.nothing_for(0.4, "a second unacknowledged QoS 1 PUBLISH with RECEIVE_WINDOW 1")
        s.ack(f)


@check("nack-overloaded-retried-other-final")
def c_nack(ctx):
    """§8: NACK(OVERLOADED) makes the sender retry that message later (backoff); NACK with any other
    code is final: the message is dropped."""
    topic = ctx.topic()
    s = ctx.session("sub")
    s.subscribe(1, (topic, 1))
    pub = ctx.session("pub")
    pub.publish(topic, b"busy", qos=1, packet_id=1)
    f = s.delivery(ack=False)
    s.frame(NACK, stream=f.stream, meta=[(K_ERROR_CODE, u16(CODE["OVERLOADED"]))])
    t0 = time.monotonic()
    g = s.recv_type(PUBLISH, timeout=30, what="retry after NACK(OVERLOADED)")
    require(g.payload == b"busy", "retry carries %r" % g.payload, g)
    ctx.note("retried after %.2f s, packet id %s, DUP=%d" % (time.monotonic() - t0,
             "same" if g.stream == f.stream else "new", bool(g.flags & DUP)))
    s.ack(g)
    pub.publish(topic, b"bad", qos=1, packet_id=2)
    f = s.delivery(ack=False)
    require(f.payload == b"bad", "delivery %r" % f.payload, f)
    s.frame(NACK, stream=f.stream, meta=[(K_ERROR_CODE, u16(CODE["INVALID_PAYLOAD"]))])
    pub.publish(topic, b"next", qos=1, packet_id=3)
    f = s.delivery()
    require(f.payload == b"next", "after a final NACK the message came again: %r" % f.payload, f)
    s.nothing_for(1.5, "re-delivery of a message refused with NACK(INVALID_PAYLOAD)")


def resume(ctx, old, expiry=60):
    """Reconnects with the SESSION_ID (and CLIENT_ID, see README: without AUTH this server treats
    the client id as the session's owner) of `old`; expects SESSION_PRESENT = 1. If the server has
    not yet noticed the old connection's close this is a takeover, also SESSION_PRESENT = 1."""
    sid = old.welcome.get(K_SESSION_ID)
    c = ctx.conn("resumed")
    w = c.hello(session_id=sid, expiry=expiry, client_id=old.client_id)
    require(w.get(K_SESSION_PRESENT) == b"\x01", "SESSION_PRESENT %r on resume" % w.get(K_SESSION_PRESENT), w)
    require(w.get(K_SESSION_ID) == sid, "resumed with another SESSION_ID", w)
    return c


@check("session-resume-queued")
def c_resume(ctx):
    """§8: with SESSION_EXPIRY_S > 0 the server keeps subscriptions and queues messages while the
    client is away; the resume gets SESSION_PRESENT = 1 and the QoS 1 message published meanwhile."""
    topic = ctx.topic()
    s = ctx.conn("sub")
    s.hello(expiry=60)
    s.subscribe(1, (topic, 1))
    s.close()
    pub = ctx.session("pub")
    pub.publish(topic, b"while-away", qos=1, packet_id=1)
    pub.publish(topic, b"while-away-2", qos=1, packet_id=2)
    r = resume(ctx, s)
    a = r.delivery()
    b = r.delivery()
    require([a.payload, b.payload] == [b"while-away", b"while-away-2"],
            "after resume got %r, %r" % (a.payload, b.payload), b)
    r.nothing_for(0.3, "duplicates")
    # subscription still in place after the resume
    pub.publish(topic, b"live", qos=1, packet_id=3)
    require(r.delivery().payload == b"live", "resumed session lost its subscription")


@check("session-resume-retransmits-with-dup")
def c_resume_dup(ctx):
    """§8: unacknowledged PUBLISH are re-sent with DUP set, same packet id, when the session resumes."""
    topic = ctx.topic()
    s = ctx.conn("sub")
    s.hello(expiry=60)
    s.subscribe(1, (topic, 1))
    pub = ctx.session("pub")
    pub.publish(topic, b"unacked", qos=1, packet_id=1)
    f = s.delivery(ack=False)
    s.close()
    r = resume(ctx, s)
    g = r.recv_type(PUBLISH, what="re-sent PUBLISH")
    require(g.payload == b"unacked" and g.flags & DUP and g.stream == f.stream and g.qos == 1,
            "re-sent %r (DUP=%d, packet %d; first was %d)" % (g, bool(g.flags & DUP), g.stream, f.stream), g)
    r.ack(g)
    r.nothing_for(0.3, "further re-sends")


@check("session-resume-qos2-pubrel")
def c_resume_pubrel(ctx):
    """§8: a QoS 2 delivery acknowledged with PUBREC but not completed is continued on resume with
    PUBREL (DUP set), not a second PUBLISH: nothing delivered twice at QoS 2."""
    topic = ctx.topic()
    s = ctx.conn("sub")
    s.hello(expiry=60)
    s.subscribe(1, (topic, 2))
    pub = ctx.session("pub")
    pub.publish(topic, b"q2", qos=2, packet_id=1)
    f = s.delivery(ack=False)
    s.frame(PUBREC, stream=f.stream)
    r0 = s.recv_type(PUBREL, what="PUBREL")
    s.close()
    r = resume(ctx, s)
    g = r.expect(what="re-sent PUBREL")
    require(g.type == PUBREL and g.stream == f.stream, "after resume expected PUBREL %d, got %r" % (f.stream, g), g)
    require(g.flags & DUP, "re-sent PUBREL without DUP (§8)", g)
    r.frame(PUBCOMP, stream=g.stream)
    r.nothing_for(0.3, "a second delivery of the QoS 2 message")
    del r0


@check("goaway-on-sigterm")
def c_goaway(ctx):
    """§4/§7: on shutdown the server sends GOAWAY (ERROR_CODE, LAST_STREAM_ID) on stream 0, finishes
    accepted work up to LAST_STREAM_ID, then closes. Runs last: the server stops."""
    if not ctx.sigterm_pid:
        raise Skip("no --sigterm-pid")
    c = ctx.session()
    for s in (1, 3, 5):
        c.echo(s)
    os.kill(ctx.sigterm_pid, signal.SIGTERM)
    f = c.recv_type(GOAWAY, timeout=30, what="GOAWAY after SIGTERM")
    last = f.u(K_LAST_STREAM_ID)
    require(last is not None, "GOAWAY without LAST_STREAM_ID", f)
    require(last == 5, "GOAWAY LAST_STREAM_ID %d; stream 5 was the last one sent and answered" % last, f)
    c.expect_closed(timeout=30)
    ctx.note("GOAWAY %s LAST_STREAM_ID %d message %r" % (err_name(f.code), last, f.message))


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description="MCP/1 conformance checker (from MCP-SPEC.md)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=19779)
    ap.add_argument("--token", help="AUTH token the server requires (enables the bad-AUTH checks)")
    ap.add_argument("--token2", help="a second token of the same server (another owner)")
    ap.add_argument("--handshake-timeout", type=float, default=10.0,
                    help="the server's handshake timeout in seconds (default 10, the spec's)")
    ap.add_argument("--sigterm-pid", type=int, help="server pid: the last check SIGTERMs it (GOAWAY)")
    ap.add_argument("--timeout", type=float, default=5.0, help="per-read timeout in seconds")
    ap.add_argument("--only", help="comma-separated check names to run")
    ap.add_argument("--list", action="store_true", help="list the checks and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name, fn in CHECKS:
            print("%-45s %s" % (name, (fn.__doc__ or "").strip().split("\n")[0]))
        return 0
    only = set(args.only.split(",")) if args.only else None
    ctx = Ctx(args)
    failed = passed = skipped = 0
    t_all = time.monotonic()
    for name, fn in CHECKS:
        if only and name not in only:
            continue
        ctx.conns, ctx.notes = [], []
        t0 = time.monotonic()
        try:
            fn(ctx)
            status, detail = "PASS", ""
        except Skip as e:
            status, detail = "SKIP", ": %s" % e
        except Fail as e:
            status, detail = "FAIL", ": %s" % e.reason
            if e.sent:
                detail += " | sent %s" % hexs(e.sent)
            if e.frame is not None:
                detail += " | got %s" % hexs(e.frame.raw)
        except Exception as e:            # socket errors and bugs are failures too, never hangs
            status, detail = "FAIL", ": %s: %s | %s" % (
                type(e).__name__, e, traceback.format_exc().strip().splitlines()[-3].strip())
        finally:
            for c in ctx.conns:
                c.close()
        ms = (time.monotonic() - t0) * 1000
        print("%s %s%s (%.0f ms)" % (status, name, detail, ms), flush=True)
        for n in ctx.notes:
            print("INFO %s: %s" % (name, n), flush=True)
        failed += status == "FAIL"
        passed += status == "PASS"
        skipped += status == "SKIP"
    print("%d passed, %d failed, %d skipped in %.1f s" % (passed, failed, skipped, time.monotonic() - t_all))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
