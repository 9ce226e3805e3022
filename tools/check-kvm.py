#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The KVM view of this machine, checked (needs /dev/kvm; exit 77 without it).

1. `cpusel dump --kvm` prints <cpudata>, the same twice, and its CPUID
   leaves equal libvirt 9.0's virCPUDataGetHost (`lvcpu hostdata`, run on
   CPU 0: KVM fills in the APIC IDs of the CPU it runs on, cpusel zeroes
   them) leaf for leaf; MSRs may only add to it. Skipped (not failed)
   when the oracle cannot be built.
2. Without access to /dev/kvm (a private mount namespace binds /dev/null
   or an empty directory over it; only as root with unshare): one error
   line on stderr, nothing on stdout, exit 1.
3. `compare --kvm`: the host-model as a guest is IDENTICAL; a guest
   requiring a feature KVM cannot give is INCOMPATIBLE (exit 3) naming it.
4. `guest --kvm --format qemu`: the host-model as a guest with check='full'
   gets `enforce`, and every feature turned on is one KVM gives; a guest
   forcing a feature KVM cannot give is refused (exit 3).
5. `host --kvm` and `models --kvm` agree with `dump --kvm` decoded by
   `decode` and `models --data`.

usage: check-kvm.py --cpusel PATH [--lvcpu PATH | --build-oracle SRC]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def cpuid_rows(xml_text):
    return sorted(l.strip() for l in xml_text.splitlines() if l.strip().startswith('<cpuid '))


def build_oracle(src, tmp):
    build = os.path.join(tmp, 'oracle')
    shutil.copytree(src, build)
    r = run(['make', '-C', build, 'lvcpu'])
    if r.returncode != 0:
        return None
    lvcpu = os.path.join(build, 'lvcpu')
    if run([lvcpu, 'selftest']).returncode != 0:
        return None
    return lvcpu


def host_model_guest(cpusel, check_full=False):
    """The KVM host-model CPU of `domcaps --kvm` as a guest <cpu>."""
    r = run([cpusel, 'domcaps', '--kvm'])
    root = ET.fromstring(r.stdout)
    mode = root.find("./cpu/mode[@name='host-model']")
    if mode is None or mode.get('supported') != 'yes':
        return None, None
    attrs = " check='full'" if check_full else ''
    lines = ["<cpu mode='custom' match='exact'%s>" % attrs]
    features = []
    for el in mode:
        if el.tag == 'model':
            lines.append("  <model fallback='forbid'>%s</model>" % el.text)
        elif el.tag == 'vendor':
            lines.append('  <vendor>%s</vendor>' % el.text)
        elif el.tag == 'feature':
            lines.append("  <feature policy='%s' name='%s'/>" % (el.get('policy'), el.get('name')))
            features.append((el.get('policy'), el.get('name')))
    lines.append('</cpu>')
    return '\n'.join(lines) + '\n', features


def kvm_features(cpusel):
    """Every feature the host-model has (its model expanded), map names."""
    r = run([cpusel, 'labels', '--kvm', '--obsolete='])
    prefix = 'cpu-feature.node.kubevirt.io/'
    return {l.split('=')[0][len(prefix):] for l in r.stdout.splitlines() if l.startswith(prefix)}


def qemu_to_map(name):
    return 'pclmuldq' if name == 'pclmulqdq' else name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cpusel', required=True)
    ap.add_argument('--lvcpu')
    ap.add_argument('--build-oracle', metavar='SRC')
    args = ap.parse_args()
    cpusel = os.path.abspath(args.cpusel)

    if not os.path.exists('/dev/kvm') or not os.access('/dev/kvm', os.R_OK):
        print('SKIP: no readable /dev/kvm')
        return 77

    with tempfile.TemporaryDirectory(prefix='cs-kvm-') as tmp:
        # 1. the dump, and libvirt's host data
        a = run([cpusel, 'dump', '--kvm'])
        b = run([cpusel, 'dump', '--kvm'])
        check(a.returncode == 0 and a.stdout.startswith("<cpudata arch='x86'>") and
              a.stderr == '', 'dump --kvm prints <cpudata>')
        check(a.stdout == b.stdout, 'dump --kvm is the same twice')
        ours = cpuid_rows(a.stdout)
        lvcpu = args.lvcpu
        if not lvcpu and args.build_oracle and os.path.isdir(args.build_oracle):
            lvcpu = build_oracle(args.build_oracle, tmp)
        if lvcpu:
            pin = ['taskset', '-c', '0'] if shutil.which('taskset') else []
            lv = run(pin + [lvcpu, 'hostdata'])
            theirs = cpuid_rows(lv.stdout)
            check(lv.returncode == 0 and theirs == ours,
                  'dump --kvm CPUID leaves equal lvcpu hostdata leaf for leaf '
                  '(%d vs %d leaves)' % (len(ours), len(theirs)))
            if theirs != ours:
                for row in sorted(set(ours) ^ set(theirs)):
                    print('#   %s %s' % ('cpusel' if row in ours else 'libvirt', row))
        else:
            print('skip dump --kvm vs lvcpu hostdata: no oracle')

        # 2. no KVM
        if os.geteuid() == 0 and shutil.which('unshare'):
            for how, setup in (('absent', 'mount -t tmpfs none /dev'),
                               ('not KVM', 'mount --bind /dev/null /dev/kvm')):
                r = run(['unshare', '-m', 'sh', '-c',
                         '%s && exec "$0" dump --kvm' % setup, cpusel])
                if 'unshare failed' in r.stderr or 'mount:' in r.stderr:
                    print('skip dump --kvm with /dev/kvm %s: %s' % (how, r.stderr.strip()))
                    continue
                check(r.returncode == 1 and r.stdout == '' and
                      r.stderr.startswith('cpusel: ') and r.stderr.count('\n') == 1,
                      'dump --kvm with /dev/kvm %s: one error line, exit 1 (%s)'
                      % (how, r.stderr.strip()))
        else:
            print('skip dump --kvm without /dev/kvm: needs root and unshare')

        # 3. compare --kvm
        guest, features = host_model_guest(cpusel)
        if guest is None:
            print('skip compare/guest --kvm: KVM offers no host-model CPU here')
            return 1 if failures else 0
        gpath = os.path.join(tmp, 'host-model.xml')
        with open(gpath, 'w') as f:
            f.write(guest)
        r = run([cpusel, 'compare', '--kvm', gpath])
        check(r.returncode == 0 and r.stdout == 'IDENTICAL\n',
              'compare --kvm: the host-model is IDENTICAL (%s)' % r.stdout.strip())
        have = kvm_features(cpusel)
        all_features = [l.split()[0] for l in run([cpusel, 'features']).stdout.splitlines()[1:]]
        lacking = [f for f in all_features if f not in have and not f.startswith('vmx-')]
        missing = next((f for f in ('avx512f', 'avx2', 'avx', 'sse4.2', 'svm', 'vmx') if f in lacking),
                       lacking[0] if lacking else None)
        if missing:
            need = os.path.join(tmp, 'need.xml')
            with open(need, 'w') as f:
                f.write(guest.replace('</cpu>', "  <feature policy='require' name='%s'/>\n</cpu>"
                                      % missing))
            r = run([cpusel, 'compare', '--kvm', need])
            check(r.returncode == 3 and r.stdout.startswith('INCOMPATIBLE\n') and
                  ("'%s'" % missing) in r.stdout,
                  'compare --kvm: requiring %s, which KVM cannot give, is INCOMPATIBLE' % missing)

        # 4. guest --kvm
        full, _ = host_model_guest(cpusel, check_full=True)
        fpath = os.path.join(tmp, 'full.xml')
        with open(fpath, 'w') as f:
            f.write(full)
        r = run([cpusel, 'guest', '--kvm', '--format', 'qemu', fpath])
        arg = r.stdout.strip()
        parts = arg.split(',')
        check(r.returncode == 0 and len(parts) > 1 and parts[1] == 'enforce',
              "guest --kvm: check='full' gives enforce (%s...)" % ','.join(parts[:2]))
        on = [p[:-3] for p in parts[1:] if p.endswith('=on')]
        beyond = [n for n in on if qemu_to_map(n) not in have and
                  qemu_to_map(n).replace('-', '_') not in have]
        check(not beyond, 'guest --kvm: every feature turned on is one KVM gives (%d on%s)'
              % (len(on), ', beyond: ' + ' '.join(beyond) if beyond else ''))
        if missing:
            forced = os.path.join(tmp, 'forced.xml')
            with open(forced, 'w') as f:
                f.write(guest.replace('</cpu>', "  <feature policy='force' name='%s'/>\n</cpu>"
                                      % missing))
            r = run([cpusel, 'guest', '--kvm', '--format', 'qemu', forced])
            check(r.returncode == 3 and r.stdout == '' and ("'%s'" % missing) in r.stderr,
                  'guest --kvm: forcing %s, which KVM cannot give, is refused' % missing)
            r = run([cpusel, 'dump', '--kvm'])
            dump = os.path.join(tmp, 'kvm.xml')
            with open(dump, 'w') as f:
                f.write(r.stdout)
            r = run([cpusel, 'guest', '--format', 'qemu', dump, forced])
            check(r.returncode == 0 and ('%s=on' % missing.replace('_', '-')) in r.stdout,
                  'guest without --kvm: a forced feature is given (%s)' % r.stdout.strip()[:60])

        # 5. host and models
        dump = os.path.join(tmp, 'kvm.xml')
        with open(dump, 'w') as f:
            f.write(run([cpusel, 'dump', '--kvm']).stdout)
        h = run([cpusel, 'host', '--kvm', '--json']).stdout
        d = run([cpusel, 'decode', '--json', dump]).stdout
        model = lambda j: re.search(r'"model" : "([^"]*)"', j).group(1)
        check(model(h) == model(d), 'host --kvm decodes KVM data (%s)' % model(h))
        m1 = run([cpusel, 'models', '--kvm']).stdout
        m2 = run([cpusel, 'models', '--data', dump]).stdout
        check(m1 == m2 and m1.count('\n') > 1, 'models --kvm equals models --data of dump --kvm')

    print('%d failures' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
