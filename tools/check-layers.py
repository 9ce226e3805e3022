#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that the source tree keeps the layers of DESIGN.md "Architecture".

Usage: check-layers.py SOURCE_ROOT

Reads the #include lines of every C file and header and checks:

- src/lib/FOLDER/ includes only the headers of the folders LAYERS lets it
  use (core at the bottom; formats and drivers on core; host on core; fleet
  on core, formats and the driver table drivers/arch.h), so nothing below
  calls up and no driver is reached except through the table;
- the headers of libraries that parse or touch hardware only where
  RESTRICTED allows them (libxml2 and json-glib in formats/, libxml2 also
  in the fleet's stream reader; CPUID and KVM headers in host/);
- a quoted include names an existing file, by its folder when it is in
  another one ("core/cpu-def-private.h");
- the installed headers include only <glib.h> and each other, the command
  (src/cli) only the installed headers and its own;
- no file includes itself back through other files (no include cycles);
- every folder of src/lib has a README.md, and no library file sits
  outside a folder;
- a file over MAX_LINES lines says why in its opening comment, with a
  sentence starting "Why this file is long".

Prints each problem as FILE:LINE: message and exits 1 when there is one,
else says what it checked and exits 0.
"""

import os
import re
import sys

LIB = os.path.join("src", "lib")
CLI = os.path.join("src", "cli")
PUBLIC = os.path.join("include", "libcpusel")

# What each folder of src/lib may include from src/lib: whole folders, or
# single headers given by path.
LAYERS = {
    "core": {"core"},
    "formats": {"core", "formats"},
    "drivers": {"core", "drivers"},
    "host": {"core", "host"},
    "fleet": {"core", "formats", "fleet", "drivers/arch.h"},
}

# Headers of other libraries and of the machine, and the folders that may
# include them.
RESTRICTED = {
    "libxml/": {"formats", "fleet"},
    "json-glib/": {"formats", CLI},
    "cpuid.h": {"host"},
    "linux/": {"host"},
    "sys/ioctl.h": {"host"},
}

MAX_LINES = 700
LONG_NOTE = "Why this file is long"

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def sources(root, top):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(dirpath, name), root)


def includes(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1), m.group(2)


def restricted_ok(where, name):
    for prefix, allowed in RESTRICTED.items():
        if name == prefix or (prefix.endswith("/") and name.startswith(prefix)):
            return where in allowed
    return True


def check_lib_file(root, path, problems, edges):
    folder = path.split(os.sep)[2]
    allowed = LAYERS[folder]
    for n, kind, name in includes(root, path):
        where = "%s:%d" % (path, n)
        if kind == "<":
            if not restricted_ok(folder, name):
                problems.append("%s: <%s> is not for %s/" % (where, name, folder))
            continue
        if "/" in name:
            target = os.path.join(LIB, name)
        else:
            target = os.path.join(os.path.dirname(path), name)
        if not os.path.isfile(os.path.join(root, target)):
            problems.append("%s: \"%s\" is not a header of src/lib/%s/ (a header of "
                            "another folder is named by its folder)" % (where, name, folder))
            continue
        edges.setdefault(path, []).append((n, target))
        rel = os.path.relpath(target, LIB)
        other = rel.split(os.sep)[0]
        if other not in allowed and rel.replace(os.sep, "/") not in allowed:
            problems.append("%s: src/lib/%s/ may not include %s (it may use: %s)"
                            % (where, folder, rel, ", ".join(sorted(allowed))))


def check_public(root, path, problems):
    for n, kind, name in includes(root, path):
        if not (kind == "<" and (name == "glib.h" or name.startswith("libcpusel/"))):
            problems.append("%s:%d: an installed header includes only <glib.h> and "
                            "<libcpusel/...>, not %s" % (path, n, name))


def check_cli(root, path, problems):
    for n, kind, name in includes(root, path):
        where = "%s:%d" % (path, n)
        if kind == '"':
            if "/" in name or not os.path.isfile(os.path.join(root, CLI, name)):
                problems.append("%s: the command includes its own headers and the "
                                "installed ones only, not \"%s\"" % (where, name))
        elif not restricted_ok(CLI, name):
            problems.append("%s: <%s> is not for the command" % (where, name))


def find_cycle(edges):
    """A list of files that include each other in a ring, or None."""
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for _, nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if not state.get(nxt):
                found = visit(nxt, stack)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if not state.get(node):
            found = visit(node, [])
            if found:
                return found
    return None


def check_length(root, path, problems):
    with open(os.path.join(root, path), encoding="utf-8") as fp:
        lines = fp.read().splitlines()
    if len(lines) <= MAX_LINES:
        return
    opening = []
    for line in lines:
        if opening and not line.lstrip().startswith(("/*", "*")):
            break
        if line.lstrip().startswith(("/*", "*")):
            opening.append(line)
    if LONG_NOTE not in " ".join(l.strip(" /*") for l in opening):
        problems.append("%s:1: %d lines; its opening comment must say why (\"%s ...\")"
                        % (path, len(lines), LONG_NOTE))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    problems = []
    edges = {}
    lib_dir = os.path.join(root, LIB)
    for name in sorted(os.listdir(lib_dir)):
        full = os.path.join(lib_dir, name)
        if os.path.isdir(full):
            if name not in LAYERS:
                problems.append("%s/%s: a folder that no layer rule names" % (LIB, name))
            elif not os.path.isfile(os.path.join(full, "README.md")):
                problems.append("%s/%s: no README.md saying what the folder holds"
                                % (LIB, name))
        elif name.endswith((".c", ".h")):
            problems.append("%s/%s: a library file outside the layer folders"
                            % (LIB, name))
    n_files = 0
    for path in sources(root, LIB):
        if path.split(os.sep)[2] in LAYERS:
            check_lib_file(root, path, problems, edges)
            check_length(root, path, problems)
            n_files += 1
    for path in sources(root, PUBLIC):
        check_public(root, path, problems)
        check_length(root, path, problems)
        n_files += 1
    for path in sources(root, CLI):
        check_cli(root, path, problems)
        check_length(root, path, problems)
        n_files += 1
    cycle = find_cycle(edges)
    if cycle:
        problems.append("%s: include cycle: %s" % (cycle[0], " -> ".join(cycle)))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("layers: %d files keep the include rules of %s" % (n_files, ", ".join(LAYERS)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
