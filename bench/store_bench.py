#!/usr/bin/env python3
"""The Python peer of store_bench.c: the same queries, by the same SQL text
(from `store_bench sql`), on the same database, through Python's sqlite3
module -- what a Python implementation of the store would run.

usage: store_bench.py DIR N ROUNDS SQL_JSON [NAME]
prints "name median_us rows" per query, like store_bench query.
"""
import hashlib
import json
import sys
import time

import sqlite3

INCLUDES, SHARED_DATA, TEAMS, PER_CONFIG = 50, 20, 100, 11
FOLLOWS = ("dependency", "ttl")
WHY_ORDER = {"input": 0, "gone": 1, "config": 2, "part": 3, "ttl": 4,
             "never": 5, "drift": 6}


def shape(n):
    nart = n // 100
    ncfg = n // 10 - nart
    return {"nart": nart, "ncfg": ncfg, "ntpl": n // 100}


def input_hash(path, g):
    return hashlib.sha256(f"{path}@{g}".encode()).hexdigest()


def current_files(sh):
    files = {}
    for i in range(sh["ntpl"]):
        p = f"templates/t{i:04d}.j2"
        files[p] = input_hash(p, 2 if i == 42 else 1)
    for i in range(INCLUDES):
        p = f"templates/inc/{i:02d}.j2"
        files[p] = input_hash(p, 1)
    for i in range(sh["ncfg"]):
        p = f"data/cfg-{i:05d}.json"
        files[p] = input_hash(p, 1)
    for i in range(SHARED_DATA):
        p = f"data/shared-{i:02d}.json"
        files[p] = input_hash(p, 1)
    return files


class Bench:
    def __init__(self, path, n, sql):
        self.db = sqlite3.connect(f"file:{path}/.chora/storage.db?mode=ro",
                                  uri=True, isolation_level=None)
        # The same connection settings as the C store (store_sqlite_schema.c).
        self.db.execute("PRAGMA cache_size = -16384")
        self.db.execute("PRAGMA mmap_size = 1073741824")
        self.q = sql
        self.sh = shape(n)
        self.ws = self.db.execute(sql["ws_get"], ("default",)).fetchone()[0]
        self.files = current_files(self.sh)
        self.iter = 0
        self.rows = 0

    def load_config(self):
        cid = f"cfg-{(self.iter * 7919) % (self.sh['ncfg'] + self.sh['nart']):05d}"
        row = self.db.execute(self.q["config_head"], (self.ws, cid)).fetchone()
        assert row is not None
        self.rows = 1

    def list_configs(self):
        rows = self.db.execute(self.q["list_configs"],
                               (self.ws, 0, None, -1)).fetchall()
        self.rows = len(rows)

    def context_query(self):
        team = f"t{self.iter % TEAMS:02d}"
        rows = self.db.execute(self.q["list_context"],
                               (self.ws, 0, None, -1, "team", team)).fetchall()
        self.rows = len(rows)

    def tree(self, sql, kind, node):
        m = self.q["tree_max_rows"]
        return self.db.execute(self.q[sql], (self.ws, kind, node, m, m)).fetchall()

    def dep_tree(self):
        self.rows = len(self.tree("tree", "content",
                                  f"art-{self.iter % self.sh['nart']:04d}"))

    def reverse_tree(self):
        self.rows = len(self.tree("tree_reverse", "template",
                                  f"templates/t{self.iter % self.sh['ntpl']:04d}.j2"))

    def freshness(self):
        db, q, ws = self.db, self.q, self.ws
        stale, seen, queue = [], set(), []

        def add(cid, why, kind, iid, old, new, exp, depth):
            stale.append((cid, why, kind, iid, old, new, exp))
            if cid not in seen:
                seen.add(cid)
                queue.append((cid, depth))

        def follows(cid):
            row = db.execute(q["head_strategy"], (ws, cid)).fetchone()
            return row is not None and row[0] in FOLLOWS and row[1] != "removed"

        def readers(why, kind, iid, old, new, depth):
            for pk, pid in db.execute(q["deps_parents"],
                                      (ws, kind, iid, old)).fetchall():
                if pk == "content" and follows(pid):
                    add(pid, why, kind, iid, old, new, 0, depth)

        db.execute("BEGIN")
        for kind, iid, path, old in db.execute(q["input_files"], (ws,)).fetchall():
            now = self.files.get(path)
            if now is None:
                readers("gone", kind, iid, old, None, 0)
            elif now != old:
                readers("input", kind, iid, old, now, 0)
        for sql, kind, why in (("input_configs", "config", "config"),
                               ("input_content", "content", "part")):
            for iid, old, now in db.execute(q[sql], (ws,)).fetchall():
                readers(why if now is not None else "gone", kind, iid, old,
                        now, 0)
        for cid, exp in db.execute(q["head_expired"],
                                   (ws, int(time.time() * 1000))).fetchall():
            add(cid, "ttl", "content", None, None, None, exp, 0)
        for cid, kind in db.execute(q["head_unusual"], (ws,)).fetchall():
            add(cid, "drift" if kind == "drift" else "never", "content",
                None, None, None, 0, 0)
        i = 0
        while i < len(queue):
            cid, depth = queue[i]
            i += 1
            if depth < 64:
                readers("part", "content", cid, None, None, depth + 1)
        db.execute("COMMIT")
        stale.sort(key=lambda s: (s[0], WHY_ORDER[s[1]]))
        self.rows = len(stale)


QUERIES = [("load_config", "load_config", 2000),
           ("list_configs", "list_configs", 50),
           ("context_query", "context_query", 100),
           ("dep_tree", "dep_tree", 1000),
           ("reverse_tree", "reverse_tree", 200),
           ("freshness", "freshness", 20)]


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    path, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(sys.argv[4]) as f:
        sql = json.load(f)
    only = sys.argv[5] if len(sys.argv) == 6 else None
    b = Bench(path, n, sql)
    for name, method, iters in QUERIES:
        if only is not None and only != name:
            continue
        fn = getattr(b, method)
        times = []
        for b.iter in range(iters * rounds):
            t0 = time.perf_counter_ns()
            fn()
            times.append(time.perf_counter_ns() - t0)
        times.sort()
        print(f"{name} {times[len(times) // 2] / 1000:.1f} {b.rows}")


if __name__ == "__main__":
    main()
