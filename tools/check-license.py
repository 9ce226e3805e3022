#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the license notices of the source tree.

Usage: check-license.py SOURCE_ROOT

- LICENSE holds the GNU LGPL version 2.1 and meson.build declares
  'LGPL-2.1-or-later';
- every source file (C, headers, Python, shell, meson, Makefile, the bash
  completion) names that license with an SPDX-License-Identifier line
  within its first three lines. Test data (tests/data, fuzz corpora) and the
  CPU map's data files are not sources.
Exit status 0 when all is well, 1 otherwise (each problem on a line).
"""

import os
import re
import sys

SPDX = "SPDX-License-Identifier: LGPL-2.1-or-later"
SOURCE_DIRS = ("src", "include", "tests", "tools", "bench", "data", "doc",
               "completion")
SKIP_DIRS = (os.path.join("tests", "data"), os.path.join("tests", "fuzz", "corpus"))
SOURCE_RE = re.compile(r"(\.(c|h|py|sh|bash)|^meson\.build|^meson_options\.txt"
                       r"|^Makefile)$")


def sources(root):
    for top in ("meson.build", "meson_options.txt", "Makefile"):
        if os.path.isfile(os.path.join(root, top)):
            yield top
    for d in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, d)):
            rel = os.path.relpath(dirpath, root)
            dirnames[:] = sorted(n for n in dirnames
                                 if os.path.join(rel, n) not in SKIP_DIRS)
            for name in sorted(filenames):
                if SOURCE_RE.search(name):
                    yield os.path.join(rel, name)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    problems = []
    try:
        with open(os.path.join(root, "LICENSE"), encoding="utf-8") as fp:
            text = fp.read()
        if "GNU LESSER GENERAL PUBLIC LICENSE" not in text or \
                "Version 2.1, February 1999" not in text:
            problems.append("LICENSE: not the GNU LGPL version 2.1")
    except OSError as e:
        problems.append("LICENSE: %s" % e)
    with open(os.path.join(root, "meson.build"), encoding="utf-8") as fp:
        if "license : 'LGPL-2.1-or-later'" not in fp.read():
            problems.append("meson.build: the project does not declare "
                            "license 'LGPL-2.1-or-later'")
    n = 0
    for rel in sources(root):
        n += 1
        with open(os.path.join(root, rel), encoding="utf-8",
                  errors="replace") as fp:
            head = [fp.readline() for _ in range(3)]
        if not any(SPDX in line for line in head):
            problems.append("%s: no '%s' line at the top" % (rel, SPDX))
    for p in problems:
        print("check-license: %s" % p)
    print("%d source files checked, %d problems" % (n, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
