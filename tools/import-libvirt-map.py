#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Convert a libvirt cpu_map directory (x86 part) into cpusel's map format.

Usage: import-libvirt-map.py [--identity 'libvirt X.Y.Z'] LIBVIRT_CPU_MAP_DIR OUT_DIR

--identity writes the index's `identity` line: the libvirt release the
imported map comes from (a cpu_map directory does not say which it is).

Only facts are taken over (vendor strings, feature bits, aliases and
migratable flags, model signatures, decode flags, vendors, feature lists,
ancestors); the output is cpusel's own line-oriented format, described in
data/cpu-map/README.md. OUT_DIR receives `index`, `vendors.map`,
`features.map` and `models/<family>.map`; files already there are
overwritten, others are left alone.

The libvirt parsing helpers here are also used by check-cpu-map.py.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

REGS = ("eax", "ebx", "ecx", "edx")

# Names of the files the models of a libvirt group (or, in older maps, the
# comment in front of them) go to.
GROUP_DIRS = {
    "models": "generic",
    "generic": "generic",
    "Intel-based QEMU generic CPU models": "qemu-intel",
    "Generic QEMU CPU models": "qemu",
    "Intel CPU models": "intel",
    "AMD CPUs": "amd",
    "AMD CPU models": "amd",
    "Hygon CPU models": "hygon",
    "Zhaoxin CentaurHauls CPU models": "zhaoxin",
}


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "misc"


def parse_xml(path):
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    return ET.parse(path, parser).getroot()


def x86_includes(libvirt_dir):
    """Yields (group, filename) of the x86 arch of index.xml, in order."""
    root = parse_xml(os.path.join(libvirt_dir, "index.xml"))
    for arch in root.findall("arch"):
        if arch.get("name") != "x86":
            continue
        group = None
        for node in arch.iter():
            if node.tag is ET.Comment:
                group = node.text.strip()
            elif node.tag == "group":
                group = node.get("name")
            elif node.tag == "include":
                yield group, node.get("filename")


def load_libvirt(libvirt_dir):
    """Returns a dict with the x86 vendors, features and models in map order.

    vendors: list of (name, string)
    features: list of dicts: name, migratable, aliases [(name, source)],
              parts [(kind, leaf, subleaf, reg, mask)]
    models: list of dicts: name, group, file, decode (host, guest),
            ancestor, vendor, signatures [(family, model, stepping|None)],
            features [names, file order], added [names], removed [names],
            check_partial
    """
    out = {"vendors": [], "features": [], "models": []}
    for group, fname in x86_includes(libvirt_dir):
        root = parse_xml(os.path.join(libvirt_dir, fname))
        for v in root.findall("vendor"):
            out["vendors"].append((v.get("name"), v.get("string")))
        for f in root.findall("feature"):
            feat = {
                "name": f.get("name"),
                "migratable": f.get("migratable", "yes") != "no",
                "aliases": [(a.get("name"), a.get("source"))
                            for a in f.findall("alias")],
                "parts": [],
            }
            for c in f:
                if c.tag == "cpuid":
                    leaf = int(c.get("eax_in"), 16)
                    sub = int(c.get("ecx_in", "0"), 16)
                    kind = "cpuid"
                elif c.tag == "msr":
                    leaf = int(c.get("index"), 16)
                    sub = 0
                    kind = "msr"
                else:
                    continue
                for reg in REGS:
                    mask = int(c.get(reg, "0"), 16)
                    if mask:
                        feat["parts"].append((kind, leaf, sub, reg, mask))
            out["features"].append(feat)
        for m in root.findall("model"):
            dec = m.find("decode")
            anc = m.find("model")
            ven = m.find("vendor")
            chk = m.find("check")
            model = {
                "name": m.get("name"),
                "group": group,
                "file": fname,
                "decode": None if dec is None else
                          (dec.get("host") == "on", dec.get("guest") == "on"),
                "ancestor": None if anc is None else anc.get("name"),
                "vendor": None if ven is None else ven.get("name"),
                "signatures": [(int(s.get("family")), int(s.get("model")),
                                s.get("stepping"))
                               for s in m.findall("signature")],
                "features": [f.get("name") for f in m.findall("feature")
                             if f.get("removed") != "yes"],
                "added": [f.get("name") for f in m.findall("feature")
                          if f.get("added") == "yes"],
                "removed": [f.get("name") for f in m.findall("feature")
                            if f.get("removed") == "yes"],
                "check_partial": None if chk is None else chk.get("partial"),
            }
            out["models"].append(model)
    return out


def family_of(name):
    base = re.sub(r"-v[0-9]+$", "", name)
    while True:
        stripped = re.sub(r"-(IBRS|IBPB|noTSX)$", "", base)
        if stripped == base:
            return base
        base = stripped


def wrap(keyword, words, indent="    ", width=78):
    lines = []
    cur = indent + keyword
    for w in words:
        if len(cur) + 1 + len(w) > width and cur != indent + keyword:
            lines.append(cur)
            cur = indent + keyword
        cur += " " + w
    lines.append(cur)
    return lines


def quote(name):
    return '"%s"' % name if " " in name else name


def write_vendors(lv, path):
    lines = ["# x86 CPU vendors: vendor NAME CPUID-LEAF-0-STRING", ""]
    for name, string in lv["vendors"]:
        lines.append("vendor %s %s" % (quote(name), string))
    return lines


def write_features(lv):
    lines = [
        "# x86 CPU features, in map order (decoding lists features in this",
        "# order). See README.md for the syntax.",
    ]
    last_word = None
    for f in lv["features"]:
        word = tuple(p[:4] for p in f["parts"])
        if word != last_word:
            kind, leaf, sub, reg = f["parts"][0][:4]
            lines.append("")
            if kind == "cpuid":
                lines.append("# cpuid 0x%08x 0x%x %s" % (leaf, sub, reg))
            else:
                lines.append("# msr 0x%x %s" % (leaf, reg))
            last_word = word
        toks = ["feature", f["name"]]
        for kind, leaf, sub, reg, mask in f["parts"]:
            if kind == "cpuid":
                toks += ["cpuid", "0x%08x" % leaf, "0x%x" % sub, reg,
                         "0x%08x" % mask]
            else:
                toks += ["msr", "0x%x" % leaf, reg, "0x%08x" % mask]
        if not f["migratable"]:
            toks.append("migratable=no")
        if f["aliases"]:
            toks.append("alias")
            toks += [a for a, _ in f["aliases"]]
        lines.append(" ".join(toks))
    return lines


def format_signature(sig):
    fam, mod, stepping = sig
    if stepping:
        return "signature %d %d %s" % (fam, mod, stepping)
    return "signature %d %d" % (fam, mod)


def write_model(m, names):
    lines = ["model %s" % m["name"]]
    if m["decode"] is None:
        pass
    else:
        host, guest = m["decode"]
        flags = [w for w, on in (("host", host), ("guest", guest)) if on]
        lines.append("    decode %s" % (" ".join(flags) or "none"))
    if m["ancestor"]:
        lines.append("    based-on %s" % m["ancestor"])
    else:
        ver = re.match(r"^(.+)-v[0-9]+$", m["name"])
        if ver and ver.group(1) in names:
            lines.append("    version-of %s" % ver.group(1))
    if m["check_partial"]:
        lines.append("    check-partial %s" % m["check_partial"])
    if m["vendor"]:
        lines.append("    vendor %s" % quote(m["vendor"]))
    for sig in m["signatures"]:
        lines.append("    " + format_signature(sig))
    added = set(m["added"])
    plain = [f for f in m["features"] if f not in added]
    if plain:
        lines += wrap("features", plain)
    if m["added"]:
        lines += wrap("added", m["added"])
    if m["removed"]:
        lines += wrap("removed", m["removed"])
    return lines


def main(argv):
    identity = None
    if len(argv) >= 3 and argv[1] == "--identity":
        identity = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    lv = load_libvirt(argv[1])
    outdir = argv[2]
    os.makedirs(os.path.join(outdir, "models"), exist_ok=True)

    files = {}          # relpath -> lines
    index = ["# cpusel x86 CPU map: the files, in map order.", ""]
    if identity:
        index += ["# The release of libvirt's cpu_map whose facts this map "
                  "holds (cpusel", "# --version prints it; see README.md).",
                  "identity %s" % identity, ""]
    index += ["include vendors.map", "include features.map"]
    files["vendors.map"] = write_vendors(lv, None)
    files["features.map"] = write_features(lv)

    names = set(m["name"] for m in lv["models"])
    last_rel = None
    last_group = None
    for m in lv["models"]:
        group = GROUP_DIRS.get(m["group"], slug(m["group"] or "misc"))
        rel = "models/%s/%s.map" % (group, family_of(m["name"]))
        if rel != last_rel:
            if rel in files:
                sys.stderr.write("models of family file %s are not "
                                 "contiguous in the map order\n" % rel)
                return 1
            if group != last_group:
                index += ["", "# %s" % (m["group"] or group)]
                last_group = group
            index.append("include %s" % rel)
            files[rel] = ["# %s" % family_of(m["name"])]
            last_rel = rel
        files[rel] += [""] + write_model(m, names)

    files["index"] = index
    for rel, lines in files.items():
        path = os.path.join(outdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fp:
            fp.write("\n".join(lines) + "\n")
    print("imported %d vendors, %d features, %d models into %d files"
          % (len(lv["vendors"]), len(lv["features"]), len(lv["models"]),
             len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
