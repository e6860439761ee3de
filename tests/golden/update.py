#!/usr/bin/python3
"""Regenerate the expected results of the golden cases with the real Jinja2.

Each case is a folder like the conformance suite's: template.j2 (plus any
templates it includes), data.json, optional options.json.  This writes
expected.out, or expected.err (kind, line and the message's first words)
when Jinja2 raises.  Run it after adding or changing a case:

    python3 tests/golden/update.py [CASE...]

It needs Jinja2 3.1.x; the expected files here were made with Jinja2
3.1.6 (the conformance suite's version; Debian's python3-jinja2 is 3.1.2).
Review the diff before committing.
"""
import json
import os
import sys

import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))


def render(case):
    opts = {}
    p = os.path.join(case, "options.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            opts = json.load(f)
    undefined = jinja2.StrictUndefined
    if opts.get("undefined", "strict") == "lenient":
        undefined = jinja2.Undefined
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(case),
        undefined=undefined,
        trim_blocks=opts.get("trim_blocks", False),
        lstrip_blocks=opts.get("lstrip_blocks", False),
        keep_trailing_newline=opts.get("keep_trailing_newline", False),
        autoescape=False,
    )
    with open(os.path.join(case, "data.json"), encoding="utf-8") as f:
        data = json.load(f)
    return env.get_template("template.j2").render(**data)


def any_j2(tb):
    """Is there a template frame at or below tb?"""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            return True
        tb = tb.tb_next
    return False


def kind_of(e):
    if isinstance(e, jinja2.TemplateSyntaxError):
        return "syntax"
    if isinstance(e, jinja2.UndefinedError):
        return "undefined"
    if isinstance(e, TypeError):
        return "type"
    return "other"


def update(case):
    for name in ("expected.out", "expected.err"):
        p = os.path.join(case, name)
        if os.path.exists(p):
            os.unlink(p)
    try:
        out = render(case)
    except Exception as e:  # noqa: BLE001 - any template error is a result
        # a syntax error knows its line; otherwise the innermost
        # template frame of the traceback is where the error is
        line = getattr(e, "lineno", None)
        tb = e.__traceback__
        while tb is not None and line is None:
            if tb.tb_frame.f_code.co_filename.endswith(".j2") and (
                    tb.tb_next is None or not any_j2(tb.tb_next)):
                line = tb.tb_lineno
            tb = tb.tb_next
        with open(os.path.join(case, "expected.err"), "w") as f:
            f.write(f"kind: {kind_of(e)}\n")
            if line:
                f.write(f"line: {line}\n")
        return f"error {type(e).__name__}: {e}"
    with open(os.path.join(case, "expected.out"), "w", encoding="utf-8",
              newline="") as f:
        f.write(out)
    return "ok"


def main():
    cases = sys.argv[1:] or sorted(
        os.path.join(HERE, d) for d in os.listdir(HERE)
        if os.path.isdir(os.path.join(HERE, d)))
    for c in cases:
        print(f"{os.path.basename(c)}: {update(c)}")


if __name__ == "__main__":
    main()
