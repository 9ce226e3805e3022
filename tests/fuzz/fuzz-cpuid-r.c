/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the `cpuid -r` text parser (cpuid-text.c).
 * Invariants: no crash, no read past @size (the input is not NUL-terminated),
 * and exactly one of "data" and "error" comes back; parsed data is non-empty.
 * Seed corpus: tests/fuzz/corpus/cpuid-r/. */
#include <stdint.h>
#include <stdlib.h>

#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) cpuid = NULL;

    cpuid = cs_cpuid_data_parse_cpuid_r((const char *) data, size, "fuzz",
                                        &error);
    if (cpuid) {
        gsize n = 0;

        cs_cpuid_data_get_leaves(cpuid, &n);
        if (error || n == 0)
            abort();
    } else if (!error || !g_error_matches(error, CS_ERROR, CS_ERROR_PARSE)) {
        abort();
    }
    return 0;
}
