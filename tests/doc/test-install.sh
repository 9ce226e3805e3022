#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make install with PREFIX and DESTDIR, in a build directory of its own:
# the files land where they should, the library has its versioned soname,
# a small C program builds against the installed libcpusel.pc and runs, and
# the installed cpusel runs. Usage: test-install.sh SOURCE_ROOT. Prints TAP;
# skips (77) when make, a C compiler or pkg-config is missing.
root=$1
for tool in make cc pkg-config readelf; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "1..0 # SKIP no $tool (install make, gcc, pkg-config and binutils)"
        exit 77
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR PREFIX
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
    [ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why" | tail -30
    :
}
check() {
    name=$1; shift
    if "$@" >"$tmp/why" 2>&1; then ok "$name"; else not_ok "$name"; fi
}

dest="$tmp/dest"
if make -C "$root" install BUILD="$tmp/build" PREFIX=/usr DESTDIR="$dest" >"$tmp/why" 2>&1; then
    ok "make install PREFIX=/usr DESTDIR=..."
else
    not_ok "make install PREFIX=/usr DESTDIR=..."
    echo "1..$n"
    exit 1
fi
check "nothing outside DESTDIR/PREFIX" test "$(ls -A "$dest")" = usr
libdir=$(dirname "$(find "$dest/usr/lib" -name 'libcpusel.so.*.*.*' | head -1)")
lib=$(find "$dest/usr/lib" -name 'libcpusel.so.*.*.*' | head -1)
check "the command: PREFIX/bin/cpusel" test -x "$dest/usr/bin/cpusel"
check "the library with a versioned name" test -f "$lib"
check "the soname link libcpusel.so.0 and the link libcpusel.so" \
    test -L "$libdir/libcpusel.so.0" -a -L "$libdir/libcpusel.so"
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
check "soname libcpusel.so.0" test "$soname" = libcpusel.so.0
headers_ok() {
    for h in "$root"/include/libcpusel/*.h; do
        cmp "$h" "$dest/usr/include/libcpusel/$(basename "$h")" || return 1
    done
}
check "every public header in PREFIX/include/libcpusel" headers_ok
pc="$libdir/pkgconfig/libcpusel.pc"
check "libcpusel.pc in LIBDIR/pkgconfig" test -f "$pc"
check "libcpusel.pc: prefix=/usr" grep -qx 'prefix=/usr' "$pc"
check "libcpusel.pc: Requires glib-2.0 (the public headers include <glib.h>)" \
    grep -q '^Requires: glib-2.0' "$pc"
check "libcpusel.pc: Requires.private libxml-2.0, json-glib-1.0" \
    grep -qx 'Requires.private: libxml-2.0, json-glib-1.0' "$pc"
check "the man page cpusel(1), version filled in" \
    sh -c "test -f '$dest/usr/share/man/man1/cpusel.1' && ! grep -q @VERSION@ '$dest/usr/share/man/man1/cpusel.1'"
check "the bash completion in share/bash-completion/completions/cpusel" \
    cmp "$root/completion/cpusel.bash" "$dest/usr/share/bash-completion/completions/cpusel"

# A program built against the installed files only.
cat >"$tmp/prog.c" <<'PROG'
#include <stdio.h>
#include <libcpusel/libcpusel.h>

int
main(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();

    printf("%s: %u models\n", cs_cpu_map_get_identity(map),
           cs_cpu_map_get_n_models(map));
    return cs_cpu_map_get_n_models(map) > 0 ? 0 : 1;
}
PROG
# the installed libcpusel.pc, its prefix moved into DESTDIR
mkdir -p "$tmp/pc"
sed "s|^prefix=/usr\$|prefix=$dest/usr|" "$pc" >"$tmp/pc/libcpusel.pc"
flags=$(PKG_CONFIG_PATH="$tmp/pc" pkg-config --cflags --libs libcpusel)
check "a C program compiles against the installed libcpusel.pc" \
    cc -std=c11 -Wall -Wextra -Werror "$tmp/prog.c" -o "$tmp/prog" $flags
check "it links libcpusel.so.0" sh -c "readelf -d '$tmp/prog' | grep -q 'NEEDED.*\[libcpusel.so.0\]'"
LD_LIBRARY_PATH="$libdir" "$tmp/prog" >"$tmp/out" 2>&1
check "it runs" grep -q '^libvirt [0-9.]*: [0-9]* models$' "$tmp/out"
check "the installed cpusel runs with the installed library" \
    sh -c "LD_LIBRARY_PATH='$libdir' '$dest/usr/bin/cpusel' --version | grep -q '^cpusel '"
check "the installed cpusel has no run path into the build directory" \
    sh -c "! readelf -d '$dest/usr/bin/cpusel' | grep -q '$tmp/build'"

# The default PREFIX is /usr/local (same build directory, reconfigured).
dest2="$tmp/dest2"
check "make install DESTDIR=... (default PREFIX)" \
    make -C "$root" install BUILD="$tmp/build" DESTDIR="$dest2"
pc2=$(find "$dest2" -name libcpusel.pc)
check "the default PREFIX is /usr/local" \
    sh -c "test -x '$dest2/usr/local/bin/cpusel' && test '$(ls -A "$dest2")' = usr &&
           grep -qx 'prefix=/usr/local' '$pc2'"
echo "1..$n"
[ "$failed" -eq 0 ]
