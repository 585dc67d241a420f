#!/usr/bin/env python3
"""The house rules of src/ (src/README.md), checked: every file at most MAX_FILE lines,
every function at most MAX_FUNC lines (from its opening to its closing brace at column 0),
and includes that run one way, from a stage to the stages below it in LAYERS, never up.
Prints the largest file and the longest function whatever happens; exits 1 on a breach."""
import os
import re
import sys

MAX_FILE = 700
MAX_FUNC = 100
# Lowest first: a folder may include its own headers and those of folders before it.
LAYERS = ["common", "sources", "classify", "flows", "store", "collect", "policy", "report",
          "cmd"]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
NAME = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(')


def functions(lines):
    """(name, first, last) for each brace-at-column-0 function body."""
    out = []
    start = None
    for i, line in enumerate(lines):
        if line.startswith("{") and start is None:
            start = i
            name = "?"
            for j in range(i - 1, max(i - 8, -1), -1):
                m = NAME.search(lines[j])
                if m and not lines[j].startswith((" ", "\t", "/", "*")):
                    name = m.group(1)
                    break
        elif line.startswith("}") and start is not None:
            if not line.startswith("};"):
                out.append((name, start + 1, i + 1))
            start = None
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "src")
    src = os.path.normpath(src)
    bad = []
    biggest = (0, "")
    longest = (0, "")
    for root, _, names in os.walk(src):
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            path = os.path.join(root, n)
            rel = os.path.relpath(path, src)
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
            nlines = len(lines) - (1 if lines and lines[-1] == "" else 0)
            biggest = max(biggest, (nlines, rel))
            if nlines > MAX_FILE:
                bad.append(f"{rel}: {nlines} lines (at most {MAX_FILE})")
            if n.endswith(".c"):
                for name, a, b in functions(lines):
                    length = b - a + 1
                    longest = max(longest, (length, f"{rel}:{a} {name}()"))
                    if length > MAX_FUNC:
                        bad.append(f"{rel}:{a}: function {name}() is {length} lines (at most {MAX_FUNC})")
            folder = rel.split(os.sep)[0] if os.sep in rel else None
            if folder is None:
                continue
            if folder not in LAYERS:
                bad.append(f"{rel}: folder '{folder}' is not in the layer list")
                continue
            for k, line in enumerate(lines, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(1).split("/")[0] if "/" in m.group(1) else None
                if target is None:
                    bad.append(f"{rel}:{k}: include \"{m.group(1)}\" names no stage folder")
                elif target not in LAYERS:
                    bad.append(f"{rel}:{k}: include \"{m.group(1)}\": unknown folder")
                elif LAYERS.index(target) > LAYERS.index(folder):
                    bad.append(f"{rel}:{k}: {folder}/ includes {m.group(1)}: an arrow up "
                               f"({' < '.join(LAYERS)})")
    print(f"largest file: {biggest[1]} ({biggest[0]} lines, limit {MAX_FILE})")
    print(f"longest function: {longest[1]} ({longest[0]} lines, limit {MAX_FUNC})")
    for b in bad:
        print("FAIL: " + b)
    print(f"house: {len(bad)} breaches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
