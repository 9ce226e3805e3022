#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Side-by-side figures: cpusel-bench against the oracle's lvcpu bench (libvirt
# 9.0) on the same machine in the same run, with libvirt's map for both (and
# cpusel's built-in map for first calls). Prints one line per case with the
# medians and the ratios libvirt/cpusel.
#   tools/bench-side-by-side.sh BUILD_DIR LVCPU REFERENCE_DIR
b="$1/bench/cpusel-bench"
lv="$2"
ref="$3/libvirt-cputestdata"
map=/usr/share/libvirt/cpu_map
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { awk -v k="$1" '$1 == k {print ($1 == "first_call_us") ? $2 : $5}'; }
ratio() { python3 -c "print('%.0fx' % ($1 / $2))"; }

echo "case | libvirt core | cpusel core | ratio | libvirt full | cpusel full | ratio | libvirt 1st | cpusel 1st (built-in) | ratio"
for d in Core-i7-8700 EPYC-7502-32-Core Xeon-6788P; do
    for g in "" --guest; do
        f="$ref/x86_64-cpuid-$d.xml"
        lo=$("$lv" bench decode "$f" 300 $g)
        co=$("$b" --cpu-map $map decode "$f" 3000 $g)
        l1=$(for i in 1 2 3; do "$lv" bench decode "$f" 3 $g | field first_call_us; done | med)
        c1=$(for i in 1 2 3 4 5; do "$b" decode "$f" 3 $g | field first_call_us; done | med)
        lc=$(echo "$lo" | field core_us); cc=$(echo "$co" | field core_us)
        lf=$(echo "$lo" | field full_us); cf=$(echo "$co" | field full_us)
        echo "decode $d ${g:-host} | $lc | $cc | $(ratio $lc $cc) | $lf | $cf | $(ratio $lf $cf) | $l1 | $c1 | $(ratio $l1 $c1)"
    done
done
for pair in "x86_64-host.xml x86_64-guest.xml" "x86_64-host.xml x86_64-exact-forbid.xml" "x86-host-SandyBridge.xml x86_64-strict.xml"; do
    set -- $pair
    lo=$("$lv" bench compare "$ref/$1" "$ref/$2" 20000)
    co=$("$b" --cpu-map $map compare "$ref/$1" "$ref/$2" 20000)
    lc=$(echo "$lo" | field core_us); cc=$(echo "$co" | field core_us)
    lf=$(echo "$lo" | field full_us); cf=$(echo "$co" | field full_us)
    echo "compare $1 $2 | $lc | $cc | $(ratio $lc $cc) | $lf | $cf | $(ratio $lf $cf) | | |"
done
for f in x86_64-baseline-2.xml x86_64-baseline-1.xml; do
    lo=$("$lv" bench baseline "$ref/$f" 500)
    co=$("$b" --cpu-map $map baseline "$ref/$f" 3000)
    lc=$(echo "$lo" | field core_us); cc=$(echo "$co" | field core_us)
    lf=$(echo "$lo" | field full_us); cf=$(echo "$co" | field full_us)
    echo "baseline $f | $lc | $cc | $(ratio $lc $cc) | $lf | $cf | $(ratio $lf $cf) | | |"
done
