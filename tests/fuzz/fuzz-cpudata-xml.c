/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the <cpudata> XML parser (cpuid-xml.c).
 * Invariants: no crash, no read past @size (the input is not NUL-terminated);
 * exactly one of "data" and "error" comes back, the error in CS_ERROR; parsed
 * data formats and parses back to the same leaves and MSRs; and the fast
 * reader agrees with libxml2: an accepted ASCII input with a non-ASCII
 * comment appended (which only the libxml2 path reads) gives the same data.
 * Seed corpus: tests/fuzz/corpus/cpudata-xml/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-error.h>

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
    gboolean ascii = TRUE;

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

    for (size_t i = 0; i < size; i++)
        ascii = ascii && data[i] < 0x80;
    if (ascii) {
        longer = g_malloc(size + sizeof(tail));
        memcpy(longer, data, size);
        memcpy(longer + size, tail, sizeof(tail));
        slow = cs_cpuid_data_parse_xml(longer, size + sizeof(tail) - 1, "slow", NULL);
        if (!slow || !same_data(cpuid, slow))
            abort();
    }
    return 0;
}
