#!/usr/bin/python3
"""rpc_peer -- the Python peer for rpc_bench.

The same trivial msgpack-rpc server rpc_bench runs in process (hello and
status over a Unix socket), written the way a Python tool would write it:
asyncio streams and msgpack's streaming Unpacker.  rpc_bench --socket
PATH measures it with the same client as chora_rpc.

usage: rpc_peer.py SOCKET   (serves until killed)
"""
import asyncio
import os
import sys

import msgpack

PROTO_VERSION = 1


async def serve(reader, writer):
    unpacker = msgpack.Unpacker(raw=False, max_buffer_size=16 << 20)
    while True:
        data = await reader.read(65536)
        if not data:
            break
        unpacker.feed(data)
        for msg in unpacker:
            if not (isinstance(msg, list) and len(msg) == 4 and msg[0] == 0):
                continue
            _, msgid, method, params = msg
            if method == "hello":
                result = {"version": PROTO_VERSION, "server": "rpc_peer.py",
                          "pid": os.getpid()}
            elif method == "status":
                result = {"server": "rpc_peer.py", "pid": os.getpid(),
                          "uptime": 0, "connections": 0, "roots": []}
            else:
                err = {"code": 2, "message": "unknown method '%s'" % method}
                writer.write(msgpack.packb([1, msgid, err, None]))
                continue
            writer.write(msgpack.packb([1, msgid, None, result]))
        await writer.drain()
    writer.close()


async def main(path):
    server = await asyncio.start_unix_server(serve, path=path)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        pass
