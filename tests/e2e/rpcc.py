#!/usr/bin/python3
"""A minimal msgpack-rpc client for the daemon's end-to-end tests.

usage: rpcc.py SOCKET METHOD [JSON-PARAMS] [--repeat N --stats]

Sends hello, then METHOD with the params map, prints the result as JSON
(or the error, exit 1).  With --repeat N --stats it sends the method N
times and prints the latency median/p99/max in milliseconds and how many
answers said a pass was running.
"""
import json, socket, sys, time
import msgpack

def call(sock, unpacker, msgid, method, params):
    sock.sendall(msgpack.packb([0, msgid, method, [params]]))
    while True:
        for msg in unpacker:
            if msg[0] == 1 and msg[1] == msgid:
                return msg[2], msg[3]
        data = sock.recv(65536)
        if not data:
            raise SystemExit("connection closed")
        unpacker.feed(data)

def main():
    path, method = sys.argv[1], sys.argv[2]
    params = json.loads(sys.argv[3]) if len(sys.argv) > 3 and \
        not sys.argv[3].startswith("--") else {}
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) \
        if "--repeat" in sys.argv else 1
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    u = msgpack.Unpacker(raw=False)
    err, res = call(s, u, 1, "hello", {"version": 1, "client": "rpcc"})
    if err:
        raise SystemExit("hello: %r" % (err,))
    lat = []
    busy = 0
    for i in range(repeat):
        t0 = time.perf_counter()
        err, res = call(s, u, 2 + i, method, params)
        lat.append((time.perf_counter() - t0) * 1e3)
        if err:
            print(json.dumps(err))
            sys.exit(1)
        if isinstance(res, dict) and any(r.get("state") == "generating"
                                         for r in res.get("roots", [])):
            busy += 1
    if "--stats" in sys.argv:
        lat.sort()
        print("n=%d p50=%.3f p99=%.3f max=%.3f ms generating=%d" % (
            len(lat), lat[len(lat) // 2], lat[min(len(lat) - 1,
            len(lat) * 99 // 100)], lat[-1], busy))
    else:
        print(json.dumps(res))

main()
