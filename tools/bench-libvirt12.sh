#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Side-by-side figures against libvirt 12.8 (the oracle lvcpu12, its own
# map) with cpusel's built-in map (libvirt 12.8's facts), same machine, same
# run. With a second cpusel-bench (an older build) its figures are printed
# beside, for before/after comparisons. Medians of the core times (µs).
#   tools/bench-libvirt12.sh CPUSEL_BENCH LVCPU12 REFERENCE_DIR [OLD_CPUSEL_BENCH]
b="$1"; lv="$2"; ref="$3/libvirt-cputestdata"; old="$4"
core() { awk '$1 == "core_us" {print $5}'; }
ratio() { python3 -c "print('%.0fx' % ($1 / $2))"; }
printf 'case | libvirt 12.8 | cpusel | ratio'
[ -n "$old" ] && printf ' | cpusel before'
echo
row() {
    name=$1; shift
    lc=$("$lv" bench "$@" | core)
    cc=$("$b" "$@" | core)
    printf '%s | %s | %s | %s' "$name" "$lc" "$cc" "$(ratio "$lc" "$cc")"
    [ -n "$old" ] && printf ' | %s' "$("$old" "$@" | core)"
    echo
}
for d in Core-i7-8700 EPYC-7502-32-Core Xeon-6788P Core-i7-1270P; do
    row "decode $d host" decode "$ref/x86_64-cpuid-$d.xml" 100
    row "decode $d guest" decode "$ref/x86_64-cpuid-$d.xml" 100 --guest
done
for pair in "x86_64-host.xml x86_64-guest.xml" "x86-host-SandyBridge.xml x86_64-strict.xml"; do
    set -- $pair
    row "compare $1 $2" compare "$ref/$1" "$ref/$2" 20000
done
for f in x86_64-baseline-2.xml x86_64-baseline-1.xml; do
    row "baseline $f" baseline "$ref/$f" 500
done
