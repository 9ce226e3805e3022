#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The clang builds: the fuzzing build (libFuzzer, ASan, UBSan with undefined
# behaviour fatal, the whole project) and the ThreadSanitizer build (the
# thread test only).
#
#   clang-builds.sh ensure            installs clang and its runtimes when
#                                     missing (as root; Debian 12 names)
#   clang-builds.sh available         exit 0 when clang can build both
#   clang-builds.sh fuzz DIR [TARGET...]   configures DIR, builds TARGETs (all)
#   clang-builds.sh tsan DIR          configures DIR, builds tests/test-threads
#   clang-builds.sh check FUZZ TSAN   for `make check`: when clang is there,
#                                     builds both and prints "FUZZ TSAN@threads"
#                                     (the run-tests.sh arguments); else says
#                                     why on stderr and prints nothing
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

can_build() {
    tmp=$(mktemp -d) || return 1
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n'\
'{ (void) d; (void) n; return 0; }\n' > "$tmp/f.c"
    printf 'int main(void) { return 0; }\n' > "$tmp/t.c"
    clang -fsanitize=fuzzer,address,undefined "$tmp/f.c" -o "$tmp/f" 2>/dev/null &&
        clang -fsanitize=thread "$tmp/t.c" -o "$tmp/t" 2>/dev/null && "$tmp/t"
    ok=$?
    rm -rf "$tmp"
    return $ok
}

available() {
    command -v clang >/dev/null 2>&1 && command -v meson >/dev/null 2>&1 && can_build
}

ensure() {
    available && return 0
    # Debian 12: libclang-rt-dev brings libFuzzer and the sanitizer runtimes,
    # llvm the coverage tools
    sh tools/install-deps.sh clang libclang-rt-dev llvm ||
        sh tools/install-deps.sh clang \
            "libclang-rt-$(clang -dumpversion 2>/dev/null | cut -d. -f1)-dev" llvm ||
        return 1
    available || { echo "clang cannot build libFuzzer or ThreadSanitizer programs" >&2
                   return 1; }
}

setup() {   # DIR MESON-ARGS...
    dir=$1
    shift
    [ -f "$dir/build.ninja" ] && return 0
    CC=clang meson setup "$dir" --buildtype=debugoptimized -Dwerror=true "$@" \
        >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log" >&2; return 1; }
    rm -f "$dir.setup.log"
}

fuzz() {    # DIR [TARGET...]
    dir=$1
    shift
    setup "$dir" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer" ||
        return 1
    ninja -C "$dir" "$@" >"$dir/ninja.log" 2>&1 || { cat "$dir/ninja.log" >&2; return 1; }
}

tsan() {    # DIR
    setup "$1" -Db_sanitize=thread -Db_lundef=false || return 1
    ninja -C "$1" tests/test-threads >"$1/ninja.log" 2>&1 || { cat "$1/ninja.log" >&2
                                                              return 1; }
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
ensure) ensure ;;
available) available ;;
fuzz) fuzz "$@" ;;
tsan) tsan "$@" ;;
check)
    if ! available; then
        echo "== clang builds skipped: clang with libFuzzer and ThreadSanitizer runtimes" \
             "is not installed (make fuzz or make tsan installs it)" >&2
        exit 0
    fi
    echo "== clang builds: $1 (ASan, UBSan fatal, fuzzer coverage), $2 (ThreadSanitizer)" >&2
    fuzz "$1" && tsan "$2" || exit 1
    echo "$1 $2@threads"
    ;;
*)
    echo "usage: clang-builds.sh ensure|available|fuzz DIR [TARGET...]|tsan DIR|check FUZZ TSAN" >&2
    exit 2
    ;;
esac
