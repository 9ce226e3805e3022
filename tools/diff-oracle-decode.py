#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential test of cpusel's decode against libvirt 9.0 (the oracle).

Makes random variations of the reference dumps (x86*-cpuid-*.xml) with a
fixed seed: CPUID/MSR bits of map features switched on and off, sometimes a
random family/model/stepping, rarely another vendor string. Every variant is
decoded as host and as guest, some also with a random --models subset (some
entries blocked, "Name:feat:feat"), by `lvcpu batch` (one process) and by
tests/conformance/decode-batch (one process), both with libvirt's cpu_map,
and the outputs are compared byte for byte (for failures: both must fail).

usage: diff-oracle-decode.py [--lvcpu PATH | --build-oracle SRC | --libvirt12]
                             --cpusel-batch PATH [-n N] [--seed S]
                             [--reference DIR] [--cpu-map DIR] [--keep DIR]
                             [--cpusel-map DIR|builtin]
The oracle is built from $CS_ORACLE_DIR (default ../shared/oracle beside the
project) unless --lvcpu names one; the reference data is $CS_REFERENCE_DIR
(default ../shared/reference).
--cpu-map is the oracle's map (its bits are mutated); cpusel uses the same
map unless --cpusel-map says otherwise. Against libvirt 12.8: --libvirt12,
short for --lvcpu $CS_ORACLE12_DIR/lvcpu12 (default ../shared/oracle12)
  --cpu-map $CS_LIBVIRT12_CPU_MAP (default /tmp/sidroot/usr/share/libvirt/cpu_map)
  --cpusel-map builtin
Exit status: 0 when everything agrees, 1 otherwise, 77 when a tool or the
reference data is missing.
"""
import argparse
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile


HERE = os.path.dirname(os.path.abspath(__file__))
LV12_MAP = os.environ.get('CS_LIBVIRT12_CPU_MAP',
                          '/tmp/sidroot/usr/share/libvirt/cpu_map')


def beside_project(env, name):
    """$ENV, else ../shared/NAME beside the project (the usual layout)."""
    return os.environ.get(env) or os.path.normpath(os.path.join(HERE, '..', '..', 'shared', name))


def oracle12():
    """lvcpu12 of $CS_ORACLE12_DIR (default ../shared/oracle12)."""
    return os.path.join(beside_project('CS_ORACLE12_DIR', 'oracle12'), 'lvcpu12')


def hint_oracle(args):
    """How to enable a run that lacks the oracle."""
    if args.libvirt12:
        return ('set CS_ORACLE12_DIR to the lvcpu12 oracle; it needs the sid '
                'chroot of its setup-sid.sh')
    return 'set CS_ORACLE_DIR to the lvcpu sources; they need libvirt0 9.0'


def hint_map(args):
    """How to enable a run that lacks the oracle's cpu_map."""
    if args.libvirt12:
        return 'set CS_LIBVIRT12_CPU_MAP to libvirt 12.8\'s cpu_map'
    return 'install libvirt0 for /usr/share/libvirt/cpu_map'
import xml.etree.ElementTree as ET

REGS = ('eax', 'ebx', 'ecx', 'edx')
VENDORS = [  # leaf 0 (ebx, ecx, edx)
    (0x756e6547, 0x6c65746e, 0x49656e69),   # GenuineIntel
    (0x68747541, 0x444d4163, 0x69746e65),   # AuthenticAMD
    (0x6f677948, 0x656e6975, 0x6e65476e),   # HygonGenuine
    (0x746e6543, 0x736c7561, 0x48727561),   # CentaurHauls
]


def map_info(cpu_map):
    """Feature bits of libvirt's x86 map: [(name, kind, key, reg, mask)] and
    the model names, in map order."""
    bits, models = [], []
    for f in sorted(glob.glob(os.path.join(cpu_map, 'x86_*.xml'))):
        root = ET.parse(f).getroot()
        for el in root:
            if el.tag == 'model':
                models.append(el.get('name'))
            if el.tag != 'feature':
                continue
            for c in el:
                if c.tag == 'cpuid':
                    key = (int(c.get('eax_in'), 0), int(c.get('ecx_in', '0'), 0))
                    for reg in REGS:
                        if c.get(reg):
                            bits.append((el.get('name'), 'cpuid', key, reg,
                                         int(c.get(reg), 0)))
                elif c.tag == 'msr':
                    key = int(c.get('index'), 0)
                    for reg in ('eax', 'edx'):
                        if c.get(reg) and int(c.get(reg), 0):
                            bits.append((el.get('name'), 'msr', key, reg,
                                         int(c.get(reg), 0)))
    return bits, models


def load_dump(path):
    root = ET.parse(path).getroot()
    leaves, msrs = {}, {}
    for c in root:
        if c.tag == 'cpuid':
            key = (int(c.get('eax_in'), 0), int(c.get('ecx_in', '0'), 0))
            leaves[key] = {r: int(c.get(r, '0'), 0) for r in REGS}
        elif c.tag == 'msr':
            msrs[int(c.get('index'), 0)] = {r: int(c.get(r, '0'), 0) for r in ('eax', 'edx')}
    return leaves, msrs


def format_dump(leaves, msrs):
    out = ["<cpudata arch='x86'>"]
    for (eax_in, ecx_in) in sorted(leaves):
        v = leaves[(eax_in, ecx_in)]
        out.append("  <cpuid eax_in='0x%08x' ecx_in='0x%02x' eax='0x%08x' ebx='0x%08x'"
                   " ecx='0x%08x' edx='0x%08x'/>" % (eax_in, ecx_in, v['eax'], v['ebx'],
                                                     v['ecx'], v['edx']))
    for index in sorted(msrs):
        v = msrs[index]
        out.append("  <msr index='0x%x' eax='0x%08x' edx='0x%08x'/>"
                   % (index, v['eax'], v['edx']))
    out.append('</cpudata>')
    return '\n'.join(out) + '\n'


def vary(rng, leaves, msrs, bits):
    leaves = {k: dict(v) for k, v in leaves.items()}
    msrs = {k: dict(v) for k, v in msrs.items()}
    if rng.random() < 0.2:
        # a whole group of MSR features at once (VMX capability MSRs,
        # IA32_ARCH_CAPABILITIES), as a dump taken with MSR access has them
        lo, hi = rng.choice([(0x480, 0x491), (0x10a, 0x10a), (0x480, 0x491)])
        for name, kind, key, reg, mask in bits:
            if kind == 'msr' and lo <= key <= hi and rng.random() < 0.9:
                ent = msrs.setdefault(key, {'eax': 0, 'edx': 0})
                ent[reg] |= mask
    for _ in range(rng.choice([1, 1, 2, 3, 4, 6, 10])):
        name, kind, key, reg, mask = rng.choice(bits)
        on = rng.random() < 0.5
        if kind == 'cpuid':
            ent = leaves.setdefault(key, {r: 0 for r in REGS})
        else:
            ent = msrs.setdefault(key, {'eax': 0, 'edx': 0})
        ent[reg] = (ent[reg] | mask) if on else (ent[reg] & ~mask)
    if rng.random() < 0.25:
        ent = leaves.setdefault((1, 0), {r: 0 for r in REGS})
        fam = rng.choice([6, 6, 6, 15, 15, 5, rng.randrange(16)])
        ext_fam = rng.choice([0, 0x1, 0x6, 0x8, 0xa, 0xb]) if fam == 15 else 0
        model = rng.randrange(256)
        eax = ((ext_fam << 20) | ((model >> 4) << 16) | (fam << 8) |
               ((model & 0xf) << 4) | rng.randrange(16))
        ent['eax'] = (ent['eax'] & ~0x0fff3fff) | eax
    if rng.random() < 0.03:
        ebx, ecx, edx = rng.choice(VENDORS)
        ent = leaves.setdefault((0, 0), {r: 0 for r in REGS})
        ent.update(ebx=ebx, ecx=ecx, edx=edx)
    return leaves, msrs


def models_spec(rng, models, feature_names):
    picked = rng.sample(models, rng.randrange(1, min(20, len(models)) + 1))
    out = []
    for m in picked:
        if rng.random() < 0.3:
            blockers = rng.sample(feature_names, rng.randrange(1, 4))
            out.append(':'.join([m] + blockers))
        else:
            out.append(m)
    return ','.join(out)


def parse_records(text):
    recs = {}
    for chunk in re.split(r'^### ', text, flags=re.M)[1:]:
        head, _, body = chunk.partition('\n')
        num, status = head.split()[:2]
        recs[int(num)] = (status, body)
    return recs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--lvcpu')
    ap.add_argument('--build-oracle', metavar='SRC',
                    default=beside_project('CS_ORACLE_DIR', 'oracle'),
                    help='build lvcpu from SRC (default: $CS_ORACLE_DIR or '
                         '../shared/oracle)')
    ap.add_argument('--libvirt12', action='store_true',
                    help='against libvirt 12.8: lvcpu12 of $CS_ORACLE12_DIR (default '
                         '../shared/oracle12), its map ($CS_LIBVIRT12_CPU_MAP, default '
                         "/tmp/sidroot/usr/share/libvirt/cpu_map); cpusel's built-in map")
    ap.add_argument('--cpusel-batch', required=True)
    ap.add_argument('-n', type=int, default=1000, help='number of variants')
    ap.add_argument('--seed', type=int, default=20240901)
    ap.add_argument('--reference',
                    default=beside_project('CS_REFERENCE_DIR', 'reference'))
    ap.add_argument('--cpu-map')
    ap.add_argument('--cpusel-map', metavar='DIR',
                    help="cpusel's map: a cpu_map directory or 'builtin' (default: --cpu-map)")
    ap.add_argument('--keep', metavar='DIR', help='keep variants and outputs here')
    args = ap.parse_args()
    if args.libvirt12:
        args.lvcpu = args.lvcpu or oracle12()
        args.cpu_map = args.cpu_map or LV12_MAP
        args.cpusel_map = args.cpusel_map or 'builtin'
    args.cpu_map = args.cpu_map or '/usr/share/libvirt/cpu_map'

    dumps = sorted(glob.glob(os.path.join(args.reference, 'libvirt-cputestdata',
                                          'x86*-cpuid-*.xml')))
    if not dumps:
        print('SKIP: no reference dumps in %s (set CS_REFERENCE_DIR)' % args.reference)
        return 77
    if not os.path.exists(os.path.join(args.cpu_map, 'index.xml')):
        print('SKIP: no libvirt cpu_map in %s (%s)' % (args.cpu_map, hint_map(args)))
        return 77
    tmp = tempfile.mkdtemp(prefix='diff-oracle-decode-')
    try:
        lvcpu = args.lvcpu
        if not lvcpu and args.build_oracle:
            build = os.path.join(tmp, 'oracle')
            try:
                shutil.copytree(args.build_oracle, build)
                subprocess.run(['make', '-C', build, 'lvcpu'], check=True,
                               capture_output=True)
                lvcpu = os.path.join(build, 'lvcpu')
                subprocess.run([lvcpu, 'selftest'], check=True, capture_output=True)
            except (OSError, subprocess.CalledProcessError) as e:
                print('SKIP: cannot build or run the oracle from %s (%s): %s'
                      % (args.build_oracle, hint_oracle(args), e))
                return 77
        if not lvcpu:
            print('SKIP: no oracle (--lvcpu or --build-oracle; %s)' % hint_oracle(args))
            return 77
        if not os.access(lvcpu, os.X_OK):
            print('SKIP: no oracle at %s (%s)' % (lvcpu, hint_oracle(args)))
            return 77
        return run(args, lvcpu, dumps, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, lvcpu, dumps, tmp):
    work = args.keep or tmp
    os.makedirs(work, exist_ok=True)
    rng = random.Random(args.seed)
    bits, models = map_info(args.cpu_map)
    feature_names = sorted({b[0] for b in bits})
    base = {d: load_dump(d) for d in dumps}
    lines, cases = [], []
    for i in range(args.n):
        src = rng.choice(dumps)
        leaves, msrs = vary(rng, *base[src], bits)
        path = os.path.join(work, 'v%05d.xml' % i)
        with open(path, 'w') as f:
            f.write(format_dump(leaves, msrs))
        for kind in ('host', 'guest'):
            spec = models_spec(rng, models, feature_names) if rng.random() < 0.2 else ''
            lines.append('decode\t%s\t%s\t%s' % (path, kind, spec))
            cases.append((src, path, kind, spec))
    cmds = os.path.join(work, 'commands.tsv')
    with open(cmds, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    oracle = subprocess.run([lvcpu, 'batch', cmds], capture_output=True, text=True)
    cpusel_map = args.cpusel_map or args.cpu_map
    map_args = [] if cpusel_map == 'builtin' else ['--cpu-map', cpusel_map]
    ours = subprocess.run([args.cpusel_batch] + map_args + [cmds],
                          capture_output=True, text=True)
    # cpusel's batch must exit 0 and print only its count on stderr (a
    # sanitizer report after the right records is a failure)
    if (oracle.returncode != 0 or ours.returncode != 0 or
            ours.stderr != '%d cases\n' % len(lines)):
        print('a batch run failed (exit %d, %d):' % (oracle.returncode, ours.returncode),
              oracle.stderr[-500:], ours.stderr[-500:])
        return 1
    if args.keep:
        with open(os.path.join(work, 'oracle.out'), 'w') as f:
            f.write(oracle.stdout)
        with open(os.path.join(work, 'cpusel.out'), 'w') as f:
            f.write(ours.stdout)
    want, got = parse_records(oracle.stdout), parse_records(ours.stdout)
    agree, shown = 0, 0
    both_err = 0
    for n, (src, path, kind, spec) in enumerate(cases, 1):
        w, g = want.get(n), got.get(n)
        same = (w is not None and g is not None and w[0] == g[0] and
                (w[0] == 'err' or w[1] == g[1]))
        if same:
            agree += 1
            both_err += w[0] == 'err'
            continue
        if shown < 10:
            shown += 1
            print('DIFF case %d: %s %s (from %s)%s' % (
                n, os.path.basename(path), kind, os.path.basename(src),
                ' models=' + spec if spec else ''))
            print('  libvirt: %s\n%s' % (w[0] if w else 'missing',
                                         (w[1] if w else '')[:1500]))
            print('  cpusel:  %s\n%s' % (g[0] if g else 'missing',
                                         (g[1] if g else '')[:1500]))
    total = len(cases)
    print('decode oracle diff: %d variants, %d cases, %d agree (%d both errors), '
          '%d differ' % (args.n, total, agree, both_err, total - agree))
    return 0 if agree == total else 1


if __name__ == '__main__':
    sys.exit(main())
