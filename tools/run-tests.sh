#!/bin/sh
# Runs the test suite in each build directory given and ends with the line
# "N passed, N failed" (skipped tests are counted apart). DIR@SUITE runs only
# that suite of DIR, with what is already built there.
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
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
