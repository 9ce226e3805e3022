#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes a fleet file: one <cpuTest> document holding N host CPUs drawn (fixed
seed) from libvirt's decodes of the reference dumps, for scale tests of
`cpusel baseline` / `cpusel plan` against `lvcpu baseline`.

    tools/gen-fleet.py --hosts 20000 [--vendor Intel|AMD|any] [--seed 1]
                       [--ref DIR] [-o fleet.xml]

By default the hosts are Intel CPUs of every generation in the reference set
(so libvirt can compute their baseline); --vendor any mixes vendors (the
planner then reports the minority as unable to join).
"""
import argparse
import os
import random
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--hosts', type=int, default=20000)
    ap.add_argument('--vendor', default='Intel')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--ref', default=os.environ.get(
        'CS_REFERENCE_DIR', os.path.join(here, '..', '..', 'shared', 'reference')))
    ap.add_argument('-o', '--output', default='-')
    args = ap.parse_args()

    dec = os.path.join(args.ref, 'expected', 'decode')
    pool = []
    for name in sorted(os.listdir(dec)):
        if not name.endswith('-host.xml'):
            continue
        with open(os.path.join(dec, name)) as f:
            text = f.read()
        if args.vendor != 'any' and '<vendor>%s</vendor>' % args.vendor not in text:
            continue
        pool.append(text if text.endswith('\n') else text + '\n')
    if not pool:
        sys.exit('no host CPU of vendor %s under %s' % (args.vendor, dec))
    rng = random.Random(args.seed)
    out = sys.stdout if args.output == '-' else open(args.output, 'w')
    out.write('<cpuTest>\n')
    for _ in range(args.hosts):
        out.write(rng.choice(pool))
    out.write('</cpuTest>\n')
    if out is not sys.stdout:
        out.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
