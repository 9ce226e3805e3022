#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Domain capabilities and QMP replies, checked against libvirt 9.0 and
against cpusel's own --models.

With libvirt 9.0's map (--cpu-map, default /usr/share/libvirt/cpu_map):

1. host-model: for every reference dump, `cpusel domcaps --data DUMP` gives
   as host-model exactly the oracle's guest decode (`lvcpu decode DUMP
   --guest`) without the map's non-migratable features: same model, vendor
   and features with their policies, in order (or both have none).
2. random QMP replies (fixed seed): a random dump, a random subset of the
   map's models in random order, each usable or blocked by 1-4 random
   features spelled as QEMU spells them (lahf-lm, sse4-1, pclmulqdq, ...),
   sometimes deprecated or aliased, sometimes inside a QMP session
   transcript; then
   a. `domcaps --qmp REPLY`'s host-model equals the oracle's guest decode
      with `--models SPEC` (map spelling) minus non-migratable features;
   b. its custom models are the reply's models the map knows, in order,
      usable exactly when unblocked, with the translated blockers, sorted,
      and the reply's deprecated flags and aliases;
   c. `decode --guest --qmp REPLY` prints exactly what
      `decode --guest --models SPEC` prints.

Without the oracle, 2b and 2c still run (1 and 2a are skipped); without
the reference dumps or libvirt's map, everything is skipped (exit 77).

usage: diff-oracle-domcaps.py --cpusel PATH [--lvcpu PATH | --build-oracle SRC]
                              [-n N] [--seed S] [--reference DIR] [--cpu-map DIR]
"""
import argparse
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def map_info(cpu_map):
    """Feature names (with aliases), non-migratable names, model names."""
    features, nonmig, models, aliases = [], set(), [], {}
    for f in sorted(glob.glob(os.path.join(cpu_map, 'x86_*.xml'))):
        root = ET.parse(f).getroot()
        for el in root:
            if el.tag == 'feature' and el.get('name'):
                name = el.get('name')
                features.append(name)
                if el.get('migratable') == 'no':
                    nonmig.add(name)
                aliases[name] = [a.get('name') for a in el.findall('alias')]
            elif el.tag == 'model':
                models.append(el.get('name'))
    return features, nonmig, models, aliases


def qemu_spelling(rng, name, aliases):
    """One of the ways QEMU may write the map's feature @name."""
    choices = [name] + aliases.get(name, [])
    if '_' in name:
        choices.append(name.replace('_', '-'))
    return rng.choice(choices)


def parse_records(text):
    recs = {}
    for chunk in re.split(r'^### ', text, flags=re.M)[1:]:
        head, _, body = chunk.partition('\n')
        num, status = head.split()[:2]
        recs[int(num)] = (status, body)
    return recs


def oracle_host_model(status, body, nonmig):
    if status != 'ok':
        return None
    cpu = ET.fromstring(body)
    model = cpu.find('model')
    vendor = cpu.find('vendor')
    feats = [(f.get('policy'), f.get('name')) for f in cpu.findall('feature')
             if f.get('name') not in nonmig]
    return (model.text if model is not None else None,
            vendor.text if vendor is not None else None, feats)


def cpusel_domcaps(cpusel, map_args, dump, qmp=None):
    cmd = [cpusel, 'domcaps', '--json', '--data', dump] + map_args
    if qmp:
        cmd += ['--qmp', qmp]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(cmd), r.stderr.strip()))
    return json.loads(r.stdout)['cpu']


def cpusel_host_model(caps):
    hm = caps['host_model']
    if not hm['supported']:
        return None
    cpu = hm['cpu']
    return (cpu['model'], cpu['vendor'],
            [(f.get('policy'), f['name']) for f in cpu['features']])


def random_reply(rng, models, features, aliases):
    """A QMP reply (text) and the --models spec it stands for."""
    chosen = rng.sample(models, rng.randint(1, len(models)))
    if rng.random() < 0.1:
        chosen.insert(rng.randrange(len(chosen) + 1), 'NotInAnyMap-v9')
    defs, spec = [], []
    for name in chosen:
        blockers = []
        if rng.random() < 0.4:
            blockers = rng.sample(features, rng.randint(1, 4))
        d = {'name': name, 'typename': name + '-x86_64-cpu',
             'unavailable-features': [qemu_spelling(rng, b, aliases) for b in blockers],
             'static': False, 'migration-safe': True,
             'deprecated': rng.random() < 0.1}
        if rng.random() < 0.2:
            d['alias-of'] = name + '-v1'
        defs.append(d)
        spec.append(':'.join([name] + blockers))
    docs = [{'return': defs, 'id': 'libvirt-%d' % rng.randint(1, 99)}]
    if rng.random() < 0.5:
        docs = [{'QMP': {'version': {'qemu': {'major': 7}}, 'capabilities': []}},
                {'return': {}, 'id': 'libvirt-1'}] + docs
    sep = rng.choice(['\n', '\r\n', ' ', '\n\n'])
    return sep.join(json.dumps(d, indent=rng.choice([None, 1])) for d in docs) + '\n', \
        ','.join(spec), defs


def check_custom(caps, defs, map_models):
    """2b: the reply's verdict, in the reply's order."""
    want = [d for d in defs if d['name'] in map_models]
    got = caps['custom']
    if [m['name'] for m in got] != [d['name'] for d in want]:
        return 'model list differs'
    for m, d in zip(got, want):
        if m['usable'] != (not d['unavailable-features']):
            return '%s: usable %s' % (m['name'], m['usable'])
        if len(m['blockers']) != len(d['unavailable-features']) or \
                m['blockers'] != sorted(m['blockers']):
            return '%s: blockers %s' % (m['name'], m['blockers'])
        if m['deprecated'] != d['deprecated'] or m['canonical'] != d.get('alias-of'):
            return '%s: deprecated/canonical' % m['name']
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cpusel', required=True)
    ap.add_argument('--lvcpu')
    ap.add_argument('--build-oracle', metavar='SRC')
    ap.add_argument('-n', type=int, default=100, help='random QMP replies')
    ap.add_argument('--seed', type=int, default=12)
    ap.add_argument('--reference', default=os.path.join(os.path.dirname(__file__), '..', '..',
                                                        'shared', 'reference'))
    ap.add_argument('--cpu-map', default='/usr/share/libvirt/cpu_map')
    args = ap.parse_args()
    cpusel = os.path.abspath(args.cpusel)
    ref = os.environ.get('CS_REFERENCE_DIR', args.reference)
    dumps = sorted(glob.glob(os.path.join(ref, 'libvirt-cputestdata', 'x86*-cpuid-*.xml')))
    if not dumps:
        print('SKIP: no reference dumps in', ref)
        return 77
    if not os.path.exists(os.path.join(args.cpu_map, 'index.xml')):
        print('SKIP: no libvirt cpu_map in', args.cpu_map)
        return 77
    map_args = ['--cpu-map', args.cpu_map]
    features, nonmig, models, aliases = map_info(args.cpu_map)
    map_models = set(models)
    rng = random.Random(args.seed)
    failures = 0

    with tempfile.TemporaryDirectory(prefix='cs-domcaps-') as tmp:
        lvcpu = args.lvcpu
        if not lvcpu and args.build_oracle and os.path.isdir(args.build_oracle):
            build = os.path.join(tmp, 'oracle')
            try:
                shutil.copytree(args.build_oracle, build)
                subprocess.run(['make', '-C', build, 'lvcpu'], check=True, capture_output=True)
                lvcpu = os.path.join(build, 'lvcpu')
                subprocess.run([lvcpu, 'selftest'], check=True, capture_output=True)
            except (OSError, subprocess.CalledProcessError) as e:
                print('no oracle (%s): host-model comparisons skipped' % e)
                lvcpu = None

        replies = []
        for i in range(args.n):
            text, spec, defs = random_reply(rng, models, features, aliases)
            path = os.path.join(tmp, 'reply%04d.json' % i)
            with open(path, 'w') as f:
                f.write(text)
            replies.append((rng.choice(dumps), path, spec, defs))

        oracle = {}
        if lvcpu:
            lines = ['decode\t%s\tguest\t' % d for d in dumps]
            lines += ['decode\t%s\tguest\t%s' % (d, spec) for d, _, spec, _ in replies]
            cmds = os.path.join(tmp, 'commands.tsv')
            with open(cmds, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            r = subprocess.run([lvcpu, 'batch', cmds], capture_output=True, text=True)
            oracle = parse_records(r.stdout)

        # 1. host-model of every dump
        agree = 0
        for n, dump in enumerate(dumps, 1):
            ours = cpusel_host_model(cpusel_domcaps(cpusel, map_args, dump))
            if not lvcpu:
                continue
            theirs = oracle_host_model(*oracle[n], nonmig)
            if ours == theirs:
                agree += 1
            else:
                failures += 1
                print('DIFF host-model of %s\n  libvirt: %s\n  cpusel:  %s'
                      % (os.path.basename(dump), theirs, ours))
        if lvcpu:
            print('host-model vs libvirt 9.0 guest decode minus non-migratable features: '
                  '%d/%d dumps agree' % (agree, len(dumps)))

        # 2. random QMP replies
        agree_hm = agree_custom = agree_decode = 0
        for k, (dump, path, spec, defs) in enumerate(replies):
            caps = cpusel_domcaps(cpusel, map_args, dump, path)
            ours = cpusel_host_model(caps)
            if lvcpu:
                theirs = oracle_host_model(*oracle[len(dumps) + k + 1], nonmig)
                if ours == theirs:
                    agree_hm += 1
                else:
                    failures += 1
                    print('DIFF host-model of %s with %s (--models %s)\n  libvirt: %s\n'
                          '  cpusel:  %s' % (os.path.basename(dump), os.path.basename(path),
                                             spec[:200], theirs, ours))
            problem = check_custom(caps, defs, map_models)
            if problem:
                failures += 1
                print('DIFF custom models of %s with %s: %s' % (os.path.basename(dump),
                                                                os.path.basename(path), problem))
            else:
                agree_custom += 1
            a = subprocess.run([cpusel, 'decode', '--guest', '--qmp', path, dump] + map_args,
                               capture_output=True, text=True)
            b = subprocess.run([cpusel, 'decode', '--guest', '--models', spec, dump] + map_args,
                               capture_output=True, text=True)
            if (a.returncode, a.stdout) == (b.returncode, b.stdout):
                agree_decode += 1
            else:
                failures += 1
                print('DIFF decode --qmp %s vs --models: %s / %s' % (
                    os.path.basename(path), a.stdout[:200] + a.stderr, b.stdout[:200] + b.stderr))
        if lvcpu:
            print('QMP replies: host-model vs libvirt 9.0 decode --models: %d/%d agree'
                  % (agree_hm, len(replies)))
        print('QMP replies: custom models follow the reply: %d/%d' % (agree_custom, len(replies)))
        print('QMP replies: decode --qmp equals decode --models: %d/%d'
              % (agree_decode, len(replies)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
