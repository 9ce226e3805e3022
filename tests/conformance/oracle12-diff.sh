#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A quick random differential run against libvirt 12.8 itself (the oracle
# lvcpu12 in $CS_ORACLE12_DIR, default SOURCE_ROOT/../shared/oracle12, which
# needs its Debian sid chroot: ./setup-sid.sh there, as root), with cpusel's
# built-in map: decode of mutated dumps, compare/update/encode of random
# guests, baseline of random sets of up to 50 mutated hosts. Skips (77) when
# the oracle does not run here. Runs at scale: the tools/diff-oracle-*.py
# scripts with larger counts (see README).
#   oracle12-diff.sh BUILD_DIR SOURCE_ROOT
build=$1; root=$2
ref=${CS_REFERENCE_DIR:-$root/../shared/reference}
lv=${CS_ORACLE12_DIR:-$root/../shared/oracle12}/lvcpu12
map=${CS_LIBVIRT12_CPU_MAP:-${SIDROOT:-/tmp/sidroot}/usr/share/libvirt/cpu_map}
if [ ! -x "$lv" ] || ! "$lv" selftest >/dev/null 2>&1; then
    echo "SKIP: libvirt 12.8's oracle does not run here ($lv; set CS_ORACLE12_DIR, run its setup-sid.sh as root)"
    exit 77
fi
if [ ! -d "$ref/expected-libvirt12" ] || [ ! -f "$map/index.xml" ]; then
    echo "SKIP: no reference data in $ref or no libvirt 12.8 map in $map"
    exit 77
fi
fail=0
python3 "$root/tools/diff-oracle-decode.py" --lvcpu "$lv" --cpu-map "$map" \
    --cpusel-map builtin --cpusel-batch "$build/tests/decode-batch" \
    --reference "$ref" -n 300 --seed 12 || fail=1
python3 "$root/tools/diff-oracle-guest.py" --lvcpu "$lv" --cpu-map "$map" \
    --expected-set expected-libvirt12 --cpusel-map builtin --removed-policies \
    --cpusel-batch "$build/tests/test-guest-conformance" --reference "$ref" \
    -n 500 --seed 12 || fail=1
python3 "$root/tools/diff-oracle-baseline.py" --cpusel "$build/src/cli/cpusel" \
    --lvcpu "$lv" --expected-set expected-libvirt12 --cpu-map "$map" \
    --cpusel-map builtin --max-hosts 50 --mutate 0.3 --sets 60 --seed 12 \
    --ref "$ref" --jobs 2 || fail=1
exit $fail
