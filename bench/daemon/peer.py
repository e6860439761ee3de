#!/usr/bin/python3
"""The Python peer: what a user would otherwise write.

usage: peer.py ROOT [--once] [--fsync]

An in-process watcher (python3-watchdog) over the same project as the
benchmark's choradd: Jinja2 with cached templates, the data re-parsed on
change and only the items that changed re-rendered, outputs written
atomically (temporary file + rename; with --fsync also fsync of the file
and of its folder).  It prints "ready" once the first generation is done.
"""
import json, os, sys, threading, time
import jinja2
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

ROOT = os.path.abspath(sys.argv[1])
ONCE = "--once" in sys.argv
FSYNC = "--fsync" in sys.argv
OUT = os.path.join(ROOT, "out")

env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT),
                         trim_blocks=True, lstrip_blocks=True,
                         keep_trailing_newline=True,
                         undefined=jinja2.StrictUndefined)
lock = threading.Lock()
state = {"items": {}}

def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        if FSYNC:
            f.flush(); os.fsync(f.fileno())
    os.rename(tmp, path)
    if FSYNC:
        fd = os.open(os.path.dirname(path), os.O_RDONLY)
        os.fsync(fd); os.close(fd)

def render(item, tmpl):
    write(os.path.join(OUT, item["name"] + ".txt"), tmpl.render(item=item))

def load():
    with open(os.path.join(ROOT, "data.json")) as f:
        return json.load(f)["items"]

def generate(all_items):
    tmpl = env.get_template("templates/out.j2")
    old = state["items"]
    new = {}
    for it in load():
        new[it["name"]] = it
        if all_items or old.get(it["name"]) != it:
            render(it, tmpl)
    for name in old.keys() - new.keys():
        os.unlink(os.path.join(OUT, name + ".txt"))
    state["items"] = new

class Handler(FileSystemEventHandler):
    def on_any_event(self, ev):
        path = getattr(ev, "dest_path", "") or ev.src_path
        rel = os.path.relpath(path, ROOT)
        with lock:
            if rel == "data.json":
                generate(False)
            elif rel.startswith("templates/") and not rel.endswith(".tmp"):
                env.cache.clear()
                generate(True)

os.makedirs(OUT, exist_ok=True)
generate(True)
if ONCE:
    sys.exit(0)
obs = Observer()
obs.schedule(Handler(), ROOT, recursive=True)
obs.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
