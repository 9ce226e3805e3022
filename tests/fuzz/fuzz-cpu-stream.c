/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the streaming multi-CPU reader (cpu-stream.c), both its
 * scanner and libxml2's reader, feeding the fleet planner.
 * Invariants: no crash, no read past @size (the input is not NUL-terminated);
 * a successful read hands out host CPUs; every failure comes with a GError;
 * the planner either plans or says why not.
 * Seed corpus: tests/fuzz/corpus/cpu-stream/. */
#include <stdint.h>
#include <stdlib.h>

#include <libcpusel/libcpusel.h>
#include "fleet/cpu-stream-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every CPU (at most 64) into @b; returns how many, -1 on a fatal error. */
static int
drain(CsCpuStream *s, CsBaselineBuilder *b)
{
    int n = 0;

    for (int i = 0; i < 64; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuDef) def = NULL;

        if (!cs_cpu_stream_next(s, &def, &error)) {
            if (!error)
                abort();
            continue;
        }
        if (error)
            abort();
        if (!def)
            return n;
        if (cs_cpu_def_get_type(def) != CS_CPU_TYPE_HOST)
            abort();
        cs_baseline_builder_add(b, def, NULL);
        n++;
    }
    return n;
}

static void
quiet(const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static CsCpuMap *map;

    if (!map) {
        map = cs_cpu_map_new_builtin();
        g_log_set_handler("libcpusel", G_LOG_LEVEL_DEBUG, quiet, NULL);
    }
    for (int reader = 0; reader < 2; reader++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuStream) s = NULL;
        g_autoptr(CsBaselineBuilder) b = cs_baseline_builder_new(map, CS_BASELINE_EXPAND,
                                                                 CS_BASELINE_BUILD_PLAN);
        g_autoptr(CsFleetPlan) plan = NULL;
        g_autoptr(GError) plan_error = NULL;

        s = reader ? cs_cpu_stream_new_from_memory_reader(map, (const char *) data, size,
                                                          "fuzz", &error)
                   : cs_cpu_stream_new_from_memory(map, (const char *) data, size, "fuzz",
                                                   &error);
        if (!s) {
            if (!error)
                abort();
            continue;
        }
        drain(s, b);
        plan = cs_baseline_builder_plan(b, &plan_error);
        if (!plan && !plan_error)
            abort();
        if (plan && !cs_fleet_plan_get_baseline(plan))
            abort();
    }
    return 0;
}
