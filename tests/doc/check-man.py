#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The man page and README cannot drift from the command line.

Usage: check-man.py CPUSEL SOURCE_ROOT

For every command that `cpusel --help` lists, every long option that
`cpusel COMMAND --help` prints (with its value placeholder) must appear in
that command's section of doc/cpusel.1.in (`.SS "cpusel COMMAND ..."`), or
in COMMON OPTIONS for the options every command takes. Every option the
page names must exist (in some --help, or defined in src/cli/ such as the
hidden test options of `host`), every section must be a command, README.md
must list every command, and groff must format the page without warnings.
Prints TAP.
"""

import glob
import os
import re
import shutil
import subprocess
import sys

OPTION_LINE = re.compile(r"^\s+(?:-\w, )?(--[a-z0-9][a-z0-9-]*)(?:=(\S+))?")
MAN_OPTION = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)")


def run_help(cpusel, *args):
    out = subprocess.run([cpusel, *args, "--help"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def help_options(text):
    """{option: placeholder or None} of an option list printed by GLib."""
    opts = {}
    for line in text.splitlines():
        m = OPTION_LINE.match(line)
        if m:
            opts[m.group(1)] = m.group(2)
    return opts


def man_text(line):
    """A troff source line as the reader sees its words (roughly)."""
    line = line.replace("\\-", "-").replace("\\(em", "-")
    line = re.sub(r"\\f[BIRP]", "", line)
    line = line.replace("\\&", "")
    m = re.match(r"^\.(B|I|BI|IB|BR|RB|IR|RI)\s+(.*)$", line)
    if m:
        words = re.findall(r'"([^"]*)"|(\S+)', m.group(2))
        return "".join(a or b for a, b in words) if m.group(1) != "B" and \
            m.group(1) != "I" else " ".join(a or b for a, b in words)
    if line.startswith(".") or line.startswith("'"):
        return ""
    return line


def man_sections(path):
    """{'SH NAME': text, 'SS cpusel host': text, ...} of the page."""
    sections = {}
    key = "preamble"
    with open(path, encoding="utf-8") as fp:
        for raw in fp:
            raw = raw.rstrip("\n")
            m = re.match(r'^\.(SH|SS)\s+"?([^"]*)"?\s*$', raw)
            if m:
                title = m.group(2).replace("\\-", "-")
                if m.group(1) == "SS" and title.startswith("cpusel "):
                    title = " ".join(title.split()[:2])
                key = "%s %s" % (m.group(1), title)
                sections[key] = ""
                continue
            sections.setdefault(key, "")
            sections[key] += man_text(raw) + "\n"
    return sections


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, why=""):
        self.n += 1
        if ok:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in why.splitlines():
                print("# " + line)


def has_option(text, opt, placeholder):
    """@opt (followed by its @placeholder, if any) is in @text."""
    want = re.escape(opt) + (r"\s+" + re.escape(placeholder) if placeholder else "")
    return re.search(r"(?<![\w-])" + want + r"(?![\w-])", text) is not None


def main(argv):
    cpusel, root = argv[1], argv[2]
    page = os.path.join(root, "doc", "cpusel.1.in")
    tap = Tap()
    main_help = run_help(cpusel)
    m = re.search(r"^Commands:\n((?:  \S.*\n)+)", main_help, re.M)
    commands = [line.split()[0] for line in m.group(1).splitlines()] if m else []
    tap.check(len(commands) > 5, "cpusel --help lists the commands (%s)"
              % " ".join(commands))
    sections = man_sections(page)
    common = sections.get("SH COMMON OPTIONS", "")
    global_opts = sections.get("SH GLOBAL OPTIONS", "")
    known = set()

    common_opts = None
    for cmd in commands:
        opts = help_options(run_help(cpusel, cmd))
        known.update(opts)
        common_opts = set(opts) if common_opts is None else common_opts & set(opts)
    for cmd in commands:
        opts = help_options(run_help(cpusel, cmd))
        text = sections.get("SS cpusel %s" % cmd)
        tap.check(text is not None, "the page has a section for '%s'" % cmd)
        text = text or ""
        missing = []
        for opt, placeholder in sorted(opts.items()):
            where = common if opt in common_opts else text
            if not has_option(where, opt, placeholder):
                missing.append(opt + (" " + placeholder if placeholder else ""))
        tap.check(not missing, "every option of 'cpusel %s --help' is in its "
                  "section%s" % (cmd, " or COMMON OPTIONS" if common_opts else ""),
                  "missing: " + ", ".join(missing))
    for opt in ("--version", "--help"):
        tap.check(opt in main_help and has_option(global_opts, opt, None),
                  "GLOBAL OPTIONS has %s (cpusel --help mentions it)" % opt)
    known.update(("--version", "--help"))

    # every option the page names exists
    defined = set()
    for path in glob.glob(os.path.join(root, "src", "cli", "*.c")):
        with open(path, encoding="utf-8") as fp:
            defined.update("--" + n for n in
                           re.findall(r'\{\s*"([a-z0-9-]+)",\s*0,', fp.read()))
    named = set()
    for text in sections.values():
        named.update(MAN_OPTION.findall(text))
    # options of other programs the page quotes
    foreign = {"--cpu"}
    unknown = sorted(o for o in named - known - foreign if o not in defined)
    tap.check(not unknown, "every option the page names exists",
              "unknown: " + ", ".join(unknown))
    sect_cmds = [k.split()[2] for k in sections if k.startswith("SS cpusel ")]
    extra = [c for c in sect_cmds if c not in commands]
    tap.check(not extra, "every command section is a command",
              "not commands: " + ", ".join(extra))

    with open(os.path.join(root, "README.md"), encoding="utf-8") as fp:
        readme = fp.read()
    absent = [c for c in commands if "| `%s` |" % c not in readme]
    tap.check(not absent, "README.md's command table lists every command",
              "missing: " + ", ".join(absent))

    groff = shutil.which("groff")
    if groff:
        with open(page, encoding="utf-8") as fp:
            src = fp.read().replace("@VERSION@", "0")
        res = subprocess.run([groff, "-man", "-ww", "-z", "-Tutf8"], input=src,
                             capture_output=True, text=True)
        tap.check(res.returncode == 0 and not res.stderr.strip(),
                  "groff formats the page without warnings", res.stderr)
    else:
        tap.n += 1
        print("ok %d # SKIP no groff (install groff to check the page's troff)"
              % tap.n)
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
