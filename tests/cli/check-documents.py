#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One document per command: runs cpusel in every output form and checks
that stdout is exactly one well-formed XML document or one JSON object
following doc/json.md (its "command" and members, with their types), and
that stderr is empty on success. TAP output.

usage: check-documents.py CPUSEL TESTS_DIR
"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

DUMP = 'data/cpuid/sandybridge-i7-2600.xml'
CPU_KEYS = {'type': str, 'model': (str, type(None)), 'vendor': (str, type(None)),
            'features': list}
CPUDATA_KEYS = {'arch': str, 'cpuid': list, 'msr': list}
VERDICT_KEYS = {'result': str, 'reason': (str, type(None)), 'subject': (str, type(None)),
                'features': list, 'message': str}

# (args, expected exit, kind, members for JSON)
CASES = [
    (['decode', DUMP], 0, 'xml', None),
    (['decode', '--explain', DUMP], 0, 'xml', None),
    (['decode', '--guest', '--explain', DUMP], 0, 'xml', None),
    (['decode', '--json', '--explain', DUMP], 0, 'json',
     {'cpu': CPU_KEYS, 'psabi_level': (str, type(None)), 'explain': dict}),
    (['dump', '--from-cpuid-r', 'data/cpuid-r/amd-epyc-kvm.txt'], 0, 'xml', None),
    (['dump', '--json', '--from-cpuid-r', 'data/cpuid-r/amd-epyc-kvm.txt'], 0, 'json',
     {'cpudata': CPUDATA_KEYS}),
    (['models', '--json', '--data', DUMP], 0, 'json', {'models': list}),
    (['features', '--json'], 0, 'json', {'features': list}),
    (['compare', DUMP, 'cli/guest-icelake.xml'], 3, 'text', None),
    (['compare', '--json', DUMP, 'cli/guest-icelake.xml'], 3, 'json', VERDICT_KEYS),
    (['compare', '--json', DUMP, 'cli/guest-host-model.xml'], 0, 'json', VERDICT_KEYS),
    (['encode', 'cli/guest-icelake.xml'], 0, 'xml', None),
    (['encode', '--json', 'cli/guest-icelake.xml'], 0, 'json', {'sets': dict}),
    (['encode', '--json', '--format', 'xen', 'cli/guest-icelake.xml'], 0, 'json',
     {'format': str, 'registers': list}),
    (['encode', '--json', '--format', 'vmware', 'cli/guest-icelake.xml'], 0, 'json',
     {'format': str, 'registers': list}),
    (['update', DUMP, 'cli/guest-host-model.xml'], 0, 'xml', None),
    (['update', '--json', DUMP, 'cli/guest-host-model.xml'], 0, 'json', {'cpu': CPU_KEYS}),
    (['guest', DUMP, 'cli/guest-host-model.xml'], 0, 'xml', None),
    (['guest', '--json', DUMP, 'cli/guest-host-model.xml'], 0, 'json',
     dict(VERDICT_KEYS, cpu=CPU_KEYS, qemu=str, cpudata=CPUDATA_KEYS)),
    (['guest', '--json', DUMP, 'cli/guest-icelake.xml'], 3, 'json', VERDICT_KEYS),
    (['guest', '--format', 'json', DUMP, 'cli/guest-passthrough.xml'], 0, 'json',
     dict(VERDICT_KEYS, cpu=CPU_KEYS, qemu=str, cpudata=CPUDATA_KEYS)),
    (['baseline', DUMP, 'data/cpuid-r/amd-epyc-kvm.txt'], 3, 'none', None),
    (['baseline', DUMP, DUMP], 0, 'xml', None),
    (['baseline', '--explain', DUMP, DUMP], 0, 'xml', None),
    (['baseline', '--json', DUMP, DUMP], 0, 'json',
     {'cpu': CPU_KEYS, 'psabi_level': (str, type(None)), 'hosts': int}),
    (['plan', '--json', 'data/baseline/fleet.xml'], 0, 'json',
     {'hosts_total': int, 'baseline': CPU_KEYS, 'disabled': list, 'hosts': list}),
    (['domcaps', '--data', DUMP], 0, 'xml', None),
    (['domcaps', '--json', '--data', DUMP], 0, 'json', {'cpu': dict}),
    (['labels', '--json', '--data', DUMP], 0, 'json', {'labels': dict}),
    # '-' reads standard input, raw dumps included (also in baseline)
    (['decode', '-'], 0, 'xml', None, DUMP),
    (['baseline', '-'], 0, 'xml', None, DUMP),
    (['baseline', '-'], 0, 'xml', None, 'data/cpuid-r/amd-epyc-kvm.txt'),
    (['baseline', '--json', '-'], 0, 'json',
     {'cpu': CPU_KEYS, 'psabi_level': (str, type(None)), 'hosts': int},
     'data/baseline/fleet-versions.xml'),
    (['compare', '-', 'cli/guest-icelake.xml'], 3, 'text', None, DUMP),
]


def check_members(obj, keys, where):
    for k, t in keys.items():
        if k not in obj:
            return '%s: no member %r' % (where, k)
        if isinstance(t, dict):
            if not isinstance(obj[k], dict):
                return '%s: %r is not an object' % (where, k)
            err = check_members(obj[k], t, where + '.' + k)
            if err:
                return err
        elif not isinstance(obj[k], t):
            return '%s: %r has type %s' % (where, k, type(obj[k]).__name__)
    return None


def main():
    cpusel, tests = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.chdir(tests)
    print('1..%d' % len(CASES))
    bad = 0
    for n, case in enumerate(CASES, 1):
        args, rc, kind, keys = case[:4]
        if len(case) > 4:
            # through a pipe, as `cat FILE | cpusel ... -`
            with open(case[4]) as f:
                p = subprocess.run([cpusel] + args, capture_output=True, text=True,
                                   input=f.read())
        else:
            p = subprocess.run([cpusel] + args, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
        err = None
        if p.returncode != rc:
            err = 'exit %d, expected %d: %s' % (p.returncode, rc, p.stderr.strip())
        elif kind == 'none':
            if p.stdout or len(p.stderr.strip().split('\n')) != 1:
                err = 'a failure must print nothing on stdout and one line on stderr'
        elif rc == 0 and p.stderr:
            err = 'stderr on success: %s' % p.stderr.strip()
        elif kind == 'xml':
            try:
                ET.fromstring(p.stdout)
            except ET.ParseError as e:
                err = 'not one well-formed XML document: %s' % e
        elif kind == 'json':
            try:
                doc = json.loads(p.stdout)
                if not isinstance(doc, dict) or doc.get('command') != args[0]:
                    err = 'not an object with "command": %r' % args[0]
                else:
                    err = check_members(doc, keys, args[0])
            except ValueError as e:
                err = 'not one JSON document: %s' % e
        if err:
            bad += 1
            print('not ok %d - %s: %s' % (n, ' '.join(args), err))
        else:
            print('ok %d - %s' % (n, ' '.join(args)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
