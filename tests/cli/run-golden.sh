#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs golden cases with the cpusel binary $1 from the tests/ directory $2:
# SUITE ($3, default cli) names SUITE/cases.txt and the goldens in
# data/expected/SUITE/. Prints TAP.
cpusel="$1"
tests="$2"
suite="${3:-cli}"
case "$cpusel" in /*) ;; *) cpusel="$PWD/$cpusel" ;; esac
expected="$tests/data/expected/$suite"
cd "$tests" || exit 1
mkdir -p "$expected"
n=0; failed=0
total=$(grep -c '^[^#]' "$suite/cases.txt")
echo "1..$total"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep '^[^#]' "$suite/cases.txt" | while IFS='|' read -r name code args; do
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
        echo "not ok $n - $name: output differs from data/expected/$suite/$name"
        diff -u "$expected/$name" "$tmp/got" | head -20 | sed 's/^/# /'
    else
        echo "ok $n - $name"
    fi
done
