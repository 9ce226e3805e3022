#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Says what `meson test` skipped, why, and how to enable it.

Usage: skip-report.py BUILD_DIR...

Reads each BUILD_DIR/meson-logs/testlog.json (one JSON record per test) and
prints one line per skipped test or per test with skipped TAP subtests, with
the reason the test printed: a line holding "SKIP" or "skip:" (tests say
there which variable or package enables them), or the TAP plan's
"1..0 # SKIP reason". A test skipped the same way in several build
directories is listed once with all of them. Prints nothing when nothing was
skipped; always exits 0.
"""

import json
import os
import re
import sys

TAP_SKIP = re.compile(r"^ok\b.*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)
PLAN_SKIP = re.compile(r"^1\.\.0\b.*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)
SAID_SKIP = re.compile(r"^\s*(?:#\s*)?skip(?:ped)?\b[:\s]*(.*)$", re.IGNORECASE)


def reason_of(text):
    """The first line of @text that says why the test skipped."""
    for line in (text or "").splitlines():
        m = PLAN_SKIP.match(line) or SAID_SKIP.match(line)
        if m and m.group(1).strip():
            return m.group(1).strip()
    return "the test gave no reason (exit status 77)"


def main(argv):
    found = {}      # (test, reason) -> [dir, ...]
    order = []
    n_tests = 0
    n_subtests = 0
    for build in argv[1:]:
        path = os.path.join(build, "meson-logs", "testlog.json")
        try:
            with open(path, encoding="utf-8", errors="replace") as fp:
                records = [json.loads(line) for line in fp if line.strip()]
        except (OSError, ValueError) as e:
            print("cannot read %s: %s" % (path, e))
            continue
        for rec in records:
            name = rec.get("name", "?").split(":", 1)[-1].strip()
            out = (rec.get("stdout") or "") + "\n" + (rec.get("stderr") or "")
            if rec.get("result") == "SKIP":
                n_tests += 1
                keys = [(name, reason_of(out))]
            else:
                subs = [m.group(1).strip() or "no reason given"
                        for m in map(TAP_SKIP.match, out.splitlines()) if m]
                n_subtests += len(subs)
                keys = []
                for reason in sorted(set(subs)):
                    keys.append(("%s (%d subtest%s)" % (name, subs.count(reason),
                                                        "" if subs.count(reason) == 1
                                                        else "s"), reason))
            for key in keys:
                if key not in found:
                    found[key] = []
                    order.append(key)
                found[key].append(os.path.basename(os.path.normpath(build)))
    if not order:
        return 0
    print("== skipped: %d test%s and %d subtest%s; why, and how to enable them:"
          % (n_tests, "" if n_tests == 1 else "s",
             n_subtests, "" if n_subtests == 1 else "s"))
    for key in order:
        name, reason = key
        print("  %s [%s]: %s" % (name, ", ".join(found[key]), reason))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
