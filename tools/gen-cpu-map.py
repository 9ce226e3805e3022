#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compile cpusel's CPU map source (data/cpu-map/) into C tables.

Usage: gen-cpu-map.py [--stats] INDEX [OUTPUT.c]

INDEX is data/cpu-map/index; the files it includes are read in order, and
its `identity WORDS...` line (which release of libvirt's map the facts
match, e.g. `identity libvirt 12.8.0`) becomes the map's identity. The
output defines `const CsMapTables cs_builtin_map_tables` (see
src/lib/core/cpu-map-private.h) in static const storage only. Without OUTPUT
the sources are only checked. Inconsistent sources are reported as
`FILE:LINE: message` and make the script exit with status 1.

The parser (load_map) is shared with tools/check-cpu-map.py.
"""

import os
import re
import shlex
import sys

CPUID, MSR = 0, 1
KINDS = {"cpuid": CPUID, "msr": MSR}
REGS = {"eax": 0, "ebx": 1, "ecx": 2, "edx": 3}
MSR_REGS = ("eax", "edx")
NAME_RE = re.compile(r"^[A-Za-z0-9_.+-]+$")
MODEL_KEYWORDS = ("decode", "based-on", "version-of", "check-partial",
                  "vendor", "signature", "features", "added", "removed")


class MapError(Exception):
    def __init__(self, where, msg):
        super().__init__("%s:%d: %s" % (where[0], where[1], msg))


class Vendor:
    def __init__(self, index, name, string, where):
        self.index = index
        self.name = name
        self.string = string
        self.where = where

    def regs(self):
        """CPUID leaf 0 (ebx, ecx, edx) holding the vendor string."""
        raw = self.string.encode("ascii")
        word = [int.from_bytes(raw[i:i + 4], "little") for i in (0, 4, 8)]
        return word[0], word[2], word[1]


class Feature:
    def __init__(self, index, name, where):
        self.index = index
        self.name = name
        self.where = where
        self.parts = []         # [(kind, leaf, subleaf, reg, mask)]
        self.migratable = True
        self.aliases = []


class Model:
    def __init__(self, index, name, where):
        self.index = index
        self.name = name
        self.where = where
        self.decode = None      # (host, guest)
        self.based_on = None
        self.version_of = None
        self.check_partial = None
        self.vendor = None      # name, own line only
        self.signatures = []    # [(family, model, steppings_mask, text)]
        self.own_features = []  # [(name, where)]
        self.added = []         # [(name, where)]
        self.removed = []       # [(name, where)]
        self.lines = {}         # keyword -> first where
        # resolved
        self.r_vendor = None
        self.r_signatures = []
        self.r_features = set()  # feature indices
        self.r_added = set()
        self.r_removed = []     # in the order the source lists them

    @property
    def alias_of(self):
        return self.based_on or self.version_of


class CpuMap:
    def __init__(self):
        self.files = []
        self.identity = None        # the index's identity line, or None
        self.vendors = []
        self.features = []
        self.models = []
        self.vendor_by_name = {}
        self.feature_by_name = {}   # canonical names and aliases
        self.model_by_name = {}
        self.words = []             # sorted (kind, leaf, subleaf, reg)
        self.word_index = {}


def parse_int(tok, where, what, lo=0, hi=0xffffffff):
    try:
        val = int(tok, 0)
    except ValueError:
        raise MapError(where, "%s '%s' is not a number" % (what, tok))
    if val < lo or val > hi:
        raise MapError(where, "%s %s is out of range (%d..%d)"
                       % (what, tok, lo, hi))
    return val


def check_name(tok, where, what):
    if not NAME_RE.match(tok):
        raise MapError(where, "invalid %s name '%s'" % (what, tok))
    return tok


def parse_steppings(text, where):
    mask = 0
    for item in text.split(","):
        m = re.match(r"^([0-9]+)(?:-([0-9]+))?$", item)
        if not m:
            raise MapError(where, "bad stepping list '%s'" % text)
        lo = int(m.group(1))
        hi = int(m.group(2) or lo)
        if hi < lo or hi > 15:
            raise MapError(where, "bad stepping range '%s' (0..15)" % item)
        for s in range(lo, hi + 1):
            mask |= 1 << s
    return mask


def parse_feature(cmap, toks, where):
    if len(toks) < 2:
        raise MapError(where, "'feature' needs a name")
    name = check_name(toks[1], where, "feature")
    if name in cmap.feature_by_name:
        raise MapError(where, "duplicate feature name '%s' (first at %s:%d)"
                       % ((name,) + cmap.feature_by_name[name].where))
    feat = Feature(len(cmap.features), name, where)
    i = 2
    while i < len(toks):
        tok = toks[i]
        if tok == "cpuid":
            if i + 4 >= len(toks):
                raise MapError(where, "'cpuid' needs LEAF SUBLEAF REG MASK")
            leaf = parse_int(toks[i + 1], where, "CPUID leaf")
            sub = parse_int(toks[i + 2], where, "CPUID subleaf")
            reg = toks[i + 3]
            if reg not in REGS:
                raise MapError(where, "unknown CPUID register '%s'" % reg)
            mask = parse_int(toks[i + 4], where, "mask", 1)
            feat.parts.append((CPUID, leaf, sub, REGS[reg], mask))
            i += 5
        elif tok == "msr":
            if i + 3 >= len(toks):
                raise MapError(where, "'msr' needs INDEX REG MASK")
            leaf = parse_int(toks[i + 1], where, "MSR index")
            reg = toks[i + 2]
            if reg not in MSR_REGS:
                raise MapError(where, "unknown MSR register '%s' "
                               "(eax or edx)" % reg)
            mask = parse_int(toks[i + 3], where, "mask", 1)
            feat.parts.append((MSR, leaf, 0, REGS[reg], mask))
            i += 4
        elif tok in ("migratable=no", "migratable=yes"):
            feat.migratable = tok == "migratable=yes"
            i += 1
        elif tok == "alias":
            if i + 1 >= len(toks):
                raise MapError(where, "'alias' needs at least one name")
            for a in toks[i + 1:]:
                feat.aliases.append(check_name(a, where, "feature alias"))
            i = len(toks)
        else:
            raise MapError(where, "unexpected '%s' in feature '%s'"
                           % (tok, name))
    if not feat.parts:
        raise MapError(where, "feature '%s' has no cpuid or msr bits" % name)
    words = [p[:4] for p in feat.parts]
    if len(set(words)) != len(words):
        raise MapError(where, "feature '%s' names the same register twice"
                       % name)
    cmap.feature_by_name[name] = feat
    for a in feat.aliases:
        if a in cmap.feature_by_name:
            other = cmap.feature_by_name[a]
            raise MapError(where, "alias '%s' of feature '%s' is already "
                           "used by feature '%s' (%s:%d)"
                           % ((a, name, other.name) + other.where))
        cmap.feature_by_name[a] = feat
    cmap.features.append(feat)


def parse_vendor(cmap, toks, where):
    if len(toks) != 3:
        raise MapError(where, "'vendor' needs NAME STRING")
    name, string = toks[1], toks[2]
    if not name or not all(0x20 <= ord(c) < 0x7f and c not in '"\\'
                           for c in name):
        raise MapError(where, "invalid vendor name '%s'" % name)
    if len(string) != 12 or not all(0x20 < ord(c) < 0x7f for c in string):
        raise MapError(where, "vendor string '%s' is not 12 printable "
                       "ASCII characters" % string)
    if name in cmap.vendor_by_name:
        raise MapError(where, "duplicate vendor '%s'" % name)
    for v in cmap.vendors:
        if v.string == string:
            raise MapError(where, "vendor string '%s' already belongs to "
                           "vendor '%s'" % (string, v.name))
    v = Vendor(len(cmap.vendors), name, string, where)
    cmap.vendor_by_name[name] = v
    cmap.vendors.append(v)


def parse_model_line(model, toks, where):
    kw = toks[0]
    args = toks[1:]
    if kw not in MODEL_KEYWORDS:
        raise MapError(where, "unknown keyword '%s' in model '%s'"
                       % (kw, model.name))
    if kw in ("decode", "based-on", "version-of", "check-partial",
              "vendor") and kw in model.lines:
        raise MapError(where, "second '%s' line in model '%s'"
                       % (kw, model.name))
    model.lines.setdefault(kw, where)
    if kw == "decode":
        if args == ["none"]:
            model.decode = (False, False)
        elif args and set(args) <= {"host", "guest"} and \
                len(set(args)) == len(args):
            model.decode = ("host" in args, "guest" in args)
        else:
            raise MapError(where, "'decode' takes 'host', 'guest', both, "
                           "or 'none'")
    elif kw in ("based-on", "version-of"):
        if len(args) != 1:
            raise MapError(where, "'%s' takes one model name" % kw)
        if "based-on" in model.lines and "version-of" in model.lines:
            raise MapError(where, "model '%s' has both 'based-on' and "
                           "'version-of'" % model.name)
        if args[0] == model.name:
            raise MapError(where, "model '%s' refers to itself" % model.name)
        if kw == "based-on":
            model.based_on = args[0]
        else:
            model.version_of = args[0]
    elif kw == "check-partial":
        if len(args) != 1:
            raise MapError(where, "'check-partial' takes one word")
        model.check_partial = args[0]
    elif kw == "vendor":
        if len(args) != 1:
            raise MapError(where, "'vendor' takes one vendor name "
                           "(quote names with spaces)")
        model.vendor = args[0]
    elif kw == "signature":
        if len(args) not in (2, 3):
            raise MapError(where, "'signature' takes FAMILY MODEL "
                           "[STEPPINGS]")
        fam = parse_int(args[0], where, "family", 1, 0x10f)
        mod = parse_int(args[1], where, "model", 0, 0xff)
        step = 0xffff
        if len(args) == 3:
            step = parse_steppings(args[2], where)
        model.signatures.append((fam, mod, step, " ".join(args)))
    else:
        if not args:
            raise MapError(where, "'%s' needs at least one feature" % kw)
        dest = {"features": model.own_features, "added": model.added,
                "removed": model.removed}[kw]
        dest.extend((a, where) for a in args)


def read_lines(path, rel):
    with open(path, encoding="utf-8") as fp:
        for lineno, raw in enumerate(fp, 1):
            where = (rel, lineno)
            try:
                toks = shlex.split(raw, comments=True)
            except ValueError as e:
                raise MapError(where, "cannot split line: %s" % e)
            if toks:
                yield where, raw[:1] in (" ", "\t"), toks


def load_map(index_path):
    """Parses and resolves the map named by INDEX. Raises MapError."""
    cmap = CpuMap()
    base = os.path.dirname(os.path.abspath(index_path))
    index_rel = os.path.relpath(index_path)
    included = set()
    for where, _, toks in read_lines(index_path, index_rel):
        if toks[0] == "identity":
            if len(toks) < 2:
                raise MapError(where, "'identity' needs words, e.g. "
                               "'identity libvirt 12.8.0'")
            if cmap.identity is not None:
                raise MapError(where, "second 'identity' line")
            cmap.identity = " ".join(toks[1:])
            if not all(0x20 <= ord(c) < 0x7f and c not in '"\\'
                       for c in cmap.identity):
                raise MapError(where, "the identity must be printable "
                               "ASCII without quotes or backslashes")
            continue
        if toks[0] != "include" or len(toks) != 2:
            raise MapError(where, "expected 'include FILE' or "
                           "'identity WORDS...'")
        if toks[1] in included:
            raise MapError(where, "'%s' is included twice" % toks[1])
        path = os.path.join(base, toks[1])
        if not os.path.isfile(path):
            raise MapError(where, "no such file '%s'" % toks[1])
        included.add(toks[1])
        cmap.files.append(path)

    for path in cmap.files:
        rel = os.path.relpath(path)
        model = None
        for where, indented, toks in read_lines(path, rel):
            if indented:
                if model is None:
                    raise MapError(where, "indented line outside a model")
                parse_model_line(model, toks, where)
                continue
            model = None
            kw = toks[0]
            if kw == "vendor":
                parse_vendor(cmap, toks, where)
            elif kw == "feature":
                parse_feature(cmap, toks, where)
            elif kw == "model":
                if len(toks) != 2:
                    raise MapError(where, "'model' takes one name")
                name = check_name(toks[1], where, "model")
                if name in cmap.model_by_name:
                    raise MapError(where, "duplicate model '%s' (first at "
                                   "%s:%d)" % ((name,) +
                                               cmap.model_by_name[name].where))
                model = Model(len(cmap.models), name, where)
                cmap.model_by_name[name] = model
                cmap.models.append(model)
            elif kw in MODEL_KEYWORDS:
                raise MapError(where, "'%s' must be indented under a "
                               "'model' line" % kw)
            else:
                raise MapError(where, "unknown keyword '%s'" % kw)

    resolve(cmap)
    return cmap


def resolve(cmap):
    # Words, sorted by (kind, leaf, subleaf, reg).
    cmap.words = sorted(set(p[:4] for f in cmap.features for p in f.parts))
    cmap.word_index = {w: i for i, w in enumerate(cmap.words)}
    if len(cmap.words) > 0xffff or len(cmap.features) > 0xffff or \
            len(cmap.models) > 0xffff:
        raise MapError(("<map>", 0), "too many words, features or models")

    # No bit may belong to two features (aliases are names, not features).
    owner = {}
    for f in cmap.features:
        for kind, leaf, sub, reg, mask in f.parts:
            for bit in range(32):
                if not mask >> bit & 1:
                    continue
                key = (kind, leaf, sub, reg, bit)
                if key in owner:
                    o = owner[key]
                    raise MapError(f.where, "feature '%s' uses the same bit "
                                   "as feature '%s' (%s:%d); declare one "
                                   "name as an 'alias' of the other instead"
                                   % ((f.name, o.name) + o.where))
                owner[key] = f

    def feature_index(name, where, model):
        f = cmap.feature_by_name.get(name)
        if f is None:
            raise MapError(where, "unknown feature '%s' in model '%s'"
                           % (name, model.name))
        return f.index

    for m in cmap.models:
        if m.decode is None:
            raise MapError(m.where, "model '%s' has no 'decode' line"
                           % m.name)
        if m.based_on:
            anc = cmap.model_by_name.get(m.based_on)
            if anc is None or anc.index >= m.index:
                raise MapError(m.lines["based-on"], "model '%s' is based on "
                               "'%s', which is not defined before it"
                               % (m.name, m.based_on))
            m.r_vendor = anc.r_vendor
            m.r_signatures = list(anc.r_signatures)
            # the ancestor's data: features added to it later are not part
            # of it, and this model does not list them as added (libvirt
            # copies the data only)
            m.r_features = set(anc.r_features) - anc.r_added
        if m.version_of and m.version_of not in cmap.model_by_name:
            raise MapError(m.lines["version-of"], "model '%s' is a version "
                           "of unknown model '%s'" % (m.name, m.version_of))
        if m.vendor is not None:
            v = cmap.vendor_by_name.get(m.vendor)
            if v is None:
                raise MapError(m.lines["vendor"], "unknown vendor '%s' in "
                               "model '%s'" % (m.vendor, m.name))
            m.r_vendor = v.index
        if m.signatures:
            seen = set()
            for s in m.signatures:
                if s[:3] in seen:
                    raise MapError(m.lines["signature"], "duplicate "
                                   "signature '%s' in model '%s'"
                                   % (s[3], m.name))
                seen.add(s[:3])
            m.r_signatures = [s[:3] for s in m.signatures]
        own = set()
        for name, where in m.own_features + m.added:
            idx = feature_index(name, where, m)
            if idx in own:
                raise MapError(where, "feature '%s' is listed twice in "
                               "model '%s'" % (name, m.name))
            own.add(idx)
        m.r_features |= own
        for name, where in m.added:
            m.r_added.add(feature_index(name, where, m))
        for name, where in m.removed:
            idx = feature_index(name, where, m)
            if idx in m.r_removed:
                raise MapError(where, "feature '%s' is removed twice in "
                               "model '%s'" % (name, m.name))
            if idx in m.r_features:
                raise MapError(where, "feature '%s' is both a feature of "
                               "model '%s' and removed from it"
                               % (name, m.name))
            m.r_removed.append(idx)


def model_vec(cmap, model):
    """The model's bits: its features less those added to it later, which
    libvirt (12.8) leaves out of a model's data in every operation."""
    vec = [0] * len(cmap.words)
    for idx in model.r_features - model.r_added:
        for p in cmap.features[idx].parts:
            vec[cmap.word_index[p[:4]]] |= p[4]
    return vec


def cstr(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def cbool(b):
    return "TRUE" if b else "FALSE"


def emit_c(cmap):
    out = []
    w = out.append
    w("/* Generated by tools/gen-cpu-map.py from data/cpu-map/. "
      "Do not edit. */")
    w("")
    w('#include "core/cpu-map-private.h"')
    w("")
    w("/* %d words, %d vendors, %d features, %d models */"
      % (len(cmap.words), len(cmap.vendors), len(cmap.features),
         len(cmap.models)))
    w("")
    w("static const CsWordKey map_words[] = {")
    for i, (kind, leaf, sub, reg) in enumerate(cmap.words):
        w("    { %s, %d, 0x%08x, 0x%x },  /* %d */"
          % ("CS_WORD_CPUID" if kind == CPUID else "CS_WORD_MSR", reg,
             leaf, sub, i))
    w("};")
    w("")
    w("static const CsMapVendor map_vendors[] = {")
    for v in cmap.vendors:
        ebx, ecx, edx = v.regs()
        w("    { %s, %s, 0x%08x, 0x%08x, 0x%08x },"
          % (cstr(v.name), cstr(v.string), ebx, ecx, edx))
    w("};")
    w("")
    w("static const char *const map_no_aliases[] = { NULL };")
    for f in cmap.features:
        if f.aliases:
            w("static const char *const map_aliases_%d[] = { %s, NULL };"
              % (f.index, ", ".join(cstr(a) for a in f.aliases)))
    w("")
    w("static const CsFeaturePart map_feature_parts[] = {")
    part_start = []
    n = 0
    for f in cmap.features:
        part_start.append(n)
        for p in f.parts:
            w("    { %d, 0x%08x },  /* %s */"
              % (cmap.word_index[p[:4]], p[4], f.name))
            n += 1
    w("};")
    w("")
    w("static const CsMapFeature map_features[] = {")
    for f in cmap.features:
        aliases = "map_aliases_%d" % f.index if f.aliases else \
            "map_no_aliases"
        w("    { %s, %s, %s, %d, &map_feature_parts[%d] },  /* %d */"
          % (cstr(f.name), cbool(f.migratable), aliases, len(f.parts),
             part_start[f.index], f.index))
    w("};")
    w("")

    sigs = [s for m in cmap.models for s in m.r_signatures]
    if sigs:
        w("static const CsSignature map_signatures[] = {")
        for m in cmap.models:
            for fam, mod, step in m.r_signatures:
                w("    { %d, %d, 0x%04x },  /* %s */"
                  % (fam, mod, step, m.name))
        w("};")
        w("")
    added = [a for m in cmap.models for a in sorted(m.r_added)]
    if added:
        w("static const guint16 map_added[] = {")
        for m in cmap.models:
            if m.r_added:
                w("    %s,  /* %s */" % (", ".join(str(a) for a in sorted(m.r_added)),
                                      m.name))
        w("};")
        w("")
    removed = [r for m in cmap.models for r in m.r_removed]
    if removed:
        w("static const guint16 map_removed[] = {")
        for m in cmap.models:
            if m.r_removed:
                w("    %s,  /* %s: %s */"
                  % (", ".join(str(r) for r in m.r_removed), m.name,
                     " ".join(cmap.features[r].name
                              for r in m.r_removed)))
        w("};")
        w("")
    if cmap.models:
        w("static const guint32 map_model_vecs[%d][%d] = {"
          % (len(cmap.models), max(len(cmap.words), 1)))
        for m in cmap.models:
            vec = model_vec(cmap, m) or [0]
            w("    {  /* %s */" % m.name)
            for i in range(0, len(vec), 6):
                w("        %s," % ", ".join("0x%08x" % x
                                            for x in vec[i:i + 6]))
            w("    },")
        w("};")
        w("")
        w("static const CsMapModel map_models[] = {")
        sig_pos = 0
        rem_pos = 0
        add_pos = 0
        for m in cmap.models:
            vendor = -1 if m.r_vendor is None else m.r_vendor
            sig_ptr = "&map_signatures[%d]" % sig_pos \
                if m.r_signatures else "NULL"
            rem_ptr = "&map_removed[%d]" % rem_pos if m.r_removed else "NULL"
            add_ptr = "&map_added[%d]" % add_pos if m.r_added else "NULL"
            w("    { %s, %d, %s, %s, %s, %d, %s, map_model_vecs[%d], %d, %s, %d, %s },"
              % (cstr(m.name), vendor, cbool(m.decode[0]),
                 cbool(m.decode[1]),
                 cstr(m.alias_of) if m.alias_of else "NULL",
                 len(m.r_signatures), sig_ptr, m.index, len(m.r_removed),
                 rem_ptr, len(m.r_added), add_ptr))
            sig_pos += len(m.r_signatures)
            rem_pos += len(m.r_removed)
            add_pos += len(m.r_added)
        w("};")
        w("")

    fnames = sorted(((name.encode(), f.index)
                     for name, f in cmap.feature_by_name.items()))
    w("static const CsNameIndex map_feature_names[] = {")
    for name, idx in fnames:
        w("    { %s, %d }," % (cstr(name.decode()), idx))
    w("};")
    w("")
    mnames = sorted((m.name.encode(), m.index) for m in cmap.models)
    if mnames:
        w("static const CsNameIndex map_model_names[] = {")
        for name, idx in mnames:
            w("    { %s, %d }," % (cstr(name.decode()), idx))
        w("};")
        w("")

    emit_derived(cmap, w)

    w("const CsMapTables cs_builtin_map_tables = {")
    w("    .identity = %s," % (cstr(cmap.identity) if cmap.identity
                             else "NULL"))
    w("    .n_words = %d," % len(cmap.words))
    w("    .words = map_words,")
    w("    .n_vendors = %d," % len(cmap.vendors))
    w("    .vendors = map_vendors,")
    w("    .n_features = %d," % len(cmap.features))
    w("    .features = map_features,")
    w("    .n_models = %d," % len(cmap.models))
    w("    .models = %s," % ("map_models" if cmap.models else "NULL"))
    w("    .n_feature_names = %d," % len(fnames))
    w("    .feature_names = map_feature_names,")
    w("    .n_model_names = %d," % len(mnames))
    w("    .model_names = %s," % ("map_model_names" if mnames else "NULL"))
    w("};")
    return "\n".join(out) + "\n"


def c_array(w, ctype, name, values, per_line=12):
    """Writes a static const array (never empty: C forbids it)."""
    values = list(values) or [0]
    w("static const %s %s[%d] = {" % (ctype, name, len(values)))
    for i in range(0, len(values), per_line):
        w("    %s," % ", ".join(str(v) for v in values[i:i + per_line]))
    w("};")
    w("")


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h


def name_hash(sorted_names):
    """The open-addressing name hash of cs_cpu_map_finish: slots hold 1 +
    the position in the strcmp-sorted name index, 0 when empty."""
    size = 16
    while size < 2 * len(sorted_names):
        size *= 2
    slots = [0] * size
    for i, name in enumerate(sorted_names):
        h = fnv1a(name) & (size - 1)
        while slots[h]:
            h = (h + 1) & (size - 1)
        slots[h] = i + 1
    return size - 1, slots


def emit_derived(cmap, w):
    """The lookup tables the library derives from a map (cs_cpu_map_finish
    in src/lib/core/cpu-map.c), precomputed so the built-in map costs nothing to
    set up. A unit test checks that both give the same tables."""
    nbits = len(cmap.words) * 32
    per_bit = [[] for _ in range(nbits)]
    empty = []
    for f in cmap.features:
        n = 0
        for p in f.parts:
            word = cmap.word_index[p[:4]]
            for b in range(32):
                if p[4] & (1 << b):
                    n += 1
                    lst = per_bit[word * 32 + b]
                    if not lst or lst[-1] != f.index:
                        lst.append(f.index)
        if n == 0:
            empty.append(f.index)
    bit_off = [0]
    bit_feat = []
    for lst in per_bit:
        bit_feat.extend(lst)
        bit_off.append(len(bit_feat))
    single = [0] * max(len(cmap.words), 1)
    multi, shared, cls = [], [], []
    n_empty = 0
    for f in cmap.features:
        n = 0
        is_shared = False
        for p in f.parts:
            word = cmap.word_index[p[:4]]
            for b in range(32):
                if p[4] & (1 << b):
                    n += 1
                    if len(per_bit[word * 32 + b]) > 1:
                        is_shared = True
        if n == 0:
            cls.append(0)
            n_empty += 1
        elif is_shared:
            cls.append(3)
            shared.append(f.index)
        elif n == 1 and len(f.parts) == 1:
            cls.append(1)
            single[cmap.word_index[f.parts[0][:4]]] |= f.parts[0][4]
        else:
            cls.append(2)
            multi.append(f.index)
    c_array(w, "guint32", "map_bit_off", bit_off)
    c_array(w, "guint16", "map_bit_feat", bit_feat)
    c_array(w, "guint16", "map_empty_feats", empty)
    c_array(w, "guint32", "map_fi_single", ("0x%08x" % x for x in single), 6)
    c_array(w, "guint16", "map_fi_multi", multi)
    c_array(w, "guint16", "map_fi_shared", shared)
    c_array(w, "guint8", "map_fi_cls", cls, 24)
    fhash_mask, fhash = name_hash(sorted(n.encode() for n in cmap.feature_by_name))
    mhash_mask, mhash = name_hash(sorted(m.name.encode() for m in cmap.models))
    c_array(w, "guint16", "map_feature_hash", fhash, 16)
    c_array(w, "guint16", "map_model_hash", mhash, 16)
    w("const CsMapDerived cs_builtin_map_derived = {")
    w("    .bit_off = map_bit_off,")
    w("    .bit_feat = map_bit_feat,")
    w("    .n_empty = %d," % len(empty))
    w("    .empty_feats = map_empty_feats,")
    w("    .fi = {")
    w("        .single = map_fi_single,")
    w("        .multi = map_fi_multi,")
    w("        .n_multi = %d," % len(multi))
    w("        .shared = map_fi_shared,")
    w("        .n_shared = %d," % len(shared))
    w("        .cls = map_fi_cls,")
    w("        .n_empty = %d," % n_empty)
    w("    },")
    w("    .feature_hash_mask = %d," % fhash_mask)
    w("    .feature_hash = map_feature_hash,")
    w("    .model_hash_mask = %d," % mhash_mask)
    w("    .model_hash = map_model_hash,")
    w("};")
    w("")


def stats(cmap):
    text = ("%d vendors, %d features (%d names with aliases), %d models, "
            "%d words" % (len(cmap.vendors), len(cmap.features),
                          len(cmap.feature_by_name), len(cmap.models),
                          len(cmap.words)))
    if cmap.identity:
        text += "; identity: %s" % cmap.identity
    return text


def main(argv):
    args = argv[1:]
    show_stats = "--stats" in args
    args = [a for a in args if a != "--stats"]
    if len(args) not in (1, 2) or args[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    try:
        cmap = load_map(args[0])
    except MapError as e:
        sys.stderr.write("gen-cpu-map: %s\n" % e)
        return 1
    except OSError as e:
        sys.stderr.write("gen-cpu-map: %s\n" % e)
        return 1
    if not cmap.vendors or not cmap.features:
        sys.stderr.write("gen-cpu-map: %s: the map has no vendors or no "
                         "features\n" % args[0])
        return 1
    if len(args) == 2:
        text = emit_c(cmap)
        tmp = args[1] + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fp:
            fp.write(text)
        os.replace(tmp, args[1])
    if show_stats:
        print(stats(cmap))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
