#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random differential test of `cpusel baseline` against libvirt 9.0 (lvcpu).

Draws sets of 2-12 real host CPUs (libvirt's decodes of the reference dumps,
mixed generations, mostly one vendor, some mixed-vendor sets that must fail),
runs every set plain, --expand and --migratable through both tools with
libvirt's map, and compares the output byte for byte (or the error message).
cpusel sometimes reads a member from its raw dump instead (decoded first),
and sometimes reads a whole set from one <cpuTest> file (the streaming
reader). Then the invariant: every member must compare IDENTICAL or SUPERSET
against the plain result, according to libvirt's own compare.

    tools/diff-oracle-baseline.py --cpusel build/src/cli/cpusel \
        [--lvcpu /tmp/oracle/lvcpu] [--sets 2000] [--seed 4] [--ref DIR]
        [--max-hosts N] [--mutate P] [--expected-set SET]
        [--cpu-map DIR] [--cpusel-map DIR|builtin]

Against libvirt 12.8 (its oracle and map, cpusel's built-in map):
    --lvcpu ../shared/oracle12/lvcpu12 --expected-set expected-libvirt12 \
    --cpu-map /tmp/sidroot/usr/share/libvirt/cpu_map --cpusel-map builtin \
    --max-hosts 50 --mutate 0.3
--mutate P gives each member a chance P of being a copy of its host CPU with
random features of the map added or removed (decoded hosts are then not the
only inputs); such members are read from the copy by both tools.

Without --lvcpu the oracle is built from $CS_ORACLE_DIR (default
../shared/oracle beside the project; --oracle-src) in a temporary directory;
the reference data is $CS_REFERENCE_DIR (default ../shared/reference).
--libvirt12 is short for the 12.8 options above, with lvcpu12 of
$CS_ORACLE12_DIR (default ../shared/oracle12) and the map
$CS_LIBVIRT12_CPU_MAP (default /tmp/sidroot/usr/share/libvirt/cpu_map).

Exit status: 0 all agree, 1 some differ, 77 the oracle is unusable.
"""
import argparse
import atexit
import concurrent.futures
import glob
import os
import random
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

MAP = '/usr/share/libvirt/cpu_map'
MODES = [('plain', []), ('expand', ['--expand']), ('migratable', ['--migratable'])]


def vendor_of(path):
    with open(path) as f:
        text = f.read()
    for v in ('Intel', 'AMD', 'Hygon', 'Zhaoxin'):
        if '<vendor>%s</vendor>' % v in text:
            return v
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cpusel', required=True)
    ap.add_argument('--lvcpu')
    ap.add_argument('--oracle-src', default=beside_project('CS_ORACLE_DIR', 'oracle'))
    ap.add_argument('--libvirt12', action='store_true',
                    help="against libvirt 12.8: lvcpu12 of $CS_ORACLE12_DIR (default "
                         "../shared/oracle12), its map ($CS_LIBVIRT12_CPU_MAP, default "
                         "/tmp/sidroot/usr/share/libvirt/cpu_map), expected-libvirt12 "
                         "hosts, cpusel's built-in map, up to 50 hosts, 30%% mutated")
    ap.add_argument('--ref', default=beside_project('CS_REFERENCE_DIR', 'reference'))
    ap.add_argument('--sets', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=4)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--show', type=int, default=5, help='differences to print')
    ap.add_argument('--expected-set', default='expected')
    ap.add_argument('--cpu-map', help="the oracle's map (its feature names; default %s)" % MAP)
    ap.add_argument('--cpusel-map', help="cpusel's map: a directory or 'builtin' "
                                        "(default: --cpu-map)")
    ap.add_argument('--max-hosts', type=int)
    ap.add_argument('--mutate', type=float)
    args = ap.parse_args()
    if args.libvirt12:
        args.lvcpu = args.lvcpu or oracle12()
        args.cpu_map = args.cpu_map or LV12_MAP
        if args.expected_set == 'expected':
            args.expected_set = 'expected-libvirt12'
        args.cpusel_map = args.cpusel_map or 'builtin'
        args.max_hosts = args.max_hosts or 50
        args.mutate = 0.3 if args.mutate is None else args.mutate
    args.cpu_map = args.cpu_map or MAP
    args.max_hosts = args.max_hosts or 12
    args.mutate = args.mutate or 0.0

    ref = os.path.abspath(args.ref)
    dec = os.path.join(ref, args.expected_set, 'decode')
    cmap = args.cpusel_map or args.cpu_map
    map_args = [] if cmap == 'builtin' else ['--cpu-map', cmap]
    if not os.path.isdir(dec):
        print('SKIP: no reference decodes in %s (set CS_REFERENCE_DIR)' % dec)
        return 77
    if not os.path.isdir(args.cpu_map):
        print('SKIP: no libvirt cpu_map at %s (%s)' % (args.cpu_map, hint_map(args)))
        return 77
    if not args.lvcpu:
        build = tempfile.mkdtemp(prefix='lvcpu-')
        try:
            shutil.copytree(args.oracle_src, os.path.join(build, 'oracle'))
            subprocess.run(['make', '-C', os.path.join(build, 'oracle')],
                           capture_output=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            print('SKIP: the oracle cannot be built from %s (%s)'
                  % (args.oracle_src, hint_oracle(args)))
            return 77
        args.lvcpu = os.path.join(build, 'oracle', 'lvcpu')
    try:
        subprocess.run([args.lvcpu, 'selftest'], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        print('SKIP: the oracle %s does not run (%s)' % (args.lvcpu, hint_oracle(args)))
        return 77

    hosts = sorted(os.path.join(dec, f) for f in os.listdir(dec) if f.endswith('-host.xml'))
    by_vendor = {}
    for h in hosts:
        by_vendor.setdefault(vendor_of(h), []).append(h)
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix='diff-baseline-')
    atexit.register(shutil.rmtree, tmp, True)

    def raw_dump(path):
        name = os.path.basename(path)[:-len('-host.xml')]
        return os.path.join(ref, 'libvirt-cputestdata', name + '.xml')

    feature_names = []
    for f in sorted(glob.glob(os.path.join(args.cpu_map, 'x86_features.xml'))):
        with open(f) as fh:
            feature_names += [l.split("'")[1] for l in fh if "<feature name='" in l]
    n_mutants = 0

    def mutant(path):
        nonlocal n_mutants
        with open(path) as f:
            lines = f.read().split('\n')
        feats = [i for i, l in enumerate(lines) if l.strip().startswith('<feature ')]
        drop = set(rng.sample(feats, min(len(feats), rng.randint(0, 6))))
        have = {l.split("'")[1] for l in lines if l.strip().startswith('<feature ')}
        add = [n for n in rng.sample(feature_names, rng.randint(0, 6)) if n not in have]
        out = [l for i, l in enumerate(lines) if i not in drop]
        end = out.index('</cpu>')
        out[end:end] = ["  <feature name='%s'/>" % n for n in add]
        n_mutants += 1
        mpath = os.path.join(tmp, 'mutant-%05d.xml' % n_mutants)
        with open(mpath, 'w') as f:
            f.write('\n'.join(out))
        return mpath

    sets = []   # (oracle files, cpusel files, members)
    for i in range(args.sets):
        n = rng.randint(2, args.max_hosts)
        r = rng.random()
        if r < 0.05:
            members = [rng.choice(hosts) for _ in range(n)]         # mixed vendors
        else:
            vendor = 'Intel' if r < 0.72 else 'AMD'
            members = [rng.choice(by_vendor[vendor]) for _ in range(n)]
        if args.mutate:
            members = [mutant(m) if rng.random() < args.mutate else m for m in members]
        if rng.random() < 0.2:
            # one <cpuTest> file holding every member
            path = os.path.join(tmp, 'set-%05d.xml' % i)
            with open(path, 'w') as out:
                out.write('<cpuTest>\n')
                for m in members:
                    with open(m) as f:
                        out.write(f.read())
                out.write('</cpuTest>\n')
            sets.append(([path], [path], members))
        else:
            ours = [raw_dump(m) if m.startswith(dec) and rng.random() < 0.25 else m
                    for m in members]
            sets.append((members, ours, members))

    # libvirt: one batch
    lines = []
    for ofiles, _, _ in sets:
        for mode, _ in MODES:
            flag = {'plain': '-', 'expand': 'expand', 'migratable': 'migratable'}[mode]
            lines.append('baseline\t%s\t%s' % (flag, '\t'.join(ofiles)))
    batch = subprocess.run([args.lvcpu, 'batch'], input='\n'.join(lines) + '\n',
                           capture_output=True, text=True, check=True).stdout
    oracle = []
    for rec in batch.split('### ')[1:]:
        head, _, body = rec.partition('\n')
        oracle.append((head.split()[1], body))
    assert len(oracle) == len(lines), (len(oracle), len(lines))

    def ours(k):
        _, cfiles, _ = sets[k // 3]
        extra = MODES[k % 3][1]
        p = subprocess.run([args.cpusel, 'baseline'] + map_args + extra + cfiles,
                           capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(ours, range(len(lines))))

    agree = 0
    differ = []
    errors = 0
    compare_lines = []
    for k, ((status, body), (rc, out, err)) in enumerate(zip(oracle, results)):
        # exit status and stderr count as much as the output: a sanitizer
        # report after the right answer is a failure
        if status == 'ok':
            ok = rc == 0 and out == body and err == ''
            if ok and k % 3 == 0:
                path = os.path.join(tmp, 'result-%05d.xml' % (k // 3))
                with open(path, 'w') as f:
                    f.write(out)
                for m in sets[k // 3][2]:
                    compare_lines.append('compare\t%s\t%s' % (m, path))
        else:
            errors += 1
            msg = body.strip()
            ours_msg = err.strip()
            if ours_msg.startswith('cpusel: '):
                ours_msg = ours_msg[len('cpusel: '):]
            ok = (rc in (1, 3) and out == '' and err.count('\n') == 1 and
                  msg.endswith(ours_msg) and ours_msg != '')
        if ok:
            agree += 1
        else:
            differ.append((k, status, body, rc, out, err))

    # the invariant, by libvirt's compare
    inv_ok = 0
    inv_bad = []
    if compare_lines:
        batch = subprocess.run([args.lvcpu, 'batch'], input='\n'.join(compare_lines) + '\n',
                               capture_output=True, text=True, check=True).stdout
        for line, rec in zip(compare_lines, batch.split('### ')[1:]):
            word = rec.partition('\n')[2].split('\n')[0]
            if word in ('IDENTICAL', 'SUPERSET'):
                inv_ok += 1
            else:
                inv_bad.append((line, word))

    print('sets: %d (%d cases: plain, --expand, --migratable; %d libvirt errors)'
          % (len(sets), len(lines), errors))
    print('agreement: %d/%d' % (agree, len(lines)))
    print('invariant (libvirt compare of each member vs the plain result): %d/%d'
          % (inv_ok, len(compare_lines)))
    for k, status, body, rc, out, err in differ[:args.show]:
        print('--- case %d (%s, files %s)' % (k, MODES[k % 3][0], ' '.join(sets[k // 3][1])))
        print('libvirt (%s):\n%s' % (status, body))
        print('cpusel (exit %d):\n%s%s' % (rc, out, err))
    for line, word in inv_bad[:args.show]:
        print('invariant broken: %s -> %s' % (line, word))
    return 0 if not differ and not inv_bad else 1


if __name__ == '__main__':
    sys.exit(main())
