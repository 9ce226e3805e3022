#!/bin/sh
# Runs the generic-driver golden cases of generic/cases.txt with the cpusel binary $1 from the
# tests/ directory $2. Prints TAP.
cpusel="$1"
tests="$2"
case "$cpusel" in /*) ;; *) cpusel="$PWD/$cpusel" ;; esac
expected="$tests/data/expected/generic"
cd "$tests" || exit 1
mkdir -p "$expected"
n=0; failed=0
total=$(grep -c '^[^#]' generic/cases.txt)
echo "1..$total"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep '^[^#]' generic/cases.txt | while IFS='|' read -r name code args; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    "$cpusel" $args >"$tmp/out" 2>"$tmp/err"
    rc=$?
    { cat "$tmp/out"; if [ -s "$tmp/err" ]; then echo "--- stderr"; cat "$tmp/err"; fi; } >"$tmp/got"
    if [ -n "$CS_TEST_REGENERATE" ]; then
        cp "$tmp/got" "$expected/$name"
    fi
    if [ "$rc" != "$code" ]; then
        echo "not ok $n - $name: exit $rc, expected $code"
        cat "$tmp/err" | sed 's/^/# /'
    elif ! cmp -s "$tmp/got" "$expected/$name"; then
        echo "not ok $n - $name: output differs from data/expected/generic/$name"
        diff -u "$expected/$name" "$tmp/got" | head -20 | sed 's/^/# /'
    else
        echo "ok $n - $name"
    fi
done
