#!/bin/sh
# The built-in map decodes each reference dump to the model the newest
# libvirt chooses (reference/libvirt-master-expected, rows its README marks
# recent or newest), except the differences listed with their reasons in
# master-known-differences.txt. A listed difference that no longer occurs
# fails too, so the list stays true. Exit 77 (skip) without the reference.
cpusel="$1"
root="$2"
ref="${CS_REFERENCE_DIR:-$root/../shared/reference}"
exp="$ref/libvirt-master-expected"
known="$root/tests/conformance/master-known-differences.txt"
[ -f "$exp/README.md" ] || { echo "no $exp: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -E '^\| [^|]+ \| (host|guest) \|' "$exp/README.md" |
    awk -F'|' '{gsub(/ /,"",$2); gsub(/ /,"",$3); r=$6; sub(/^ */,"",r); split(r,a,/[ :]/); print $2, $3, a[1]}' |
    grep -E ' (recent|newest)$' > "$tmp/rows"
ok=0; diff=0; fail=0
while read -r name kind rec; do
    dump="$ref/libvirt-cputestdata/x86_64-cpuid-$name.xml"
    [ -f "$dump" ] || dump="$ref/libvirt-cputestdata/x86-cpuid-$name.xml"
    [ -f "$dump" ] || continue
    [ -f "$exp/$name-$kind.xml" ] || continue
    want=$(sed -n "s/.*<model[^>]*>\([^<]*\)<.*/\1/p" "$exp/$name-$kind.xml")
    opt=""; [ "$kind" = guest ] && opt=--guest
    got=$("$cpusel" decode $opt "$dump" | sed -n "s/.*<model[^>]*>\([^<]*\)<.*/\1/p")
    listed=$(grep -c "^$name $kind $want $got " "$known")
    if [ "$want" = "$got" ]; then
        ok=$((ok + 1))
        if grep -q "^$name $kind " "$known"; then
            echo "FAIL $name $kind: agrees ($got) but is listed as a known difference"
            fail=$((fail + 1))
        fi
    elif [ "$listed" -gt 0 ]; then
        diff=$((diff + 1))
    else
        echo "FAIL $name $kind: libvirt master $want, cpusel $got"
        fail=$((fail + 1))
    fi
done < "$tmp/rows"
echo "$ok agree, $diff known differences, $fail failures"
[ "$fail" -eq 0 ]
