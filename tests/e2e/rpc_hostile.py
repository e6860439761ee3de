#!/usr/bin/python3
"""Hostile clients against the real choradd (not the test server).

usage: rpc_hostile.py SOCKET LOG

Truncated and malformed msgpack, wrong types, unknown methods, requests
before hello, a 17 MiB message, 1,000 pipelined requests, and a client
that never reads its replies: each gets an error or a closed connection,
and all the while another client is served and the daemon stays up.
Prints "ok: ..." per case; exits 1 on the first failure.
"""
import os
import socket
import sys
import time

import msgpack

PROTO_VERSION = 1
E_INVALID, E_NO_METHOD, E_PARAMS, E_NO_HELLO, E_TOO_BIG = 1, 2, 3, 5, 7


def fail(what):
    print("FAIL:", what)
    sys.exit(1)


class Conn:
    def __init__(self, path, hello=True):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.unpacker = msgpack.Unpacker(raw=False,
                                         max_buffer_size=64 << 20)
        self.msgid = 0
        if hello:
            err, res = self.call("hello", {"version": PROTO_VERSION,
                                           "client": "rpc_hostile"})
            if err:
                fail("hello: %r" % (err,))

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, method, *params):
        self.msgid += 1
        self.send_raw(msgpack.packb([0, self.msgid, method, list(params)]))
        return self.msgid

    def recv(self):
        """The next message, or None at EOF."""
        while True:
            for msg in self.unpacker:
                return msg
            try:
                data = self.sock.recv(1 << 20)
            except ConnectionResetError:
                return None
            if not data:
                return None
            self.unpacker.feed(data)

    def call(self, method, *params):
        msgid = self.send(method, *params)
        msg = self.recv()
        if msg is None or msg[0] != 1 or msg[1] != msgid:
            fail("%s: unexpected answer %r" % (method, msg))
        return msg[2], msg[3]

    def closed(self):
        """Does the daemon close this connection (after any replies)?"""
        while True:
            msg = self.recv()
            if msg is None:
                return True

    def close(self):
        self.sock.close()


def error_code(err):
    return err.get("code") if isinstance(err, dict) else None


def served(path, pid):
    """A fresh client is answered, by the same daemon."""
    c = Conn(path)
    err, res = c.call("status")
    c.close()
    if err or res["pid"] != pid:
        fail("the daemon stopped serving: %r %r" % (err, res))


def main():
    path, log = sys.argv[1], sys.argv[2]
    good = Conn(path)
    err, st = good.call("status")
    pid = st["pid"]

    # Truncated: half a request, then silence, then a hang-up.
    c = Conn(path)
    c.send_raw(msgpack.packb([0, 9, "status", [{}]])[:5])
    served(path, pid)
    c.close()
    c = Conn(path, hello=False)
    c.send_raw(b"\x94\x00")
    c.close()
    served(path, pid)
    print("ok: truncated msgpack")

    # Malformed: 0xc1 is never used by msgpack.
    c = Conn(path)
    c.send_raw(b"\xc1\xc1\xc1")
    if not c.closed():
        fail("malformed msgpack left open")
    served(path, pid)
    print("ok: malformed msgpack closes the connection")

    # Wrong types and shapes, each answered with an error.
    cases = [
        (("generate", {"ids": 5}), E_PARAMS, "ids"),
        (("generate", {"force": "yes"}), E_PARAMS, "force"),
        (("list", {"type": "bogus"}), E_PARAMS, "type"),
        (("list", {}), E_PARAMS, "type"),
        (("notify", {"paths": [1, 2]}), E_PARAMS, "paths"),
        (("show", {"id": "x", "surprise": 1}), E_PARAMS, "surprise"),
        (("wait", {"timeout_ms": -5}), E_PARAMS, "timeout_ms"),
        (("status", {"root": 7}), E_PARAMS, "root"),
        (("status", [1, 2]), E_INVALID, "params"),
    ]
    for (method, params), code, word in cases:
        err, res = good.call(method, params)
        if error_code(err) != code or (word and word not in err["message"]):
            fail("%s %r: %r" % (method, params, err))
    good.send_raw(msgpack.packb([0, 777, 42, []]))
    msg = good.recv()
    if msg[1] != 777 or error_code(msg[2]) != E_INVALID:
        fail("method as a number: %r" % (msg,))
    good.send_raw(msgpack.packb([0, 778, "status", "params"]))
    msg = good.recv()
    if msg[1] != 778 or msg[2] is None:
        fail("params as a string: %r" % (msg,))
    print("ok: wrong types get invalid_params / invalid_request")

    err, res = good.call("frobnicate", {})
    if error_code(err) != E_NO_METHOD or "frobnicate" not in err["message"]:
        fail("unknown method: %r" % (err,))
    c = Conn(path, hello=False)
    err, res = c.call("status")
    if error_code(err) != E_NO_HELLO:
        fail("status before hello: %r" % (err,))
    c.close()
    c = Conn(path, hello=False)
    err, res = c.call("hello", {"version": 999})
    if err is None or "999" not in err["message"]:
        fail("version mismatch: %r" % (err,))
    c.close()
    print("ok: unknown method, hello required, version mismatch")

    # 17 MiB: refused as soon as its size is known; the connection goes.
    c = Conn(path)
    big = msgpack.packb([0, 4242, "notify", [{"paths": ["x" * (17 << 20)]}]])
    try:
        c.send_raw(big)
    except (BrokenPipeError, ConnectionResetError):
        pass
    msg = c.recv()
    if msg is not None and (msg[1] != 4242 or error_code(msg[2]) !=
                            E_TOO_BIG):
        fail("17 MiB: %r" % (msg[:3],))
    if msg is not None and not c.closed():
        fail("17 MiB: connection left open")
    served(path, pid)
    print("ok: a 17 MiB message is refused%s" %
          (" (too_large)" if msg else " (closed)"))

    # 1,000 pipelined requests in one write: 1,000 answers, in order.
    c = Conn(path)
    buf = b"".join(msgpack.packb([0, 1000 + i, m, [p]]) for i, (m, p) in
                   enumerate([("status", {}), ("list", {"type": "content"}),
                              ("health", {}), ("stale", {})] * 250))
    c.send_raw(buf)
    for i in range(1000):
        msg = c.recv()
        if msg is None or msg[0] != 1 or msg[1] != 1000 + i or msg[2]:
            fail("pipelined answer %d: %r" % (i, msg and msg[:3]))
    c.close()
    print("ok: 1,000 pipelined requests answered in order")

    # A client that never reads: 64 requests for a 1 MiB text.  The
    # daemon disconnects it once 32 MiB of replies wait; meanwhile the
    # good client is answered.
    lazy = Conn(path)
    lazy.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for i in range(64):
        try:
            lazy.send("show", {"id": "big"})
        except (BrokenPipeError, ConnectionResetError):
            break
    deadline = time.time() + 30
    answered = 0
    while time.time() < deadline:
        err, res = good.call("status")
        if err or res["pid"] != pid:
            fail("status while a client does not read: %r" % (err,))
        answered += 1
        if "is not reading its replies" in open(log).read():
            break
        time.sleep(0.01)
    else:
        fail("the lazy client was never disconnected")
    lazy.close()
    served(path, pid)
    print("ok: a client that never reads is cut off; %d answers to "
          "another meanwhile" % answered)
    good.close()


main()
