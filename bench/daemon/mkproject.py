#!/usr/bin/python3
"""Make a benchmark project: N items in one data file, one output each.

usage: mkproject.py DIR N [--fsync true|false] [--settle MS]

Each item is about 300 bytes of JSON, so N = 10,000 gives a 3 MB data
file.  The template reads only its item (so an edit to one item should
re-render one output) and includes a partial (so a template edit rewrites
every output).
"""
import json, os, sys

def main():
    d, n = sys.argv[1], int(sys.argv[2])
    fsync = "true"
    settle = 0
    args = sys.argv[3:]
    while args:
        if args[0] == "--fsync":
            fsync = args[1]; args = args[2:]
        elif args[0] == "--settle":
            settle = int(args[1]); args = args[2:]
        else:
            sys.exit("unknown option " + args[0])
    os.makedirs(d + "/templates", exist_ok=True)
    with open(d + "/chora.json", "w") as f:
        json.dump({"settle_ms": settle, "fsync": fsync == "true",
                   "jinja": {"trim_blocks": True, "lstrip_blocks": True,
                             "keep_trailing_newline": True}}, f)
    items = []
    for i in range(n):
        items.append({"name": "i%05d" % i, "v": i, "port": 10000 + i % 5000,
                      "image": "registry.example.com/team/service-%d" % (i % 97),
                      "env": {"MODE": "test", "SHARD": str(i % 16),
                              "OWNER": "team-%d" % (i % 7)},
                      "tags": ["a", "b", "c%d" % (i % 3)],
                      "note": "x" * 60})
    with open(d + "/data.json", "w") as f:
        json.dump({"project": "bench", "items": items}, f, indent=1)
    with open(d + "/templates/out.j2", "w") as f:
        f.write("# {{ item.name }} (v{{ item.v }})\n"
                "services:\n"
                "  {{ item.name }}:\n"
                "    image: {{ item.image }}:latest\n"
                "    ports: [\"{{ item.port }}\"]\n"
                "    environment:\n"
                "{% for k, v in item.env.items() %}\n"
                "      {{ k }}: \"{{ v }}\"\n"
                "{% endfor %}\n"
                "{% include 'templates/common.j2' %}\n")
    with open(d + "/templates/common.j2", "w") as f:
        f.write("    restart: always\n")
    os.makedirs(d + "/configs", exist_ok=True)
    with open(d + "/configs/items.json", "w") as f:
        json.dump({"id": "items", "type": "content",
                   "template": "templates/out.j2", "data": "data.json",
                   "foreach": "items", "key": "{{ item.name }}",
                   "output": "out/{{ item.name }}.txt"}, f)

main()
