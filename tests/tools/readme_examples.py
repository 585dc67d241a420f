#!/usr/bin/env python3
"""Extracts the worked examples of README.md and checks their output excerpts.

An example is a fenced block preceded by the line `<!-- example: NAME -->`; a file the
examples use is a fenced block preceded by `<!-- file: NAME -->` (its text, as is).
In an example, a line starting with `$ ` is a command (run as root, the whole block as one
shell script); every other line is an excerpt of what the commands print. A line `...`
elides any number of output lines; lines not separated by `...` must appear in the output
as consecutive lines, and the groups in order. Trailing blanks are ignored. These
placeholders, as wide as what they stand for, match what varies from run to run:
`YYYY-MM-DD` (a date), `MM-DD hh:mm` (a day and time), `hh:mm:ss`, `hh:mm`.

  readme_examples.py README list                 names of the examples
  readme_examples.py README cmds NAME            the commands, one a line, without `$ `
  readme_examples.py README file NAME            the text of file block NAME
  readme_examples.py README check NAME OUTPUT    exit 0 if the excerpt is in OUTPUT
  readme_examples.py README check --mutate NAME OUTPUT
                                                 the same with one digit of the excerpt
                                                 changed (must fail: the checker's control)
"""
import re
import sys

PLACEHOLDERS = {  # longest first
    "MM-DD hh:mm": r"\d{2}-\d{2} \d{2}:\d{2}",
    "YYYY-MM-DD": r"\d{4}-\d{2}-\d{2}",
    "hh:mm:ss": r"\d{2}:\d{2}:\d{2}",
    "hh:mm": r"\d{2}:\d{2}",
}


def examples(readme):
    out, name, block = {}, None, None
    for line in open(readme, encoding="utf-8").read().split("\n"):
        m = re.fullmatch(r"<!-- (example|file): ([a-z0-9.-]+) -->", line.strip())
        if m:
            name = m.group(1) + ":" + m.group(2)
            continue
        if name is not None and block is None and line.startswith("```"):
            block = []
            continue
        if block is not None:
            if line.startswith("```"):
                if name in out:
                    sys.exit("README: %s given twice" % name)
                out[name] = block
                name, block = None, None
            else:
                block.append(line)
    if name is not None:
        sys.exit("README: %s has no closed fenced block" % name)
    return out


def line_regex(line):
    parts = re.split("(" + "|".join(map(re.escape, PLACEHOLDERS)) + ")", line.rstrip())
    return re.compile("".join(PLACEHOLDERS.get(p, re.escape(p)) for p in parts) + r"\Z")


def groups(block):
    gs, cur = [], []
    for line in block:
        if line.startswith("$ "):
            continue
        if line.strip() == "...":
            if cur:
                gs.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        gs.append(cur)
    return gs


def find(gs, out):
    """Returns None when every group is found in order, else the first group not found."""
    pos = 0
    for g in gs:
        rx = [line_regex(x) for x in g]
        for start in range(pos, len(out) - len(g) + 1):
            if all(rx[k].match(out[start + k]) for k in range(len(g))):
                pos = start + len(g)
                break
        else:
            return g
    return None


def mutate(gs):
    """Changes the first digit of the excerpt (placeholders hold none), or, in an excerpt
    without digits, the first line's last character."""
    for g in gs:
        for i, line in enumerate(g):
            m = re.search(r"\d", line)
            if m:
                k = m.start()
                g[i] = line[:k] + str((int(line[k]) + 1) % 10) + line[k + 1:]
                return gs
    g = gs[0]
    g[0] = g[0][:-1] + ("#" if g[0][-1:] != "#" else "%")
    return gs


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    blocks = examples(sys.argv[1])
    ex = {k[8:]: v for k, v in blocks.items() if k.startswith("example:")}
    cmd = sys.argv[2]
    if cmd == "list":
        print("\n".join(ex))
        return 0
    if cmd == "file":
        key = "file:" + sys.argv[3]
        if key not in blocks:
            sys.exit("README has no file block %s" % sys.argv[3])
        print("\n".join(blocks[key]))
        return 0
    if cmd == "cmds":
        for line in ex[sys.argv[3]]:
            if line.startswith("$ "):
                print(line[2:])
        return 0
    if cmd == "check":
        args = sys.argv[3:]
        mut = args and args[0] == "--mutate"
        if mut:
            args = args[1:]
        name, output = args
        if name not in ex:
            sys.exit("README has no example %s" % name)
        gs = groups(ex[name])
        if not gs:
            sys.exit("example %s has no output excerpt" % name)
        if mut:
            gs = mutate(gs)
        out = [x.rstrip() for x in open(output, encoding="utf-8", errors="replace").read().split("\n")]
        missing = find(gs, out)
        if missing is None:
            print("excerpt of %s: %d lines found" % (name, sum(map(len, gs))))
            return 0
        print("excerpt of %s: these lines are not in the output (as consecutive lines, in order):" % name)
        for x in missing:
            print("  | " + x)
        return 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
