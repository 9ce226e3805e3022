#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile inputs for the cpusel command (issue 10), as TAP.

usage: test-hostile.py CPUSEL TESTS_DIR

Every case runs cpusel in a private temporary directory and checks the
exit status, that a failure prints nothing on stdout and exactly one line
on stderr, how long it took and, where it matters, its peak memory
(ru_maxrss of the child; skipped when CS_SANITIZED is set, as sanitizers
keep memory of their own)."""

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CPUSEL = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
SANITIZED = bool(os.environ.get('CS_SANITIZED'))
DUMP = os.path.join(TESTS, 'data', 'cpuid', 'sandybridge-i7-2600.xml')
GUEST = os.path.join(TESTS, 'data', 'cpu-def', 'guest-min.xml')
HOST = os.path.join(TESTS, 'data', 'cpu-def', 'host-penryn.xml')
MAP = os.path.join(TESTS, 'data', 'cpu-map-groups')

results = []


def run(args, env=None, stdin=None, timeout=20):
    """Runs cpusel; returns (rc, stdout, stderr, seconds, max RSS in MiB)."""
    full_env = dict(os.environ)
    full_env.pop('CPUSEL_MAX_INPUT', None)
    full_env.update(env or {})
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    p = subprocess.run([CPUSEL] + args, env=full_env, stdin=stdin, capture_output=True,
                       timeout=timeout)
    took = time.monotonic() - start
    # ru_maxrss of children is the largest of any child so far: only a
    # rise says something about this one
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rss = after / 1024 if after > before else None
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace'), took, rss


def case(name, args, rc=1, seconds=2.0, err=None, out=None, env=None, stdin=None,
         max_rss_mib=None):
    try:
        got_rc, stdout, stderr, took, rss = run(args, env, stdin)
    except subprocess.TimeoutExpired:
        results.append((name, 'did not end within 20 s'))
        return
    problems = []
    if got_rc != rc:
        problems.append('exit %d, expected %d' % (got_rc, rc))
    if rc not in (0, 3):
        if stdout:
            problems.append('stdout not empty: %r' % stdout[:200])
        if stderr.count('\n') != 1 or not stderr.endswith('\n'):
            problems.append('stderr is not one line: %r' % stderr[:300])
    elif stderr:
        problems.append('stderr not empty: %r' % stderr[:300])
    if err is not None and err not in stderr:
        problems.append('stderr lacks %r: %r' % (err, stderr[:300]))
    if out is not None and out not in stdout:
        problems.append('stdout lacks %r' % out)
    if took > seconds:
        problems.append('took %.2f s (at most %.1f)' % (took, seconds))
    if max_rss_mib is not None and not SANITIZED and rss is not None and rss > max_rss_mib:
        problems.append('peak memory %.0f MiB (at most %d)' % (rss, max_rss_mib))
    results.append((name, '; '.join(problems)))


def copy_map(tmp, name):
    d = os.path.join(tmp, name)
    shutil.copytree(MAP, d)
    return d


def write(path, text, mode='w'):
    with open(path, mode) as f:
        f.write(text)


def fifo_writer(path, data):
    """Opens the FIFO for writing in a thread (so a reader can finish)."""
    def go():
        try:
            fd = os.open(path, os.O_WRONLY)
            os.write(fd, data)
            os.close(fd)
        except OSError:
            pass
    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def main():
    tmp = tempfile.mkdtemp(prefix='cpusel-hostile-')
    os.chdir(tmp)
    try:
        cases(tmp)
    finally:
        os.chdir('/')
        # unblock FIFO writers still waiting, then clean up
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % len(results))
    failed = 0
    for i, (name, problem) in enumerate(results, 1):
        if problem:
            failed += 1
            print('not ok %d - %s: %s' % (i, name, problem))
        else:
            print('ok %d - %s' % (i, name))
    return 1 if failed else 0


def cases(tmp):
    # 1. unbounded reads: devices, directories, FIFOs, the size limit
    for cmd in (['decode', '/dev/zero'], ['compare', '/dev/zero', GUEST],
                ['compare', HOST, '/dev/zero'], ['encode', '/dev/zero'],
                ['update', HOST, '/dev/zero'], ['guest', '/dev/zero', GUEST],
                ['dump', '--from-cpuid-r', '/dev/zero'], ['models', '--data', '/dev/zero'],
                ['baseline', '/dev/zero']):
        case(' '.join(cmd), cmd, err='not a regular file')
    case('decode a directory', ['decode', tmp], err='Is a directory')
    sparse = os.path.join(tmp, 'sparse.xml')
    with open(sparse, 'wb') as f:
        f.truncate(70 << 20)
    case('decode a 70 MiB file: over the default limit', ['decode', sparse],
         err='larger than the input size limit of 64 MiB')
    case('CPUSEL_MAX_INPUT lowers the limit', ['decode', DUMP], env={'CPUSEL_MAX_INPUT': '1K'},
         err='input size limit of 1 KiB')
    case('CPUSEL_MAX_INPUT raises the limit', ['decode', DUMP],
         env={'CPUSEL_MAX_INPUT': '128M'}, rc=0, out='<model>')
    case('an invalid CPUSEL_MAX_INPUT', ['decode', DUMP], env={'CPUSEL_MAX_INPUT': '12x'},
         err="invalid CPUSEL_MAX_INPUT '12x'")
    with open(DUMP, 'rb') as f:
        case('decode - reads standard input', ['decode', '-'], stdin=f, rc=0, out='<model>')
    os.mkfifo('dump.fifo')
    with open(DUMP, 'rb') as f:
        fifo_writer('dump.fifo', f.read())
    case('decode a FIFO the user names', ['decode', 'dump.fifo'], rc=0, out='<model>')
    os.mkfifo('hosts.fifo')
    with open(HOST, 'rb') as f:
        fifo_writer('hosts.fifo', f.read())
    case('baseline streams a FIFO the user names', ['baseline', 'hosts.fifo'], rc=0,
         out='<model')
    with open(HOST, 'rb') as f:
        case('baseline - reads standard input', ['baseline', '-'], stdin=f, rc=0,
             out='<model')

    # 2. and 5. cpu_map directories: special files, containment, names
    m = copy_map(tmp, 'zero-index')
    os.unlink(os.path.join(m, 'index.xml'))
    os.symlink('/dev/zero', os.path.join(m, 'index.xml'))
    case('map: index.xml links to /dev/zero', ['models', '--cpu-map', m])
    m = copy_map(tmp, 'fifo-index')
    os.unlink(os.path.join(m, 'index.xml'))
    os.mkfifo(os.path.join(m, 'index.xml'))
    case('map: index.xml is a FIFO', ['models', '--cpu-map', m], err='not a regular file')
    m = copy_map(tmp, 'fifo-include')
    os.unlink(os.path.join(m, 'x86_New.xml'))
    os.mkfifo(os.path.join(m, 'x86_New.xml'))
    case('map: an include is a FIFO', ['models', '--cpu-map', m], err='not a regular file')
    m = copy_map(tmp, 'zero-include')
    os.unlink(os.path.join(m, 'x86_New.xml'))
    os.symlink('/dev/zero', os.path.join(m, 'x86_New.xml'))
    case('map: an include links to /dev/zero', ['models', '--cpu-map', m])
    m = copy_map(tmp, 'outside-link')
    os.rename(os.path.join(m, 'x86_New.xml'), os.path.join(tmp, 'outside.xml'))
    os.symlink(os.path.join(tmp, 'outside.xml'), os.path.join(m, 'x86_New.xml'))
    case('map: an include links outside the directory', ['models', '--cpu-map', m],
         err='not inside the CPU map directory')
    m = copy_map(tmp, 'dotdot')
    index = os.path.join(m, 'index.xml')
    write(index, open(index).read().replace('x86_New.xml', '../outside.xml'))
    case('map: an include names ../', ['models', '--cpu-map', m],
         err='not inside the CPU map directory')
    m = copy_map(tmp, 'dots-in-name')
    os.rename(os.path.join(m, 'x86_Old.xml'), os.path.join(m, 'x86..486.xml'))
    write(index := os.path.join(m, 'index.xml'),
          open(index).read().replace('x86_Old.xml', 'x86..486.xml'))
    case("map: an include named x86..486.xml is fine", ['models', '--cpu-map', m], rc=0,
         out='Old')
    inner = copy_map(tmp, 'inner')
    os.symlink(inner, os.path.join(tmp, 'maplink'))
    case('map: the directory may be a symbolic link',
         ['models', '--cpu-map', os.path.join(tmp, 'maplink')], rc=0, out='New')
    case("map: --cpu-map '' is a usage error", ['decode', '--cpu-map', '', DUMP], rc=2)
    case('map: a missing directory', ['models', '--cpu-map', os.path.join(tmp, 'none')],
         err='No such file')
    m = copy_map(tmp, 'limit')
    case('map: its files together obey the limit', ['models', '--cpu-map', m],
         env={'CPUSEL_MAX_INPUT': '700'}, err='larger than the input size limit')

    # 3. memory in proportion: a 100 MB <cpu> with a duplicate feature on
    # line 4, and raw data and a map file the fast readers leave to libxml2
    big = 256 << 20
    slow = 60 if SANITIZED else 2.5
    features = ''.join("  <feature name='f%07d'/>\n" % i for i in range(3600000))
    write('big-guest.xml', "<cpu match='exact'>\n  <model>Haswell</model>\n"
          "  <feature name='avx'/>\n  <feature name='avx'/>\n" + features + '</cpu>\n')
    write('big-host.xml', "<cpu>\n  <arch>x86_64</arch>\n  <model>Haswell</model>\n"
          "  <feature name='avx'/>\n  <feature name='avx'/>\n" + features + '</cpu>\n')
    del features
    size_mib = os.path.getsize('big-guest.xml') >> 20
    for cmd in (['compare', HOST, 'big-guest.xml'], ['encode', 'big-guest.xml'],
                ['update', HOST, 'big-guest.xml'], ['guest', HOST, 'big-guest.xml'],
                ['baseline', 'big-host.xml']):
        case('%d MiB <cpu>, duplicate on line 4: %s' % (size_mib, cmd[0]), cmd,
             env={'CPUSEL_MAX_INPUT': str(big)}, seconds=slow,
             err='is listed more than once', max_rss_mib=10 * size_mib)
    with open('big-host.xml', 'rb') as f:
        case('%d MiB <cpu> through a pipe: baseline -' % size_mib, ['baseline', '-'],
             env={'CPUSEL_MAX_INPUT': str(big)}, seconds=slow, stdin=f,
             err='is listed more than once', max_rss_mib=10 * size_mib)
    os.unlink('big-guest.xml')
    os.unlink('big-host.xml')
    leaf = ("  <cpuid eax_in='0x%08x' ecx_in='0x00000000' eax='0x00000001' ebx='0x00000002'"
            " ecx='0x00000003' edx='0x00000004'/>\n")
    write('big-cpudata.xml', "<cpudata arch='x86'>\n<!-- \u00e9 -->\n<bogus/>\n" +
          ''.join(leaf % i for i in range(800000)) + '</cpudata>\n')
    size_mib = os.path.getsize('big-cpudata.xml') >> 20
    case('%d MiB <cpudata> read by libxml2, bad element on line 3' % size_mib,
         ['decode', 'big-cpudata.xml'], env={'CPUSEL_MAX_INPUT': str(big)}, seconds=slow,
         err='unexpected element <bogus>', max_rss_mib=10 * size_mib)
    os.unlink('big-cpudata.xml')
    m = copy_map(tmp, 'tiny-elements')
    write(os.path.join(m, 'x86_vendors.xml'), '<cpus>\n' + '<a/>\n' * 4000000 + '</cpus>\n')
    case('a 19 MiB map file of tiny elements', ['models', '--cpu-map', m], seconds=slow,
         err='too many XML nodes', max_rss_mib=10 * 19 + 64)
    shutil.rmtree(m)

    # 4. one line: libxml2's messages, long values, control characters
    write('eucjp-cpu.xml', '<?xml version="1.0" encoding="EUC-JP"?>\n<cpu><model>',
          'w')
    with open('eucjp-cpu.xml', 'ab') as f:
        f.write(b'\xff\xfe\xa1</model></cpu>\n')
    with open('eucjp-cpudata.xml', 'wb') as f:
        f.write(b'<?xml version="1.0" encoding="EUC-JP"?>\n<cpudata arch="x86">'
                b'<!-- \xff\xfe\xa1 --><cpuid eax_in="0" eax="1"/></cpudata>\n')
    case('EUC-JP <cpu> with bad bytes: compare', ['compare', 'eucjp-cpu.xml', GUEST],
         err='malformed XML')
    case('EUC-JP <cpu> with bad bytes: baseline', ['baseline', 'eucjp-cpu.xml'],
         err='malformed XML')
    with open('eucjp-cpu.xml', 'rb') as f:
        case('EUC-JP <cpu> with bad bytes: baseline -', ['baseline', '-'], stdin=f,
             err='malformed XML')
    case('EUC-JP <cpudata> with bad bytes: decode', ['decode', 'eucjp-cpudata.xml'],
         err='malformed XML')
    m = copy_map(tmp, 'eucjp-map')
    shutil.copy('eucjp-cpu.xml', os.path.join(m, 'x86_New.xml'))
    case('EUC-JP map file with bad bytes', ['models', '--cpu-map', m],
         err='malformed XML')
    with open('bad-utf8.xml', 'wb') as f:
        f.write(b'<cpu><model>\xc3\x28</model></cpu>\n')
    case('invalid UTF-8: one line', ['compare', HOST, 'bad-utf8.xml'],
         err='not proper UTF-8')
    write('long-model.xml', "<cpu match='exact'><model>" + 'M' * (9 << 20) +
          '</model></cpu>\n')
    case('a 9 MiB model name is cut', ['compare', HOST, 'long-model.xml'],
         err="unknown CPU model '" + 'M' * 64 + "...'")
    write('long-feature.xml', "<cpu match='exact'><model>Penryn</model><feature name='" +
          'F' * (1 << 20) + "'/></cpu>\n")
    case('a 1 MiB feature name is cut', ['compare', HOST, 'long-feature.xml'],
         err="unknown CPU feature '" + 'F' * 64 + "...'")
    write('newline-model.xml', "<cpu match='exact'><model>Pen\nryn&#9;\x01</model></cpu>\n"
          .replace('\x01', '&#x7f;'))
    case('line breaks and controls in a value are escaped', ['compare', HOST,
                                                            'newline-model.xml'],
         err="unknown CPU model 'Pen\\nryn\\t\\x7f'")
    write('bad\nname.xml', '<cpu><model>')
    case('a file name with a line break', ['compare', HOST, 'bad\nname.xml'],
         err='bad\\nname.xml')
    case('a missing file name with a line break', ['decode', 'no\nsuch.xml'],
         err="cannot read 'no\\nsuch.xml'")
    write('long-vendor.xml', "<cpu><arch>x86_64</arch><model>Penryn</model><vendor>" +
          'V' * 5000 + '</vendor></cpu>\n')
    case('an unknown vendor in a baseline is cut', ['baseline', 'long-vendor.xml'],
         err='V' * 64 + '...')

    # 7. the fast <cpudata> reader and libxml2 agree on values over 10 MB
    value = '0x' + '0' * 10000000 + '1'
    write('long-value.xml', "<cpudata arch='x86'><cpuid eax_in='0' eax='%s'/></cpudata>\n"
          % value)
    write('long-value-comment.xml', "<cpudata arch='x86'><cpuid eax_in='0' eax='%s'/>"
          "</cpudata>\n<!-- \u00e9 -->\n" % value)
    case('a 10 MB attribute value: refused (fast reader)', ['decode', 'long-value.xml'],
         err='AttValue length too long')
    case('a 10 MB attribute value: refused (libxml2)', ['decode', 'long-value-comment.xml'],
         err='AttValue length too long')

    # usage errors are one line too
    case('no command', [], rc=2)
    case('decode without a file', ['decode'], rc=2)
    case('a line break in an option value', ['decode', '--fallback', 'al\nlow', DUMP], rc=2,
         err="'al\\nlow'")
    case('a line break in a command name', ['dec\node'], rc=2, err="'dec\\node'")
    case('a line break in an option name', ['decode', '--bo\ngus', DUMP], rc=2)
    case('a long option value is cut', ['encode', '--format', 'x' * 5000, GUEST], rc=2,
         err="'" + 'x' * 64 + "...'")


if __name__ == '__main__':
    sys.exit(main())
