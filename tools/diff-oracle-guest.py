#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential test of cpusel's compare/update/encode against libvirt 9.0.

Generates random guest CPUs (random model, mode, match, fallback, vendor,
features with random policies, canonical feature names only: libvirt 9.0
accepts no aliases) with a fixed seed, pairs them with the decoded host CPUs
of the reference data, runs every case through `lvcpu batch` (the oracle)
and through `test-guest-conformance --batch` (cpusel), and compares:
compare's result word and, for INCOMPATIBLE, the reason and the exact
feature names; update's and encode's output byte for byte, or both failing.

usage: diff-oracle-guest.py [--lvcpu PATH | --build-oracle SRC | --libvirt12]
                            --cpusel-batch PATH [-n N] [--seed S]
                            [--reference DIR] [--cpu-map DIR] [--keep DIR]
                            [--expected-set SET] [--cpusel-map DIR|builtin]
                            [--removed-policies]
The oracle is built from $CS_ORACLE_DIR (default ../shared/oracle beside the
project) unless --lvcpu names one; the reference data is $CS_REFERENCE_DIR
(default ../shared/reference).
Against libvirt 12.8: --libvirt12, short for --lvcpu $CS_ORACLE12_DIR/lvcpu12
  (default ../shared/oracle12) --cpu-map $CS_LIBVIRT12_CPU_MAP (default
  /tmp/sidroot/usr/share/libvirt/cpu_map) --expected-set expected-libvirt12
  --cpusel-map builtin --removed-policies
Exit status: 0 when everything agrees, 1 otherwise, 77 when a tool is missing.
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


def map_names(cpu_map):
    """Canonical feature names and model names of libvirt's x86 map, in map order."""
    features, models = [], []
    for f in sorted(glob.glob(os.path.join(cpu_map, 'x86_*.xml'))):
        root = ET.parse(f).getroot()
        for el in root:
            if el.tag == 'feature':
                features.append(el.get('name'))
            elif el.tag == 'model':
                models.append(el.get('name'))
    return features, models


def random_guest(rng, features, models):
    mode = rng.choices(['custom', 'host-model', 'host-passthrough'], [90, 7, 3])[0]
    attrs = [f"mode='{mode}'"] if rng.random() < 0.5 or mode != 'custom' else []
    if mode == 'custom' and rng.random() < 0.9:
        attrs.append("match='%s'" % rng.choice(['exact', 'minimum', 'strict']))
    lines = ['<cpu%s>' % ''.join(' ' + a for a in attrs)]
    has_model = mode != 'host-passthrough' and (mode == 'custom' or rng.random() < 0.3)
    if has_model:
        fb = rng.choice(['', " fallback='allow'", " fallback='forbid'"])
        lines.append(f"  <model{fb}>{rng.choice(models)}</model>")
        if rng.random() < 0.15:
            lines.append('  <vendor>%s</vendor>' % rng.choice(['Intel', 'AMD', 'Intel', 'AMD', 'Hygon']))
    elif mode == 'host-model' and rng.random() < 0.5:
        lines.append("  <model fallback='%s'/>" % rng.choice(['allow', 'forbid']))
    if mode != 'host-passthrough' and (has_model or mode != 'custom'):
        n = rng.choice([0, 1, 2, 3, 5, 8, 12])
        for name in rng.sample(features, n):
            pol = rng.choice(['force', 'require', 'optional', 'disable', 'forbid', None])
            if pol:
                lines.append(f"  <feature policy='{pol}' name='{name}'/>")
            else:
                lines.append(f"  <feature name='{name}'/>")
    lines.append('</cpu>')
    return '\n'.join(lines) + '\n'


def parse_records(text):
    recs = {}
    for chunk in re.split(r'^### ', text, flags=re.M)[1:]:
        head, _, body = chunk.partition('\n')
        num, status = head.split()[:2]
        recs[int(num)] = (status, body)
    return recs


def libvirt_detail(msg):
    m = re.search(r'CPU arch (\S+) does not match', msg)
    if m:
        return 'arch: ' + m.group(1)
    m = re.search(r'required CPU vendor (.*)$', msg)
    if m:
        return 'vendor: ' + m.group(1)
    for key, word in (('forbidden features: ', 'forbidden'),
                      ('does not provide required features: ', 'missing'),
                      ('Extra features: ', 'extra')):
        if key in msg:
            return word + ': ' + msg.rsplit(': ', 1)[1]
    return msg


def normalize(cmd, status, body):
    if cmd != 'compare':
        return (status, body if status == 'ok' else '')
    lines = body.split('\n')
    word = lines[0]
    if status != 'ok':
        return ('err', 'ERROR')
    if word == 'INCOMPATIBLE':
        detail = next((l[2:] for l in lines[1:] if l.startswith('# ')), '')
        return ('ok', word, libvirt_detail(detail))
    return ('ok', word)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lvcpu')
    ap.add_argument('--build-oracle', metavar='SRC',
                    default=beside_project('CS_ORACLE_DIR', 'oracle'),
                    help='build lvcpu from the oracle sources SRC in a temporary directory '
                         '(default: $CS_ORACLE_DIR or ../shared/oracle)')
    ap.add_argument('--libvirt12', action='store_true',
                    help='against libvirt 12.8: lvcpu12 of $CS_ORACLE12_DIR (default '
                         '../shared/oracle12), its map ($CS_LIBVIRT12_CPU_MAP, default '
                         '/tmp/sidroot/usr/share/libvirt/cpu_map)')
    ap.add_argument('--cpusel-batch', required=True)
    ap.add_argument('-n', type=int, default=3000)
    ap.add_argument('--seed', type=int, default=20230109)
    ap.add_argument('--reference', default=beside_project('CS_REFERENCE_DIR', 'reference'))
    ap.add_argument('--cpu-map')
    ap.add_argument('--keep')
    ap.add_argument('--removed-policies', action='store_true',
                    help='also update with random removed-policy= flags (libvirt 12.8)')
    ap.add_argument('--expected-set', default='expected',
                    help="the hosts: REFERENCE/SET/decode/*-host.xml (expected-libvirt12 "
                         "for libvirt 12.8)")
    ap.add_argument('--cpusel-map', metavar='DIR',
                    help="cpusel's map: a cpu_map directory or 'builtin' (default: --cpu-map)")
    args = ap.parse_args()
    if args.libvirt12:
        args.lvcpu = args.lvcpu or oracle12()
        args.cpu_map = args.cpu_map or LV12_MAP
        if args.expected_set == 'expected':
            args.expected_set = 'expected-libvirt12'
        args.cpusel_map = args.cpusel_map or 'builtin'
        args.removed_policies = True
    args.cpu_map = args.cpu_map or '/usr/share/libvirt/cpu_map'

    if not args.lvcpu and args.build_oracle:
        build = tempfile.mkdtemp(prefix='lvcpu-')
        try:
            subprocess.run(['cp', '-r', args.build_oracle + '/.', build], check=True)
            subprocess.run(['make', '-C', build], check=True, capture_output=True)
            args.lvcpu = os.path.join(build, 'lvcpu')
        except (subprocess.CalledProcessError, OSError):
            print('SKIP: the oracle cannot be built from %s (%s)'
                  % (args.build_oracle, hint_oracle(args)))
            return 77
    if not args.lvcpu:
        ap.error('--lvcpu or --build-oracle is required')
    hosts = sorted(glob.glob(os.path.join(args.reference, args.expected_set, 'decode',
                                          '*-host.xml')))
    if not os.access(args.lvcpu, os.X_OK):
        print('SKIP: no oracle at %s (%s)' % (args.lvcpu, hint_oracle(args)))
        return 77
    if not hosts:
        print('SKIP: no reference hosts in %s (set CS_REFERENCE_DIR)'
              % os.path.join(args.reference, args.expected_set, 'decode'))
        return 77
    if not os.path.isdir(args.cpu_map):
        print('SKIP: no libvirt cpu_map at %s (%s)' % (args.cpu_map, hint_map(args)))
        return 77
    features, models = map_names(args.cpu_map)
    rng = random.Random(args.seed)
    work = args.keep or tempfile.mkdtemp(prefix='diff-oracle-guest-')
    os.makedirs(work, exist_ok=True)
    cmds = []
    for i in range(args.n):
        path = os.path.join(work, f'guest-{i:05d}.xml')
        with open(path, 'w') as f:
            f.write(random_guest(rng, features, models))
        host = rng.choice(hosts)
        cmds.append(f'compare\t{host}\t{path}')
        if i % 2 == 0:
            flags = ['migratable-host'] if i % 4 == 0 else []
            if args.removed_policies and rng.random() < 0.3:
                flags.append('removed-policy=' + rng.choice(
                    ['force', 'require', 'optional', 'disable', 'forbid']))
            cmds.append(f'update\t{host}\t{path}' + ('\t' + ','.join(flags) if flags else ''))
        if i % 5 == 0:
            cmds.append(f'encode\t{path}')
    batch = os.path.join(work, 'commands.tsv')
    with open(batch, 'w') as f:
        f.write('\n'.join(cmds) + '\n')
    theirs = subprocess.run([args.lvcpu, 'batch', batch], capture_output=True, text=True).stdout
    env = dict(os.environ, CS_LIBVIRT_CPU_MAP=args.cpusel_map or args.cpu_map)
    run = subprocess.run([args.cpusel_batch, '--batch', batch], capture_output=True,
                         text=True, env=env)
    if run.returncode != 0 or run.stderr:
        print('cpusel batch failed (exit %d): %s' % (run.returncode, run.stderr[-800:]))
        return 1
    ours = run.stdout
    rt, ro = parse_records(theirs), parse_records(ours)
    counts, bad = {}, 0
    for num, line in enumerate(cmds, 1):
        cmd = line.split('\t')[0]
        t = rt.get(num)
        o = ro.get(num)
        ok = t is not None and o is not None and normalize(cmd, *t) == normalize(cmd, *o)
        agree, total = counts.get(cmd, (0, 0))
        counts[cmd] = (agree + ok, total + 1)
        if not ok:
            bad += 1
            if bad <= 10:
                print(f'MISMATCH line {num}: {line}\n  libvirt: {t}\n  cpusel:  {o}')
    for cmd, (agree, total) in sorted(counts.items()):
        print(f'{cmd}: {agree}/{total} agree')
    print(f'cases: {args.n} guests' + (f', kept in {work}' if args.keep else ''))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if args.build_oracle:
        shutil.rmtree(os.path.dirname(args.lvcpu), ignore_errors=True)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
