/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the <cpu> definition parser (cpu-def-parse.c).
 * Invariants: no crash; exactly one of "definition" and "error" comes back;
 * a parsed definition formats and parses again to the same XML; compare,
 * update and encode against a fixed host return or fail cleanly.
 * Seed corpus: tests/fuzz/corpus/cpu-def/. Built without libFuzzer
 * (CS_FUZZ_REPLAY), main() replays the files or directories it is given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <libcpusel/libcpusel.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char host_xml[] =
    "<cpu><arch>x86_64</arch><model>Haswell-noTSX</model><vendor>Intel</vendor>"
    "<feature name='vmx'/><feature name='invtsc'/></cpu>";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static CsCpuMap *map;
    static CsCpuDef *host;
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) def = NULL;

    if (!map) {
        map = cs_cpu_map_new_builtin();
        host = cs_cpu_def_parse_xml(host_xml, strlen(host_xml), "host", CS_PARSE_AUTO,
                                    NULL);
    }
    def = cs_cpu_def_parse_xml((const char *) data, size, "fuzz", CS_PARSE_AUTO, &error);
    if (!def) {
        if (!error)
            abort();
        return 0;
    }
    if (error)
        abort();
    {
        g_autofree char *xml = cs_cpu_def_format_xml(def, 0);
        g_autoptr(CsCpuDef) again = cs_cpu_def_parse_xml(xml, strlen(xml), "again",
                                                         cs_cpu_def_get_type(def) ==
                                                         CS_CPU_TYPE_HOST ?
                                                         CS_PARSE_HOST : CS_PARSE_GUEST,
                                                         NULL);
        g_autofree char *xml2 = again ? cs_cpu_def_format_xml(again, 0) : NULL;

        /* a guest with no model and nothing else formats as <cpu/>, which
         * parses back the same */
        if (!again || strcmp(xml, xml2) != 0)
            abort();
    }
    {
        g_autoptr(CsCompareReport) report = NULL;
        g_autoptr(CsCpuDef) updated = cs_cpu_def_copy(def);
        CsCpuidData *sets[CS_ENCODE_LAST] = { NULL };
        g_autoptr(GError) e1 = NULL;
        g_autoptr(GError) e2 = NULL;
        g_autoptr(GError) e3 = NULL;

        if (cs_cpu_compare(map, host, def, CS_COMPARE_DEFAULT, &report, &e1) == !!e1)
            abort();
        if (cs_cpu_update(map, updated, host, CS_UPDATE_DEFAULT, &e2) == !!e2)
            abort();
        if (cs_cpu_encode(map, def, sets, &e3)) {
            for (guint i = 0; i < CS_ENCODE_LAST; i++)
                cs_cpuid_data_free(sets[i]);
        } else if (!e3) {
            abort();
        }
    }
    return 0;
}

#ifdef CS_FUZZ_REPLAY
static int
replay_file(const char *path)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &buf, &len, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *) buf, len);
    return 0;
}

int
main(int argc, char **argv)
{
    guint n = 0;

    for (int i = 1; i < argc; i++) {
        g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
        const char *name;

        if (!dir) {
            if (replay_file(argv[i]))
                return 1;
            n++;
            continue;
        }
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(argv[i], name, NULL);

            if (replay_file(path))
                return 1;
            n++;
        }
    }
    printf("1..1\nok 1 - replayed %u inputs\n", n);
    return 0;
}
#endif
