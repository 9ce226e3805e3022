/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel-bench: times libcpusel operations, printing the same lines as the
 * oracle's `lvcpu bench` so both can be compared side by side.
 *
 *   cpusel-bench [--cpu-map DIR] decode DUMP N [--guest] [--models M,...]
 *   cpusel-bench [--cpu-map DIR] baseline FILE... N [--expand] [--migratable]
 *   cpusel-bench [--cpu-map DIR] compare HOST GUEST N
 *   cpusel-bench [--cpu-map DIR] domcaps (--kvm | DUMP) N [--qmp FILE]
 *
 * Each mode is one row of the table at the end of this file; a new mode
 * (compare, baseline) adds its function and its row there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libcpusel/libcpusel.h>
#include "bench-util.h"

enum { BENCH_EXIT_OK = 0, BENCH_EXIT_FAIL = 1, BENCH_EXIT_USAGE = 2 };

/* What every mode gets besides its own arguments. */
typedef struct {
    const char *map_dir;    /* NULL: the built-in map */
} BenchCommon;

typedef int (*BenchModeFunc)(const BenchCommon *common, int argc, char **argv);

typedef struct {
    const char *name;
    const char *usage;
    BenchModeFunc run;
} BenchMode;

/* Timing samples of one kind of call, in microseconds. */
typedef struct {
    double *t;
    long n;
} BenchSamples;

typedef struct {
    double first_us;
    BenchSamples full;
    BenchSamples core;
} BenchResult;

static void
samples_stats(BenchSamples *s, double *mean, double *median, double *min)
{
    bench_stats(s->t, s->n, mean, median, min);
}

static void
result_init(BenchResult *r, long n)
{
    memset(r, 0, sizeof(*r));
    r->full.t = g_new0(double, n ? n : 1);
    r->core.t = g_new0(double, n ? n : 1);
}

/* Prints @r in lvcpu's format and frees its samples. */
static void
result_print(BenchResult *r, const char *what, const char *inputs,
             const char *full_desc, const char *core_desc, long n)
{
    double mean, median, min;

    printf("bench %s: %s\n", what, inputs);
    printf("  first_call_us %.1f   (first full call in this process, "
           "incl. loading the CPU map)\n", r->first_us);
    samples_stats(&r->full, &mean, &median, &min);
    printf("  full_us  mean %.2f  median %.2f  min %.2f  "
           "(n=%ld after 1 warm-up; %s)\n", mean, median, min, n, full_desc);
    samples_stats(&r->core, &mean, &median, &min);
    printf("  core_us  mean %.2f  median %.2f  min %.2f  (n=%ld; %s)\n",
           mean, median, min, n, core_desc);
    g_free(r->full.t);
    g_free(r->core.t);
}

static int
bench_usage(const char *message)
{
    g_printerr("cpusel-bench: %s\n", message);
    return BENCH_EXIT_USAGE;
}

static gboolean
parse_count(const char *text, long *out_n)
{
    char *end = NULL;
    long n = strtol(text, &end, 10);

    if (!*text || *end || n < 0)
        return FALSE;
    *out_n = n;
    return TRUE;
}

static CsCpuMap *
load_map(const BenchCommon *common, GError **error)
{
    if (common->map_dir)
        return cs_cpu_map_load_dir(common->map_dir, error);
    return cs_cpu_map_new_builtin();
}

/* One full decode: parse @text, decode, format. The map is loaded first
 * when *@map is NULL (the first call of the process). */
static gboolean
decode_full(const BenchCommon *common, CsCpuMap **map, const char *text,
            gsize len, const char *source, const CsDecodeOptions *opts,
            GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autofree char *xml = NULL;

    if (!*map && !(*map = load_map(common, error)))
        return FALSE;
    if (!(data = cs_cpuid_data_parse_xml(text, len, source, error)))
        return FALSE;
    if (!(def = cs_cpu_decode_with(*map, data, opts, error)))
        return FALSE;
    xml = cs_cpu_def_format_xml(def, 0);
    return xml != NULL;
}

static int
bench_decode(const BenchCommon *common, int argc, char **argv)
{
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) allowed = NULL;
    g_autoptr(CsDecodeOptions) opts = NULL;
    GError *error = NULL;
    CsDecodeFlags flags = CS_DECODE_HOST;
    gboolean guest = FALSE;
    BenchResult r;
    gsize len = 0;
    long n = 0;
    long i;
    int a;

    if (argc < 3)
        return bench_usage("decode needs DUMP and N");
    if (!parse_count(argv[2], &n))
        return bench_usage("N must be a non-negative integer");
    for (a = 3; a < argc; a++) {
        if (strcmp(argv[a], "--guest") == 0) {
            guest = TRUE;
        } else if (strcmp(argv[a], "--models") == 0 && a + 1 < argc) {
            g_strfreev(allowed);
            allowed = g_strsplit(argv[++a], ",", -1);
        } else {
            g_printerr("cpusel-bench: unknown decode option '%s'\n", argv[a]);
            return BENCH_EXIT_USAGE;
        }
    }
    if (guest)
        flags = CS_DECODE_GUEST;
    if (!g_file_get_contents(argv[1], &text, &len, &error))
        return bench_fail(error);
    opts = cs_decode_options_new(flags);
    cs_decode_options_set_allowed(opts, (const char *const *) allowed);
    cs_decode_options_set_fallback(opts, CS_CPU_FALLBACK_ALLOW);

    result_init(&r, n);
    /* Full operation: parse dump + decode + format; i = -1 is the first
     * call, which also loads the map. */
    for (i = -1; i < n; i++) {
        double t0 = bench_now_us();
        double t;

        if (!decode_full(common, &map, text, len, argv[1], opts, &error)) {
            g_free(r.full.t);
            g_free(r.core.t);
            return bench_fail(error);
        }
        t = bench_now_us() - t0;
        if (i < 0)
            r.first_us = t;
        else
            r.full.t[r.full.n++] = t;
    }

    /* Core: decode only, on parsed data. */
    if (!(data = cs_cpuid_data_parse_xml(text, len, argv[1], &error))) {
        g_free(r.full.t);
        g_free(r.core.t);
        return bench_fail(error);
    }
    for (i = 0; i < n; i++) {
        g_autoptr(CsCpuDef) def = NULL;
        double t0 = bench_now_us();

        def = cs_cpu_decode_with(map, data, opts, &error);
        r.core.t[r.core.n++] = bench_now_us() - t0;
        if (!def) {
            g_free(r.full.t);
            g_free(r.core.t);
            return bench_fail(error);
        }
    }

    result_print(&r, guest ? "decode --guest" : "decode", argv[1],
                 "parse + decode + format", "decode only, on parsed data", n);
    return BENCH_EXIT_OK;
}

/* bench-baseline.c */
int bench_baseline(const char *map_dir, int argc, char **argv);

static int
bench_baseline_mode(const BenchCommon *common, int argc, char **argv)
{
    return bench_baseline(common->map_dir, argc, argv);
}

/* bench-compare.c */
int bench_compare(const char *map_dir, int argc, char **argv);

static int
bench_compare_mode(const BenchCommon *common, int argc, char **argv)
{
    return bench_compare(common->map_dir, argc, argv);
}

/* bench-domcaps.c */
int bench_domcaps(const char *map_dir, int argc, char **argv);

static int
bench_domcaps_mode(const BenchCommon *common, int argc, char **argv)
{
    return bench_domcaps(common->map_dir, argc, argv);
}

/* The modes: add a row (and its function above) for a new one. */
static const BenchMode bench_modes[] = {
    { "decode", "decode DUMP N [--guest] [--models M,...]", bench_decode },
    { "baseline", "baseline FILE... N [--expand] [--migratable]", bench_baseline_mode },
    { "compare", "compare HOST GUEST N", bench_compare_mode },
    { "domcaps", "domcaps (--kvm | DUMP) N [--qmp FILE]", bench_domcaps_mode },
};

static int
print_usage(FILE *out)
{
    gsize i;

    fprintf(out, "usage: cpusel-bench [--cpu-map DIR] MODE ARGS...\n");
    for (i = 0; i < G_N_ELEMENTS(bench_modes); i++)
        fprintf(out, "  cpusel-bench [--cpu-map DIR] %s\n", bench_modes[i].usage);
    return out == stdout ? BENCH_EXIT_OK : BENCH_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    BenchCommon common = { 0 };
    int a = 1;
    gsize i;

    while (a < argc && g_str_has_prefix(argv[a], "-")) {
        if (strcmp(argv[a], "--cpu-map") == 0 && a + 1 < argc) {
            common.map_dir = argv[a + 1];
            a += 2;
        } else if (g_str_has_prefix(argv[a], "--cpu-map=")) {
            common.map_dir = argv[a] + strlen("--cpu-map=");
            a++;
        } else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            return print_usage(stdout);
        } else {
            g_printerr("cpusel-bench: unknown option '%s'\n", argv[a]);
            return print_usage(stderr);
        }
    }
    if (a >= argc)
        return print_usage(stderr);
    for (i = 0; i < G_N_ELEMENTS(bench_modes); i++) {
        if (strcmp(argv[a], bench_modes[i].name) == 0)
            return bench_modes[i].run(&common, argc - a, argv + a);
    }
    g_printerr("cpusel-bench: unknown mode '%s'\n", argv[a]);
    return print_usage(stderr);
}
