#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# cpusel --version (the version and the map's identity, text and JSON) and
# --cpu-map system (the installed libvirt's map) for every command.
# Usage: test-version.sh CPUSEL SOURCE_ROOT VERSION. Prints TAP.
cpusel="$1"
root="$2"
version="$3"
tests="$root/tests"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    [ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why"
    :
}
check() {   # check NAME COMMAND...: passes when COMMAND succeeds
    name="$1"
    shift
    if "$@" >"$tmp/why" 2>&1; then ok "$name"; else not_ok "$name"; fi
}

# What the map source says: counts and identity (gen-cpu-map.py --stats).
stats=$(python3 "$root/tools/gen-cpu-map.py" --stats "$root/data/cpu-map/index")
identity=${stats##*identity: }
vendors=$(echo "$stats" | sed -n 's/^\([0-9]*\) vendors.*/\1/p')
features=$(echo "$stats" | sed -n 's/.* \([0-9]*\) features.*/\1/p')
models=$(echo "$stats" | sed -n 's/.* \([0-9]*\) models.*/\1/p')

"$cpusel" --version >"$tmp/out" 2>"$tmp/err"
rc=$?
printf 'cpusel %s\nCPU map: built-in, matching %s (%s vendors, %s features, %s models)\n' \
    "$version" "$identity" "$vendors" "$features" "$models" >"$tmp/want"
check "--version exits 0 with nothing on stderr" test "$rc" = 0 -a ! -s "$tmp/err"
check "--version: version, identity and counts of the map source" diff "$tmp/want" "$tmp/out"
case "$identity" in
    "libvirt "[0-9]*) ok "the identity names a libvirt release ($identity)" ;;
    *) not_ok "the identity names a libvirt release (got '$identity')" ;;
esac

json_check() {   # json_check FILE SOURCE IDENTITY|null
    python3 - "$@" "$version" "$vendors" "$features" "$models" <<'EOF'
import json, sys
path, source, identity, version, vendors, features, models = sys.argv[1:]
doc = json.load(open(path))
want = {"version": version,
        "cpu_map": {"source": source,
                    "identity": None if identity == "null" else identity,
                    "vendors": int(vendors), "features": int(features),
                    "models": int(models)}}
if source != "built-in":
    # another map: its own counts
    for k in ("vendors", "features", "models"):
        want["cpu_map"][k] = doc["cpu_map"][k]
if doc != want:
    sys.exit("got %r, want %r" % (doc, want))
EOF
}
"$cpusel" --version --json >"$tmp/json" 2>"$tmp/err"
check "--version --json exits 0" test $? = 0 -a ! -s "$tmp/err"
check "--version --json: one JSON document with version and map" \
    json_check "$tmp/json" built-in "$identity"
"$cpusel" --json --version >"$tmp/json2" 2>&1
check "--json --version is the same document" cmp "$tmp/json" "$tmp/json2"

"$cpusel" --version extra >"$tmp/out" 2>"$tmp/err"
check "--version with an argument is a usage error (exit 2)" test $? = 2 -a ! -s "$tmp/out"

# --cpu-map system without an installed map: one line on stderr, exit 1,
# nothing on stdout, for every command that reads a map.
none="$tmp/no-libvirt"
cpu="$tests/data/cpu-def/host-penryn.xml"
dump="$tests/data/cpuid/sandybridge-i7-2600.xml"
for args in "host" "decode $dump" "models" "features" "compare $cpu $cpu" \
            "encode $cpu" "update $cpu $cpu" "guest $cpu $cpu" "baseline $cpu" \
            "plan $cpu" "--version"; do
    set -- $args
    cmd=$1
    shift
    if [ "$cmd" = --version ]; then
        CPUSEL_SYSTEM_CPU_MAP="$none" "$cpusel" --version --cpu-map system \
            >"$tmp/out" 2>"$tmp/err"
    else
        CPUSEL_SYSTEM_CPU_MAP="$none" "$cpusel" "$cmd" --cpu-map system "$@" \
            >"$tmp/out" 2>"$tmp/err"
    fi
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" = 1 ] && [ ! -s "$tmp/out" ] && [ "$lines" = 1 ] &&
        grep -q "^cpusel: --cpu-map system: no installed libvirt CPU map ('$none/index.xml' does not exist)" "$tmp/err"; then
        ok "$cmd --cpu-map system without a libvirt map: one error line, exit 1"
    else
        { echo "exit $rc"; cat "$tmp/out" "$tmp/err"; } >"$tmp/why"
        not_ok "$cmd --cpu-map system without a libvirt map: one error line, exit 1"
    fi
done

# 'system' is the directory of an installed map: the same answers as naming it
fake="$tests/data/cpu-map-groups"
"$cpusel" models --cpu-map "$fake" >"$tmp/want" 2>&1
CPUSEL_SYSTEM_CPU_MAP="$fake" "$cpusel" models --cpu-map system >"$tmp/out" 2>&1
check "--cpu-map system reads the installed map's directory" cmp "$tmp/want" "$tmp/out"
CPUSEL_SYSTEM_CPU_MAP="$fake" "$cpusel" --version --json --cpu-map system >"$tmp/json" 2>&1
check "--version --cpu-map system: that map, no identity" json_check "$tmp/json" "$fake" null

if [ -f /usr/share/libvirt/cpu_map/index.xml ]; then
    "$cpusel" features --cpu-map /usr/share/libvirt/cpu_map >"$tmp/want" 2>&1
    env -u CPUSEL_SYSTEM_CPU_MAP "$cpusel" features --cpu-map system >"$tmp/out" 2>&1
    check "--cpu-map system is /usr/share/libvirt/cpu_map by default" cmp "$tmp/want" "$tmp/out"
else
    n=$((n + 1))
    echo "ok $n # SKIP no /usr/share/libvirt/cpu_map (install libvirt0 to check the default)"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
