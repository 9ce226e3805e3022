#!/bin/sh
# The test scripts see sanitizer failures: each one is run with the program
# it tests wrapped so that it prints the right output and then a
# LeakSanitizer report on stderr, once keeping its exit status and once
# exiting 23 (as LeakSanitizer does); every script must fail both times.
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

n=0
report() {  # NAME STATUS (0: the script failed as it must; 77: skipped)
    n=$((n + 1))
    case "$2" in
    fail) echo "ok $n - $1 fails on a leak report" ;;
    skip) echo "ok $n - $1 # SKIP its inputs are missing" ;;
    *) echo "not ok $n - $1 passes with a leak report after the right output" ;;
    esac
}

verdict() {     # exit status of a script -> fail / skip / pass
    case "$1" in
    0) echo pass ;;
    77) echo skip ;;
    *) echo fail ;;
    esac
}

echo "1..12"
for flavour in keep exit23; do
    c=$(wrap "$cpusel" "$flavour")
    gb=$(wrap "$guest_batch" "$flavour")
    db=$(wrap "$decode_batch" "$flavour")

    sh "$root/tests/conformance/decode-conformance.sh" "$c" "$root" >"$tmp/log" 2>&1
    report "decode-conformance.sh ($flavour)" "$(verdict $?)"

    python3 "$root/tools/diff-oracle-guest.py" --build-oracle "$shared/oracle" \
        --reference "$shared/reference" --cpusel-batch "$gb" -n 20 >"$tmp/log" 2>&1
    report "diff-oracle-guest.py ($flavour)" "$(verdict $?)"

    python3 "$root/tools/diff-oracle-decode.py" --build-oracle "$shared/oracle" \
        --reference "$shared/reference" --cpusel-batch "$db" -n 20 >"$tmp/log" 2>&1
    report "diff-oracle-decode.py ($flavour)" "$(verdict $?)"

    python3 "$root/tools/diff-oracle-baseline.py" --cpusel "$c" --sets 4 --seed 11 \
        >"$tmp/log" 2>&1
    report "diff-oracle-baseline.py ($flavour)" "$(verdict $?)"

    # the golden runner: some case must be "not ok"
    if sh "$root/tests/cli/run-golden.sh" "$c" "$root/tests" generic 2>&1 |
       grep -q '^not ok'; then
        report "run-golden.sh ($flavour)" fail
    else
        report "run-golden.sh ($flavour)" pass
    fi

    # a unit test that runs the cpusel command
    CPUSEL=$c G_TEST_SRCDIR=$root/tests "$test_guest" -p /guest/golden/cli-compare.json \
        >"$tmp/log" 2>&1
    report "test-guest cli-compare.json ($flavour)" "$(verdict $?)"
done
