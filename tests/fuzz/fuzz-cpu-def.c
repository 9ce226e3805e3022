/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the <cpu> definition parser (cpu-def-parse.c).
 * Invariants: no crash; exactly one of "definition" and "error" comes back;
 * a parsed definition formats and parses again to the same XML; compare,
 * update and encode against a fixed host return or fail cleanly. The fast
 * path and libxml2's agree: an accepted ASCII input with a non-ASCII
 * comment appended (which only libxml2's path reads) gives the same
 * definition, and so does the input with its first white space stretched
 * around the fast path's limit (4096 bytes) or past libxml2's (10,000,000
 * bytes, in one input out of 256), with and without that comment.
 * Seed corpus: tests/fuzz/corpus/cpu-def/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libcpusel/libcpusel.h>
#include "fuzz-utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char host_xml[] =
    "<cpu><arch>x86_64</arch><model>Haswell-noTSX</model><vendor>Intel</vendor>"
    "<feature name='vmx'/><feature name='invtsc'/></cpu>";

/* parse(@xml) and parse(@xml + a non-ASCII comment) agree: both fail, or
 * both give the same definition. */
static void
check_agree(const char *xml, size_t size)
{
    static const char tail[] = "<!-- \xc3\xa9 -->";
    g_autofree char *longer = g_malloc(size + sizeof(tail));
    g_autoptr(CsCpuDef) a = NULL;
    g_autoptr(CsCpuDef) b = NULL;
    g_autofree char *xa = NULL;
    g_autofree char *xb = NULL;

    memcpy(longer, xml, size);
    memcpy(longer + size, tail, sizeof(tail));
    a = cs_cpu_def_parse_xml(xml, size, "a", CS_PARSE_AUTO, NULL);
    b = cs_cpu_def_parse_xml(longer, size + sizeof(tail) - 1, "b", CS_PARSE_AUTO, NULL);
    if (!a != !b)
        abort();
    if (!a)
        return;
    xa = cs_cpu_def_format_xml(a, 0);
    xb = cs_cpu_def_format_xml(b, 0);
    if (strcmp(xa, xb) != 0)
        abort();
}

static void
check_readers(const uint8_t *data, size_t size)
{
    static const size_t lengths[] = { 4095, 4096, 4097, 10000001 };
    guint32 h = 2166136261u;
    size_t n;

    /* UTF-8 documents that stay UTF-8 with the comment appended */
    if (!fuzz_stays_utf8(data, size))
        return;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    check_agree((const char *) data, size);
    n = h % 256 == 255 ? lengths[3] : lengths[h % 3];
    for (size_t i = 0; i < size; i++) {
        if (data[i] == ' ' || data[i] == '\n') {
            g_autofree char *xml = g_malloc(size + n);

            memcpy(xml, data, i);
            memset(xml + i, data[i], n);
            memcpy(xml + i + n, data + i, size - i);
            check_agree(xml, size + n);
            break;
        }
    }
}

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
    check_readers(data, size);
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
