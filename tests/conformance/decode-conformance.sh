#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Decode conformance: every reference dump (x86*-cpuid-*.xml), decoded as
# host and as guest, must print exactly libvirt's output, exit 0 and say
# nothing on stderr; where libvirt failed (NAME-TYPE.err), cpusel must fail
# (exit 1, one line on stderr, nothing on stdout).
#
# usage: decode-conformance.sh CPUSEL SOURCE_ROOT
# Environment:
#   CS_REFERENCE_DIR    the reference data (default SOURCE_ROOT/../shared/reference)
#   CS_EXPECTED_SET     expected (libvirt 9.0, default) or expected-libvirt12
#   CS_LIBVIRT_CPU_MAP  the map: a cpu_map directory (default
#                       /usr/share/libvirt/cpu_map, Debian's libvirt0) or
#                       "builtin" (cpusel's own map)
# Exits 77 (skip) when the reference or the map is missing, 1 on any difference.
set -u
cpusel=$1
srcroot=$2
ref=${CS_REFERENCE_DIR:-$srcroot/../shared/reference}
set_name=${CS_EXPECTED_SET:-expected}
map=${CS_LIBVIRT_CPU_MAP:-/usr/share/libvirt/cpu_map}
dumps=$ref/libvirt-cputestdata
expected=$ref/$set_name/decode

if [ ! -d "$dumps" ] || [ ! -d "$expected" ]; then
    echo "SKIP: no reference data in $ref/$set_name (set CS_REFERENCE_DIR)"
    exit 77
fi
if [ "$map" = builtin ]; then
    set --
elif [ -f "$map/index.xml" ]; then
    set -- --cpu-map "$map"
else
    echo "SKIP: no libvirt cpu_map in $map (install libvirt0)"
    exit 77
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
for dump in "$dumps"/x86*-cpuid-*.xml; do
    name=$(basename "$dump" .xml)
    for type in host guest; do
        want=$expected/$name-$type.xml
        flag=
        [ "$type" = guest ] && flag=--guest
        "$cpusel" decode "$@" $flag "$dump" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ ! -f "$want" ]; then
            # libvirt failed on this one: cpusel must fail the same way
            if [ -f "$expected/$name-$type.err" ] && [ "$rc" -eq 1 ] &&
               [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
                pass=$((pass + 1))
            else
                echo "FAIL: $name $type: libvirt fails, cpusel exits $rc (or no expectation)"
                fail=$((fail + 1))
            fi
            continue
        fi
        if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/out" "$want"; then
            pass=$((pass + 1))
        else
            echo "FAIL: $name $type (exit $rc)"
            diff -u "$want" "$tmp/out" | head -20
            sed 's/^/    stderr: /' "$tmp/err" | head -3
            fail=$((fail + 1))
        fi
    done
done
echo "decode conformance ($set_name): $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
