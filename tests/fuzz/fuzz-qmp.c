/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the QMP query-cpu-definitions reply parser (qmp.c).
 * Invariants: no crash, no read past @size (the input is not
 * NUL-terminated), exactly one of "list" and "error" comes back; a list
 * has at least one model, each with a non-empty name and non-empty
 * blocker names, and turns into one allowed entry per model.
 * Seed corpus: tests/fuzz/corpus/qmp/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libcpusel/libcpusel.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CsCpuMap *map;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuModelList) list = NULL;
    g_auto(GStrv) allowed = NULL;
    guint n;

    if (!map)
        map = cs_cpu_map_new_builtin();
    list = cs_cpu_model_list_parse_qmp((const char *) data, size, "fuzz", &error);
    if (!list) {
        if (!error || !(g_error_matches(error, CS_ERROR, CS_ERROR_PARSE) ||
                        g_error_matches(error, CS_ERROR, CS_ERROR_INVALID)))
            abort();
        return 0;
    }
    if (error || (n = cs_cpu_model_list_get_n(list)) == 0)
        abort();
    for (guint i = 0; i < n; i++) {
        const char *const *b = cs_cpu_model_list_get_blockers(list, i);

        if (!*cs_cpu_model_list_get_name(list, i))
            abort();
        for (guint k = 0; b[k]; k++) {
            if (!*b[k])
                abort();
        }
    }
    allowed = cs_cpu_model_list_to_allowed(list, map);
    if (g_strv_length(allowed) != n)
        abort();
    return 0;
}
