/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the <cpudata> XML parser (cpuid-xml.c).
 * Invariants: no crash, no read past @size (the input is not NUL-terminated);
 * exactly one of "data" and "error" comes back, the error in CS_ERROR; parsed
 * data formats and parses back to the same leaves and MSRs; and the fast
 * reader agrees with libxml2: an accepted ASCII (UTF-8) input with a
 * non-ASCII comment appended (which only the libxml2 path reads) gives the
 * same data; and they agree on long runs: the input with its first
 * hexadecimal value, its first white space or a comment after its first '>'
 * stretched around the fast reader's limit (4096 bytes) or past libxml2's
 * (10,000,000 bytes, in one input out of 256) parses, with and without that
 * comment, to the same data as the input, or fails both ways.
 * Seed corpus: tests/fuzz/corpus/cpudata-xml/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-error.h>
#include "fuzz-utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
same_data(const CsCpuidData *a, const CsCpuidData *b)
{
    gsize na = 0, nb = 0, ma = 0, mb = 0;
    const CsCpuidLeaf *la = cs_cpuid_data_get_leaves(a, &na);
    const CsCpuidLeaf *lb = cs_cpuid_data_get_leaves(b, &nb);
    const CsMsr *ra = cs_cpuid_data_get_msrs(a, &ma);
    const CsMsr *rb = cs_cpuid_data_get_msrs(b, &mb);

    return na == nb && ma == mb &&
           (na == 0 || memcmp(la, lb, na * sizeof(*la)) == 0) &&
           (ma == 0 || memcmp(ra, rb, ma * sizeof(*ra)) == 0);
}

/* Lengths a run is stretched to: around the fast reader's limit, and past
 * libxml2's. */
static const size_t stretch_lengths[] = { 4095, 4096, 4097, 10000001 };

/* Returns: (transfer full) @data with @n copies of @c inserted at @at, or
 * for @comment, a comment of @n bytes. */
static char *
insert_run(const uint8_t *data, size_t size, size_t at, char c, size_t n, gboolean comment,
           size_t *out_size)
{
    size_t extra = comment ? n + 7 : n;
    char *out = g_malloc(size + extra + 1);

    memcpy(out, data, at);
    if (comment) {
        memcpy(out + at, "<!--", 4);
        memset(out + at + 4, c, n);
        memcpy(out + at + 4 + n, "-->", 3);
    } else {
        memset(out + at, c, n);
    }
    memcpy(out + at + extra, data + at, size - at);
    *out_size = size + extra;
    return out;
}

/* parse(@xml) and parse(@xml + a non-ASCII comment) agree with each other,
 * and with @want when they succeed. */
static void
check_stretched(const char *xml, size_t size, const CsCpuidData *want)
{
    static const char tail[] = "<!-- \xc3\xa9 -->";
    g_autoptr(CsCpuidData) a = NULL;
    g_autoptr(CsCpuidData) b = NULL;
    g_autofree char *longer = g_malloc(size + sizeof(tail));

    memcpy(longer, xml, size);
    memcpy(longer + size, tail, sizeof(tail));
    a = cs_cpuid_data_parse_xml(xml, size, "stretched", NULL);
    b = cs_cpuid_data_parse_xml(longer, size + sizeof(tail) - 1, "stretched", NULL);
    if (!a != !b || (a && (!same_data(a, b) || !same_data(a, want))))
        abort();
}

static void
check_long_runs(const uint8_t *data, size_t size, const CsCpuidData *want)
{
    guint32 h = 2166136261u;
    size_t n;

    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    n = stretch_lengths[h % 3];
    if (h % 256 == 255)
        n = stretch_lengths[3];
    for (size_t i = 0; i + 3 < size; i++) {
        /* the first hexadecimal value: leading zeros change nothing */
        if ((data[i] == '\'' || data[i] == '"') && data[i + 1] == '0' &&
            (data[i + 2] == 'x' || data[i + 2] == 'X') && g_ascii_isxdigit(data[i + 3])) {
            size_t len = 0;
            g_autofree char *xml = insert_run(data, size, i + 3, '0', n, FALSE, &len);

            check_stretched(xml, len, want);
            break;
        }
    }
    for (size_t i = 0; i < size; i++) {
        /* the first white space: longer runs of it change nothing */
        if (data[i] == ' ' || data[i] == '\n') {
            size_t len = 0;
            g_autofree char *xml = insert_run(data, size, i, ' ', n, FALSE, &len);

            check_stretched(xml, len, want);
            break;
        }
    }
    for (size_t i = 0; i < size; i++) {
        /* after the root's start tag, a comment */
        if (data[i] == '>') {
            size_t len = 0;
            g_autofree char *xml = insert_run(data, size, i + 1, 'c', n, TRUE, &len);

            check_stretched(xml, len, want);
            break;
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char tail[] = "<!-- \xc3\xa9 -->";
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) cpuid = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(CsCpuidData) again = NULL;
    g_autofree char *longer = NULL;
    g_autoptr(CsCpuidData) slow = NULL;
    gboolean utf8 = FALSE;

    cpuid = cs_cpuid_data_parse_xml((const char *) data, size, "fuzz", &error);
    if (!cpuid) {
        if (!error || error->domain != CS_ERROR)
            abort();
        return 0;
    }
    if (error)
        abort();

    xml = cs_cpuid_data_format_xml(cpuid);
    again = cs_cpuid_data_parse_xml(xml, strlen(xml), "again", NULL);
    if (!again || !same_data(cpuid, again))
        abort();

    /* UTF-8 documents that stay UTF-8 with the comment appended */
    utf8 = fuzz_stays_utf8(data, size);
    if (utf8) {
        longer = g_malloc(size + sizeof(tail));
        memcpy(longer, data, size);
        memcpy(longer + size, tail, sizeof(tail));
        slow = cs_cpuid_data_parse_xml(longer, size + sizeof(tail) - 1, "slow", NULL);
        if (!slow || !same_data(cpuid, slow))
            abort();
        check_long_runs(data, size, cpuid);
    }
    return 0;
}
