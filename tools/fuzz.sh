#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make fuzz`: builds every parser's libFuzzer target with clang
# (-fsanitize=fuzzer,address,undefined; undefined behaviour is fatal) into
# BUILD/fuzz-NAME, then runs each for SECONDS from its corpus
# (tests/fuzz/corpus/NAME) with its dictionary (tests/fuzz/dict/NAME.dict).
# Any finding (crash, assertion, sanitizer report, leak, timeout, out of
# memory) fails: the input is kept in BUILD/artifacts/NAME/. What a
# campaign finds is merged into the corpus (libFuzzer's -merge=1 keeps only
# inputs that add coverage). Installs clang when it is missing (as root).
#
# usage: fuzz.sh [--build-only] BUILD SECONDS [NAME...]
set -u
build_only=
if [ "${1:-}" = --build-only ]; then
    build_only=1
    shift
fi
build=${1:-build-fuzz}
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-cpuid-r cpudata-xml cpu-map cpu-def cpu-stream}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

sh tools/clang-builds.sh ensure || exit 1
set --
for t in $targets; do
    set -- "$@" "tests/fuzz-$t"
done
sh tools/clang-builds.sh fuzz "$build" "$@" || exit 1
for t in $targets; do
    ln -sf "tests/fuzz-$t" "$build/fuzz-$t"
done
[ -n "$build_only" ] && exit 0

# UB aborts (the build does not recover from it); leaks are findings too
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export G_SLICE=always-malloc
failed=0
for t in $targets; do
    corpus=tests/fuzz/corpus/$t
    new=$build/new-corpus/$t
    art=$build/artifacts/$t/
    log=$build/fuzz-$t.log
    rm -rf "$new"
    mkdir -p "$new" "$art"
    before=$(ls "$corpus" | wc -l)
    echo "== fuzz-$t: $seconds s from $corpus ($before inputs)"
    "$build/fuzz-$t" -max_total_time="$seconds" -dict="tests/fuzz/dict/$t.dict" \
        -print_final_stats=1 -timeout=30 -rss_limit_mb=4096 -artifact_prefix="$art" \
        "$new" "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/p')
    if [ "$rc" -ne 0 ]; then
        failed=$((failed + 1))
        echo "FAIL fuzz-$t (exit $rc): a finding, input kept in $art; the end of $log:"
        tail -40 "$log" | sed 's/^/    /'
        continue
    fi
    # keep what adds coverage, minimised by libFuzzer's merge
    "$build/fuzz-$t" -merge=1 "$corpus" "$new" >>"$log" 2>&1 || {
        failed=$((failed + 1))
        echo "FAIL fuzz-$t: merging the new inputs failed; see $log"
        continue
    }
    after=$(ls "$corpus" | wc -l)
    echo "fuzz-$t: ${execs:-?} executions (${speed:-?}/s, peak ${rss:-?} MB), ${cov:-cov ?}," \
         "corpus $before -> $after inputs"
done
[ "$failed" -eq 0 ] || { echo "fuzz: $failed target(s) failed"; exit 1; }
echo "fuzz: no findings"
