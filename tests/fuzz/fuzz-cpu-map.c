/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the libvirt cpu_map loader (cpu-map-libvirt.c).
 * The input is split at the first line "--8<--" into index.xml and inc.xml
 * (without that line, all of it is index.xml), written to a private temp
 * directory and loaded with cs_cpu_map_load_dir(). Invariants: no crash;
 * exactly one of "map" and "error" comes back, the error in CS_ERROR; a
 * loaded map decodes a fixed small CPUID data set as host and as guest,
 * returning a definition that formats, or an error.
 * Seed corpus: tests/fuzz/corpus/cpu-map/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <libcpusel/libcpusel.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEPARATOR "\n--8<--\n"

static char *fuzz_dir;

static void
remove_dir(void)
{
    g_autofree char *index = g_build_filename(fuzz_dir, "index.xml", NULL);
    g_autofree char *inc = g_build_filename(fuzz_dir, "inc.xml", NULL);

    unlink(index);
    unlink(inc);
    rmdir(fuzz_dir);
}

/* A Core i7-2600's leaves 0, 1 and 7 (see STYLE.md). */
static const CsCpuidLeaf leaves[] = {
    { .eax_in = 0x0, .eax = 0x0000000d, .ebx = 0x756e6547, .ecx = 0x6c65746e,
      .edx = 0x49656e69 },
    { .eax_in = 0x1, .eax = 0x000206a7, .ebx = 0x01100800, .ecx = 0x1fbae3ff,
      .edx = 0xbfebfbff },
    { .eax_in = 0x7, .ecx_in = 0x0 },
};

/* Plain write(2): g_file_set_contents() syncs to disk, a hundred times
 * slower than the parse being fuzzed. */
static void
write_file(const char *name, const uint8_t *data, size_t size)
{
    g_autofree char *path = g_build_filename(fuzz_dir, name, NULL);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t done = 0;

    if (fd < 0)
        abort();
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);

        if (n <= 0)
            abort();
        done += (size_t) n;
    }
    close(fd);
}

static const uint8_t *
find_separator(const uint8_t *data, size_t size)
{
    size_t n = strlen(SEPARATOR);

    for (size_t i = 0; size >= n && i <= size - n; i++) {
        if (memcmp(data + i, SEPARATOR, n) == 0)
            return data + i;
    }
    return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static CsCpuidData *cpuid;
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuMap) map = NULL;
    const uint8_t *sep;

    if (!fuzz_dir) {
        if (!(fuzz_dir = g_dir_make_tmp("cpusel-fuzz-map-XXXXXX", NULL)))
            abort();
        atexit(remove_dir);
        cpuid = cs_cpuid_data_new_from_leaves(leaves, G_N_ELEMENTS(leaves));
    }
    sep = find_separator(data, size);
    if (sep) {
        size_t skip = strlen(SEPARATOR);

        write_file("index.xml", data, sep - data);
        write_file("inc.xml", sep + skip, size - (sep - data) - skip);
    } else {
        g_autofree char *inc = g_build_filename(fuzz_dir, "inc.xml", NULL);

        write_file("index.xml", data, size);
        unlink(inc);
    }

    map = cs_cpu_map_load_dir(fuzz_dir, &error);
    if (!map) {
        if (!error || error->domain != CS_ERROR)
            abort();
        return 0;
    }
    if (error || cs_cpu_map_get_n_models(map) == 0)
        abort();
    for (int guest = 0; guest < 2; guest++) {
        g_autoptr(GError) e = NULL;
        g_autoptr(CsCpuDef) def = cs_cpu_decode(map, cpuid,
                                                guest ? CS_DECODE_GUEST : CS_DECODE_HOST,
                                                &e);

        if (def) {
            g_autofree char *xml = cs_cpu_def_format_xml(def, 0);

            if (e || !xml)
                abort();
        } else if (!e || e->domain != CS_ERROR) {
            abort();
        }
    }
    return 0;
}
