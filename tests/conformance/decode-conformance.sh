#!/bin/sh
# Decode conformance with libvirt 9.0: every reference dump
# (x86*-cpuid-*.xml), decoded as host and as guest with libvirt's own
# cpu_map, must print exactly libvirt's output (expected/decode/NAME-{host,
# guest}.xml, made by the oracle's make_expected.sh).
#
# usage: decode-conformance.sh CPUSEL SOURCE_ROOT
# The reference data is $CS_REFERENCE_DIR, by default SOURCE_ROOT/../shared/
# reference; the map is $CS_LIBVIRT_CPU_MAP, by default
# /usr/share/libvirt/cpu_map (Debian's libvirt0). Exits 77 (skip) when
# either is missing, 1 on any difference.
set -u
cpusel=$1
srcroot=$2
ref=${CS_REFERENCE_DIR:-$srcroot/../shared/reference}
map=${CS_LIBVIRT_CPU_MAP:-/usr/share/libvirt/cpu_map}
dumps=$ref/libvirt-cputestdata
expected=$ref/expected/decode

if [ ! -d "$dumps" ] || [ ! -d "$expected" ]; then
    echo "SKIP: no reference data in $ref"
    exit 77
fi
if [ ! -f "$map/index.xml" ]; then
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
        if [ ! -f "$want" ]; then
            # libvirt failed on this one: cpusel must fail too
            if [ -f "$expected/$name-$type.err" ] &&
               ! "$cpusel" decode --cpu-map "$map" $flag "$dump" >/dev/null 2>&1; then
                pass=$((pass + 1))
            else
                echo "FAIL: $name $type: libvirt fails, cpusel does not (or no expectation)"
                fail=$((fail + 1))
            fi
            continue
        fi
        "$cpusel" decode --cpu-map "$map" $flag "$dump" >"$tmp/out" 2>"$tmp/err"
        if cmp -s "$tmp/out" "$want"; then
            pass=$((pass + 1))
        else
            echo "FAIL: $name $type"
            diff -u "$want" "$tmp/out" | head -20
            sed 's/^/    stderr: /' "$tmp/err" | head -3
            fail=$((fail + 1))
        fi
    done
done
echo "decode conformance: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
