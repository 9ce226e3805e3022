#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test scripts see sanitizer failures: each one must pass with the
# programs it tests as they are, and fail when they are wrapped so that they
# print the right output and then a LeakSanitizer report on stderr, once
# keeping their exit status and once exiting 23 (as LeakSanitizer does).
# Prints TAP; a script that skips (no reference data, no oracle) is skipped.
#
# usage: strict-harness.sh SOURCE_ROOT CPUSEL GUEST_BATCH DECODE_BATCH TEST_GUEST
set -u
root=$1
cpusel=$2
guest_batch=$3
decode_batch=$4
test_guest=$5
shared=$root/../shared
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# wrap PROGRAM FLAVOUR: a wrapper of PROGRAM in $tmp, printed
wrap() {
    w=$tmp/$(basename "$1")-$2
    cat >"$w" <<EOF
#!/bin/sh
"$1" "\$@"
rc=\$?
echo "==4242==ERROR: LeakSanitizer: detected memory leaks" >&2
echo "SUMMARY: AddressSanitizer: 24 byte(s) leaked in 1 allocation(s)." >&2
[ "$2" = keep ] && exit \$rc
exit 23
EOF
    chmod +x "$w"
    echo "$w"
}

# The scripts, each run with the programs given (cpusel, the guest batch,
# the decode batch); their exit status is the function's.
decode_conformance() {
    sh "$root/tests/conformance/decode-conformance.sh" "$1" "$root"
}
oracle_guest() {
    python3 "$root/tools/diff-oracle-guest.py" --build-oracle "$shared/oracle" \
        --reference "$shared/reference" --cpusel-batch "$2" -n 20
}
oracle_decode() {
    python3 "$root/tools/diff-oracle-decode.py" --build-oracle "$shared/oracle" \
        --reference "$shared/reference" --cpusel-batch "$3" -n 20
}
oracle_baseline() {
    python3 "$root/tools/diff-oracle-baseline.py" --cpusel "$1" --sets 4 --seed 11
}
golden() {  # the golden runner fails when a case is "not ok"
    out=$(sh "$root/tests/cli/run-golden.sh" "$1" "$root/tests" generic 2>&1)
    echo "$out"
    ! echo "$out" | grep -q '^not ok'
}
unit_cli() {    # a unit test that runs the cpusel command
    CPUSEL=$1 G_TEST_SRCDIR=$root/tests "$test_guest" -p /guest/golden/cli-compare.json
}

set -- decode_conformance oracle_guest oracle_decode oracle_baseline golden unit_cli
echo "1..$#"
n=0
for script in "$@"; do
    n=$((n + 1))
    "$script" "$cpusel" "$guest_batch" "$decode_batch" >"$tmp/log" 2>&1
    rc=$?
    if [ "$rc" -eq 77 ]; then
        echo "ok $n - $script # SKIP its inputs are missing"
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        echo "not ok $n - $script fails without a leak report (exit $rc)"
        sed 's/^/# /' "$tmp/log" | tail -5
        continue
    fi
    problem=
    for flavour in keep exit23; do
        if "$script" "$(wrap "$cpusel" "$flavour")" "$(wrap "$guest_batch" "$flavour")" \
               "$(wrap "$decode_batch" "$flavour")" >"$tmp/log" 2>&1; then
            problem="$problem passes with a leak report after the right output ($flavour)"
        fi
    done
    if [ -n "$problem" ]; then
        echo "not ok $n - $script$problem"
    else
        echo "ok $n - $script passes, and fails on a leak report (exit status kept or 23)"
    fi
done
