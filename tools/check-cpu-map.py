#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Consistency check of cpusel's CPU map, optionally against libvirt maps.

Usage: check-cpu-map.py INDEX [--libvirt DIR | --libvirt-env VAR=DIR]...
                        [--exact]

1. Loads the map named by INDEX with the generator's parser: every model
   feature exists, every alias resolves to one feature, no bit belongs to
   two features, signatures parse, vendors and ancestors exist (any
   failure: FILE:LINE message, exit 1). Every *.map file under the map
   directory must be included by INDEX.
2. For each --libvirt DIR (a libvirt cpu_map directory): every x86 vendor,
   feature and model of that map exists in ours with the same vendor
   string / bits, migratable flag and aliases / feature set, signatures,
   decode flags and vendor. A libvirt map older than ours may differ from
   ours only where our map says why: features our model lists under
   `added` (libvirt added them to the model later) and features our model
   lists under `removed` that the older map still had. With --exact no
   such difference is allowed (use it against the map ours was imported
   from), and the map order of features and models must be the same.
   --libvirt-env VAR=DIR names $VAR when it is set, else DIR (so the test
   suite reads the variable when it runs). If no DIR given exists, the
   check is skipped: exit 77.
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77


def load_tool(name, filename):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(HERE, filename))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = load_tool("gen_cpu_map", "gen-cpu-map.py")
imp = load_tool("import_libvirt_map", "import-libvirt-map.py")


class Checker:
    def __init__(self):
        self.errors = []

    def fail(self, msg):
        self.errors.append(msg)


def check_files(cmap, index):
    base = os.path.dirname(os.path.abspath(index))
    included = set(os.path.abspath(p) for p in cmap.files)
    stray = []
    for root, _, names in os.walk(base):
        for n in names:
            path = os.path.abspath(os.path.join(root, n))
            if n.endswith(".map") and path not in included:
                stray.append(os.path.relpath(path, base))
    return sorted(stray)


def ours_feature_names(cmap, indices):
    return set(cmap.features[i].name for i in indices)


def check_libvirt(cmap, lvdir, exact, chk):
    lv = imp.load_libvirt(lvdir)
    regs = gen.REGS
    kinds = gen.KINDS
    n_explained = 0

    for name, string in lv["vendors"]:
        v = cmap.vendor_by_name.get(name)
        if v is None:
            chk.fail("%s: vendor '%s' is missing" % (lvdir, name))
        elif v.string != string:
            chk.fail("%s: vendor '%s' has string '%s', libvirt '%s'"
                     % (lvdir, name, v.string, string))

    lv_feats = {}
    for f in lv["features"]:
        lv_feats[f["name"]] = f
        ours = cmap.feature_by_name.get(f["name"])
        if ours is None or ours.name != f["name"]:
            chk.fail("%s: feature '%s' is missing" % (lvdir, f["name"]))
            continue
        parts = sorted((kinds[k], leaf, sub, regs[r], mask)
                       for k, leaf, sub, r, mask in f["parts"])
        if sorted(ours.parts) != parts:
            chk.fail("%s: feature '%s' has other bits than libvirt's"
                     % (lvdir, f["name"]))
        if ours.migratable != f["migratable"]:
            chk.fail("%s: feature '%s' migratable=%s, libvirt %s"
                     % (lvdir, f["name"], ours.migratable, f["migratable"]))
        lv_aliases = [a for a, _ in f["aliases"]]
        if exact and ours.aliases != lv_aliases or \
                not set(lv_aliases) <= set(ours.aliases):
            chk.fail("%s: feature '%s' aliases %s, libvirt %s"
                     % (lvdir, f["name"], ours.aliases, lv_aliases))

    # Resolve libvirt's models the way libvirt does (ancestor: vendor,
    # signatures and data; own signatures replace inherited ones). A model's
    # features here include its own added ones; its data leaves them out.
    lv_models = {}
    for m in lv["models"]:
        r = dict(m)
        r["features"] = set(m["features"])
        if m["ancestor"]:
            anc = lv_models[m["ancestor"]]
            # the ancestor's data: its features added later are not part
            # of it (libvirt >= 10.2 keeps them out of a model's data)
            r["features"] = (set(anc["features"]) - set(anc["added"])) | r["features"]
            if not m["vendor"]:
                r["vendor"] = anc["vendor"]
            if not m["signatures"]:
                r["signatures"] = anc["signatures"]
        lv_models[m["name"]] = r

    for name, lm in lv_models.items():
        m = cmap.model_by_name.get(name)
        if m is None:
            chk.fail("%s: model '%s' is missing" % (lvdir, name))
            continue
        where = "%s: model '%s'" % (lvdir, name)
        if m.decode != lm["decode"]:
            chk.fail("%s: decode %s, libvirt %s" % (where, m.decode,
                                                   lm["decode"]))
        vendor = None if m.r_vendor is None else cmap.vendors[m.r_vendor].name
        if vendor != lm["vendor"]:
            chk.fail("%s: vendor %s, libvirt %s" % (where, vendor,
                                                   lm["vendor"]))
        sigs = [(fam, mod, gen.parse_steppings(st, (lvdir, 0))
                 if st else 0xffff) for fam, mod, st in lm["signatures"]]
        if m.r_signatures != sigs:
            chk.fail("%s: signatures %s, libvirt %s"
                     % (where, m.r_signatures, sigs))
        if (m.based_on or None) != lm["ancestor"]:
            chk.fail("%s: based on %s, libvirt %s" % (where, m.based_on,
                                                      lm["ancestor"]))
        ours = ours_feature_names(cmap, m.r_features)
        added = ours_feature_names(cmap, m.r_added)
        removed = ours_feature_names(cmap, m.r_removed)
        lv_set = lm["features"]
        lv_removed = set(lm["removed"])
        if exact:
            expect, expect_removed = ours, removed
            if added != set(lm["added"]):
                chk.fail("%s: added %s, libvirt %s"
                         % (where, sorted(added), sorted(lm["added"])))
        else:
            # What an older libvirt would have: no features added since,
            # and still the ones removed since.
            newly_removed = removed - lv_removed
            expect = (ours - (added - lv_set)) | (newly_removed & lv_set)
            expect_removed = removed - (newly_removed & lv_set)
            if expect != ours:
                n_explained += 1
        if expect != lv_set:
            chk.fail("%s: features differ: ours only %s, libvirt only %s"
                     % (where, sorted(expect - lv_set),
                        sorted(lv_set - expect)))
        if expect_removed != lv_removed:
            chk.fail("%s: removed %s, libvirt %s"
                     % (where, sorted(expect_removed), sorted(lv_removed)))
        # The same bits, not only the same names.
        vec = [0] * len(cmap.words)
        for fname in expect:
            for p in cmap.feature_by_name[fname].parts:
                vec[cmap.word_index[p[:4]]] |= p[4]
        lv_vec = [0] * len(cmap.words)
        for fname in lv_set:
            for k, leaf, sub, r, mask in lv_feats[fname]["parts"]:
                lv_vec[cmap.word_index[(kinds[k], leaf, sub, regs[r])]] |= mask
        if vec != lv_vec:
            chk.fail("%s: CPUID/MSR bits differ" % where)

    order_note = ""
    if exact:
        if [f.name for f in cmap.features] != [f["name"] for f in
                                                lv["features"]]:
            chk.fail("%s: feature order differs" % lvdir)
        if [m.name for m in cmap.models] != [m["name"] for m in lv["models"]]:
            chk.fail("%s: model order differs" % lvdir)
        if [v.name for v in cmap.vendors] != [n for n, _ in lv["vendors"]]:
            chk.fail("%s: vendor order differs" % lvdir)
        order_note = ", same order"
    print("checked against %s: %d vendors, %d features, %d models%s "
          "(%d models differ only by features marked added/removed)"
          % (lvdir, len(lv["vendors"]), len(lv["features"]),
             len(lv_models), order_note, n_explained))


def main(argv):
    args = argv[1:]
    lvdirs = []
    hints = []
    exact = False
    index = None
    i = 0
    while i < len(args):
        if args[i] == "--libvirt" and i + 1 < len(args):
            lvdirs.append(args[i + 1])
            i += 2
        elif args[i] == "--libvirt-env" and i + 1 < len(args) and \
                "=" in args[i + 1]:
            var, default = args[i + 1].split("=", 1)
            lvdirs.append(os.environ.get(var) or default)
            hints.append("set %s" % var)
            i += 2
        elif args[i] == "--exact":
            exact = True
            i += 1
        elif index is None and not args[i].startswith("-"):
            index = args[i]
            i += 1
        else:
            sys.stderr.write(__doc__)
            return 2
    if index is None:
        sys.stderr.write(__doc__)
        return 2

    try:
        cmap = gen.load_map(index)
    except gen.MapError as e:
        print("check-cpu-map: %s" % e)
        return 1
    print("map %s: %s" % (index, gen.stats(cmap)))
    print("checked: model features exist, aliases resolve, no bit shared "
          "by two features, signatures and stepping lists parse, vendors "
          "and ancestors exist")
    chk = Checker()
    for path in check_files(cmap, index):
        chk.fail("%s is not included by %s" % (path, index))

    present = [d for d in lvdirs if os.path.isfile(os.path.join(d,
                                                                "index.xml"))]
    for d in present:
        check_libvirt(cmap, d, exact, chk)
    for e in chk.errors:
        print("check-cpu-map: %s" % e)
    if chk.errors:
        print("%d problems" % len(chk.errors))
        return 1
    if lvdirs and not present:
        print("SKIP: no libvirt cpu_map at %s: cross-check not run (%s)"
              % (", ".join(lvdirs), "; ".join(hints) if hints else
                 "install libvirt0 for /usr/share/libvirt/cpu_map"))
        return SKIP
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
