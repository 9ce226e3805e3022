#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the test suite in each build directory given, then says what was
# skipped, why and how to enable it (tools/skip-report.py, from meson's
# test logs), and ends with the line "N passed, N failed". DIR@SUITE runs
# only that suite of DIR, with what is already built there.
here=$(dirname "$0")
passed=0; failed=0; skipped=0
for arg in "$@"; do
    dir=${arg%@*}
    only=
    [ "$dir" != "$arg" ] && only="--no-rebuild --suite ${arg#*@}"
    echo "== meson test in $dir${only:+ ($only)}"
    # ASan/UBSan: fail on any report, including leaks
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C "$dir" $only --print-errorlogs --num-processes 2 2>&1 |
        tee "$dir/test-summary.txt"
    ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$dir/test-summary.txt" | tail -1)
    fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$dir/test-summary.txt" | tail -1)
    xpass=$(sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' "$dir/test-summary.txt" | tail -1)
    tout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$dir/test-summary.txt" | tail -1)
    skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$dir/test-summary.txt" | tail -1)
    if [ -z "$ok" ]; then
        echo "meson test did not run in $dir"
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + ok))
    failed=$((failed + ${fail:-0} + ${xpass:-0} + ${tout:-0}))
    skipped=$((skipped + ${skip:-0}))
done
dirs=
for arg in "$@"; do dirs="$dirs ${arg%@*}"; done
# shellcheck disable=SC2086
python3 "$here/skip-report.py" $dirs
if [ "$skipped" -eq 0 ]; then
    echo "0 tests skipped"
else
    echo "$skipped tests skipped (not counted below; see above for why)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
