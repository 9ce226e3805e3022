#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Line coverage of each parser by its fuzz corpus: builds the replay
# programs with clang's source-based coverage into BUILD (default
# build-cov), replays tests/fuzz/corpus/NAME and prints, per target, the
# line coverage of the file it fuzzes (llvm-cov report). Needs clang and
# llvm (make fuzz installs them).
#
# usage: fuzz-coverage.sh [BUILD]
set -u
build=${1:-build-cov}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
for tool in clang llvm-profdata llvm-cov; do
    command -v "$tool" >/dev/null 2>&1 || { echo "fuzz-coverage: $tool is missing" >&2; exit 1; }
done
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" --buildtype=debug \
        -Dc_args="-fprofile-instr-generate -fcoverage-mapping" \
        -Dc_link_args="-fprofile-instr-generate" >/dev/null || exit 1
fi
set -- cpuid-r:cpuid-text.c cpudata-xml:cpuid-xml.c cpu-map:cpu-map-libvirt.c \
       cpu-def:cpu-def-parse.c cpu-stream:cpu-stream.c
for pair in "$@"; do
    t=${pair%%:*}
    ninja -C "$build" "tests/fuzz-replay-$t" >/dev/null || exit 1
done
printf '%-12s %-20s %8s %10s %8s\n' TARGET FILE INPUTS LINES COVERED
for pair in "$@"; do
    t=${pair%%:*}
    file=${pair#*:}
    prof=$build/cov-$t
    rm -f "$prof".profraw "$prof".profdata
    LLVM_PROFILE_FILE="$prof.profraw" G_SLICE=always-malloc \
        "$build/tests/fuzz-replay-$t" "tests/fuzz/corpus/$t" >/dev/null 2>&1
    llvm-profdata merge -sparse "$prof.profraw" -o "$prof.profdata" || exit 1
    # columns: file, regions (3), functions (3), lines: count, missed, cover
    line=$(llvm-cov report "$build/tests/fuzz-replay-$t" -instr-profile="$prof.profdata" \
           2>/dev/null | grep "src/lib/$file ")
    lines=$(echo "$line" | awk '{print $8}')
    cover=$(echo "$line" | awk '{print $10}')
    printf '%-12s %-20s %8s %10s %8s\n' "$t" "$file" "$(ls "tests/fuzz/corpus/$t" | wc -l)" \
           "$lines" "$cover"
done
