#!/usr/bin/env python3
"""The Python peer of tmpl_bench.c: Jinja2's render throughput.

    tmpl_bench.py TEMPLATE DATA.json RUNS RENDERS_PER_RUN

Same options (trim_blocks, lstrip_blocks, StrictUndefined), the template
compiled once, the same output line as tmpl_bench.c.
"""
import hashlib
import json
import os
import resource
import statistics
import sys
import time

import jinja2


def main():
    path, data_path, runs, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(data_path, encoding="utf-8") as f:
        data = json.load(f)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.dirname(os.path.abspath(path))),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    tmpl = env.get_template(os.path.basename(path))
    out = tmpl.render(**data)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(per):
            tmpl.render(**data)
        times.append((time.perf_counter() - start) / per * 1e6)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    enc = out.encode("utf-8")
    print(f"median_us={statistics.median(times):.2f} min_us={min(times):.2f} "
          f"bytes={len(enc)} sha256={hashlib.sha256(enc).hexdigest()} "
          f"maxrss_kb={rss}")


if __name__ == "__main__":
    main()
