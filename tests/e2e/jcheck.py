#!/usr/bin/python3
"""Check a JSON document field by field (end-to-end tests).

usage: CMD --json | jcheck.py 'EXPR' ...

Reads one JSON document from stdin as `d` and evaluates each Python
expression; the first that is false (or raises) is printed with the
document and the exit status is 1.  With --lines, stdin holds JSON lines
and `d` is the list of them (chorac watch --json).
"""
import json
import sys

def main():
    args = sys.argv[1:]
    text = sys.stdin.read()
    if args and args[0] == "--lines":
        args = args[1:]
        d = [json.loads(l) for l in text.splitlines() if l.strip()]
    else:
        try:
            d = json.loads(text)
        except ValueError as e:
            print("jcheck: not one JSON document (%s):\n%s" % (e, text))
            sys.exit(1)
    for expr in args:
        try:
            ok = eval(expr, {"d": d, "re": __import__("re")})
        except Exception as e:
            ok, why = False, "raised %r" % (e,)
        else:
            why = "is false"
        if not ok:
            print("jcheck: %s %s in\n%s" % (expr, why,
                  json.dumps(d, indent=1)[:4000]))
            sys.exit(1)

main()
