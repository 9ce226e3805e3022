/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel-bench compare HOST GUEST N: the same lines as `lvcpu bench compare`:
 * the first full call (incl. loading the map), then N full calls (parse the
 * host and guest <cpu> XML, already read into memory, + cs_cpu_compare) and
 * N calls of cs_cpu_compare alone on the parsed CPUs. Both CPUs are parsed
 * as lvcpu does (type auto: a <cpu> with <arch> is a host CPU). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libcpusel/libcpusel.h>
#include "bench-util.h"

int bench_compare(const char *map_dir, int argc, char **argv);

typedef struct {
    const char *path;
    char *text;
    gsize len;
} BenchInput;

/* One full call: parse both CPUs and compare them. The map is loaded first
 * when *@map is NULL (the first call of the process). */
static gboolean
full_call(CsCpuMap **map, const char *map_dir, const BenchInput *host_in,
          const BenchInput *guest_in, CsCompareResult *out_result, GError **error)
{
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    g_autoptr(CsCompareReport) report = NULL;

    if (!*map) {
        *map = map_dir ? cs_cpu_map_load_dir(map_dir, error) : cs_cpu_map_new_builtin();
        if (!*map)
            return FALSE;
    }
    if (!(host = cs_cpu_def_parse_xml(host_in->text, host_in->len, host_in->path,
                                      CS_PARSE_AUTO, error)) ||
        !(guest = cs_cpu_def_parse_xml(guest_in->text, guest_in->len, guest_in->path,
                                       CS_PARSE_AUTO, error)) ||
        !cs_cpu_compare(*map, host, guest, CS_COMPARE_DEFAULT, &report, error))
        return FALSE;
    *out_result = cs_compare_report_get_result(report);
    return TRUE;
}

int
bench_compare(const char *map_dir, int argc, char **argv)
{
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    g_autofree double *full = NULL;
    g_autofree double *core = NULL;
    g_autofree char *word = NULL;
    BenchInput in[2] = { { 0 } };
    CsCompareResult result = CS_COMPARE_INCOMPATIBLE;
    GError *error = NULL;
    double first = 0, mean, median, min;
    char *end = NULL;
    long n;
    int rc = 0;

    if (argc != 4) {
        g_printerr("cpusel-bench: compare needs HOST, GUEST and N\n");
        return 2;
    }
    n = strtol(argv[3], &end, 10);
    if (!*argv[3] || *end || n < 0) {
        g_printerr("cpusel-bench: N must be a non-negative integer\n");
        return 2;
    }
    for (int i = 0; i < 2; i++) {
        in[i].path = argv[1 + i];
        if (!g_file_get_contents(in[i].path, &in[i].text, &in[i].len, &error)) {
            g_free(in[0].text);
            return bench_fail(error);
        }
    }
    full = g_new0(double, n + 1);
    core = g_new0(double, n + 1);

    for (long i = -1; i < n && rc == 0; i++) {
        double t0 = bench_now_us();

        if (!full_call(&map, map_dir, &in[0], &in[1], &result, &error)) {
            rc = bench_fail(error);
            break;
        }
        if (i < 0)
            first = bench_now_us() - t0;
        else
            full[i] = bench_now_us() - t0;
    }
    if (rc == 0 &&
        (!(host = cs_cpu_def_parse_xml(in[0].text, in[0].len, in[0].path,
                                       CS_PARSE_AUTO, &error)) ||
         !(guest = cs_cpu_def_parse_xml(in[1].text, in[1].len, in[1].path,
                                        CS_PARSE_AUTO, &error))))
        rc = bench_fail(error);
    for (long i = 0; i < n && rc == 0; i++) {
        g_autoptr(CsCompareReport) report = NULL;
        double t0 = bench_now_us();
        gboolean ok = cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report,
                                     &error);

        core[i] = bench_now_us() - t0;
        if (!ok)
            rc = bench_fail(error);
    }
    g_free(in[0].text);
    g_free(in[1].text);
    if (rc != 0)
        return rc;

    word = g_ascii_strup(cs_compare_result_to_string(result), -1);
    printf("bench compare (result %s): %s %s\n", word, argv[1], argv[2]);
    printf("  first_call_us %.1f   (first full call in this process, "
           "incl. loading the CPU map)\n", first);
    bench_stats(full, n, &mean, &median, &min);
    printf("  full_us  mean %.2f  median %.2f  min %.2f  (n=%ld after 1 warm-up; "
           "parse host+guest XML + cs_cpu_compare)\n", mean, median, min, n);
    bench_stats(core, n, &mean, &median, &min);
    printf("  core_us  mean %.2f  median %.2f  min %.2f  (n=%ld; cs_cpu_compare only, "
           "on parsed CPUs)\n", mean, median, min, n);
    return 0;
}
