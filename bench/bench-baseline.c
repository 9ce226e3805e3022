/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel-bench baseline FILE... N [--expand] [--migratable]: the same lines
 * as `lvcpu bench baseline`: the first full call (incl. loading the map),
 * then N full calls (read + parse the files, baseline, format) and N calls
 * of the baseline alone on parsed CPUs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libcpusel/libcpusel.h>
#include "bench-util.h"

int bench_baseline(const char *map_dir, int argc, char **argv);

/* Reads every host CPU of @files (the CLI's streaming reader). */
static GPtrArray *
load_hosts(const CsCpuMap *map, char **files, guint n_files, GError **error)
{
    g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func(
        (GDestroyNotify) cs_cpu_def_free);

    for (guint i = 0; i < n_files; i++) {
        g_autoptr(CsCpuStream) s = cs_cpu_stream_open_file(map, files[i], error);
        CsCpuDef *def = NULL;

        if (!s)
            return NULL;
        for (;;) {
            if (!cs_cpu_stream_next(s, &def, error))
                return NULL;
            if (!def)
                break;
            g_ptr_array_add(hosts, def);
        }
    }
    return g_steal_pointer(&hosts);
}

/* One full call: read and parse, baseline, format. */
static gboolean
full_call(CsCpuMap **map, const char *map_dir, char **files, guint n_files,
          CsBaselineFlags flags, GError **error)
{
    g_autoptr(GPtrArray) hosts = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autofree char *xml = NULL;

    if (!*map) {
        *map = map_dir ? cs_cpu_map_load_dir(map_dir, error) : cs_cpu_map_new_builtin();
        if (!*map)
            return FALSE;
    }
    if (!(hosts = load_hosts(*map, files, n_files, error)))
        return FALSE;
    if (!(def = cs_cpu_baseline(*map, (const CsCpuDef *const *) hosts->pdata, hosts->len,
                                flags, error)))
        return FALSE;
    xml = cs_cpu_def_format_xml(def, 0);
    return xml != NULL;
}

int
bench_baseline(const char *map_dir, int argc, char **argv)
{
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(GPtrArray) hosts = NULL;
    g_autoptr(GPtrArray) files = g_ptr_array_new();
    g_autofree double *full = NULL;
    g_autofree double *core = NULL;
    g_autoptr(GString) names = g_string_new(NULL);
    CsBaselineFlags flags = CS_BASELINE_DEFAULT;
    GError *error = NULL;
    double first = 0, mean, median, min;
    const char *count = NULL;
    char *end = NULL;
    long n;

    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--expand") == 0) {
            flags |= CS_BASELINE_EXPAND;
        } else if (strcmp(argv[a], "--migratable") == 0) {
            flags |= CS_BASELINE_MIGRATABLE;
        } else if (g_str_has_prefix(argv[a], "--")) {
            g_printerr("cpusel-bench: unknown baseline option '%s'\n", argv[a]);
            return 2;
        } else {
            g_ptr_array_add(files, argv[a]);
        }
    }
    /* the last positional argument is N */
    if (files->len < 2) {
        g_printerr("cpusel-bench: baseline needs FILE... and N\n");
        return 2;
    }
    count = g_ptr_array_steal_index(files, files->len - 1);
    n = strtol(count, &end, 10);
    if (!*count || *end || n < 0) {
        g_printerr("cpusel-bench: N must be a non-negative integer\n");
        return 2;
    }
    full = g_new0(double, n + 1);
    core = g_new0(double, n + 1);

    for (long i = -1; i < n; i++) {
        double t0 = bench_now_us();

        if (!full_call(&map, map_dir, (char **) files->pdata, files->len, flags, &error))
            return bench_fail(error);
        if (i < 0)
            first = bench_now_us() - t0;
        else
            full[i] = bench_now_us() - t0;
    }
    if (!(hosts = load_hosts(map, (char **) files->pdata, files->len, &error)))
        return bench_fail(error);
    for (long i = 0; i < n; i++) {
        g_autoptr(CsCpuDef) def = NULL;
        double t0 = bench_now_us();

        def = cs_cpu_baseline(map, (const CsCpuDef *const *) hosts->pdata, hosts->len,
                              flags, &error);
        core[i] = bench_now_us() - t0;
        if (!def)
            return bench_fail(error);
    }

    for (guint i = 0; i < files->len; i++)
        g_string_append_printf(names, "%s%s", i ? " " : "",
                               (const char *) g_ptr_array_index(files, i));
    printf("bench baseline of %u CPUs%s%s: %s\n", hosts->len,
           (flags & CS_BASELINE_EXPAND) ? " --expand" : "",
           (flags & CS_BASELINE_MIGRATABLE) ? " --migratable" : "", names->str);
    printf("  first_call_us %.1f   (first full call in this process, "
           "incl. loading the CPU map)\n", first);
    bench_stats(full, n, &mean, &median, &min);
    printf("  full_us  mean %.2f  median %.2f  min %.2f  (n=%ld after 1 warm-up; "
           "parse CPU XMLs + cs_cpu_baseline + cs_cpu_def_format_xml)\n",
           mean, median, min, n);
    bench_stats(core, n, &mean, &median, &min);
    printf("  core_us  mean %.2f  median %.2f  min %.2f  (n=%ld; cs_cpu_baseline only, "
           "on parsed CPUs)\n", mean, median, min, n);
    return 0;
}
