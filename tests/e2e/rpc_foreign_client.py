#!/usr/bin/python3
"""End-to-end: a foreign msgpack-rpc client (Python's msgpack, not ours)
talks to the server as docs/protocol.md describes: hello, params as
[map] or [], error maps, pipelining, a stream, and the daemon's socket
files.  Runs rpc_testd (chora_rpc with test handlers) on a private
socket.

usage: rpc_foreign_client.py RPC_TESTD
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import msgpack

PROTO_VERSION = 1
E_PARAMS, E_NO_HELLO, E_NO_METHOD = 3, 5, 2


class Conn:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(20)
        self.sock.connect(path)
        self.unpacker = msgpack.Unpacker(raw=False)
        self.msgid = 0

    def send(self, method, *params):
        self.msgid += 1
        self.sock.sendall(msgpack.packb([0, self.msgid, method,
                                         list(params)]))
        return self.msgid

    def recv(self):
        while True:
            for msg in self.unpacker:
                return msg
            data = self.sock.recv(65536)
            if not data:
                return None
            self.unpacker.feed(data)

    def call(self, method, *params):
        msgid = self.send(method, *params)
        msg = self.recv()
        assert msg[0] == 1 and msg[1] == msgid, msg
        return msg[2], msg[3]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def main(testd):
    tmp = tempfile.mkdtemp(prefix="chora-e2e-")
    path = os.path.join(tmp, "run", "choradd.sock")
    log = open(os.path.join(tmp, "testd.log"), "w")
    proc = subprocess.Popen([testd, "--socket", path], stderr=log)
    try:
        for _ in range(1000):
            if os.path.exists(path):
                break
            time.sleep(0.01)
        check(oct(os.stat(os.path.dirname(path)).st_mode & 0o777) == "0o700",
              "socket directory is 0700")
        check(oct(os.stat(path).st_mode & 0o777) == "0o600",
              "socket is 0600")

        c = Conn(path)
        err, res = c.call("status")
        check(err["code"] == E_NO_HELLO, "hello must come first: %r" % err)
        err, res = c.call("hello", {"version": PROTO_VERSION,
                                    "client": "python"})
        check(err is None and res["version"] == PROTO_VERSION, "hello")
        check(res["pid"] == proc.pid, "hello names the server's pid")

        err, res = c.call("status")          # params [] is {}
        check(err is None and res["pid"] == proc.pid, "status with []")
        err, res = c.call("status", {})      # params [{}]
        check(err is None, "status with [{}]")

        err, res = c.call("generate", {"ids": "x"})
        check(err == {"code": E_PARAMS, "message":
                      "generate: field 'ids' must be an array of strings "
                      "(UTF-8, no NUL bytes)"} and res is None,
              "a wrong type is an error map: %r" % err)
        err, res = c.call("no.such.method")
        check(err["code"] == E_NO_METHOD, "unknown method")

        # Pipelined, answered in order.
        ids = [c.send("show", {"id": "p%d" % i}) for i in range(200)]
        for i, msgid in enumerate(ids):
            msg = c.recv()
            check(msg[1] == msgid and msg[3]["text"] == "p%d" % i,
                  "pipelined reply %d" % i)

        # A stream: notifications tagged with the request's msgid, then
        # the response.
        sid = c.send("subscribe", {"types": ["generated"]})
        for i in range(3):
            msg = c.recv()
            check(msg[0] == 2 and msg[1] == "event" and
                  msg[2][0]["stream"] == sid and msg[2][0]["line"] == i,
                  "event %d: %r" % (i, msg))
        msg = c.recv()
        check(msg[0] == 1 and msg[1] == sid and msg[3]["events"] == 3,
              "the response ends the stream")
        c.sock.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=20)
        log.close()
        subprocess.run(["rm", "-rf", tmp])
    check(rc == 0, "the server exited cleanly (%d)" % rc)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
