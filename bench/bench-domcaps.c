/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel-bench domcaps (--kvm | DUMP) N [--qmp FILE]: domain capabilities of
 * the whole map, from KVM's data (read with its ioctls on every call) or a
 * dump (read into memory once, parsed on every call).
 *
 *   first_call_us   wall time of the first call, incl. loading the map
 *   first_call_cpu_us  CPU time of the process up to the end of that call
 *                   (startup, map, data, domain capabilities, XML)
 *   full_us         N calls: get the data (ioctls, or parse the dump),
 *                   compute the domain capabilities, format the XML
 *   core_us         N calls on data in memory: compute + format
 * Also prints the CPU time per full call (CLOCK_PROCESS_CPUTIME_ID over
 * the N calls / N). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libcpusel/libcpusel.h>
#include "bench-util.h"

int bench_domcaps(const char *map_dir, int argc, char **argv);

static double
cpu_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

typedef struct {
    gboolean kvm;
    const char *path;
    char *text;
    gsize len;
    CsCpuModelList *models;
} DomcapsInput;

static CsCpuidData *
get_data(const DomcapsInput *in, GError **error)
{
    if (in->kvm)
        return cs_cpuid_data_new_from_kvm(error);
    return cs_cpuid_data_parse_xml(in->text, in->len, in->path, error);
}

/* Domain capabilities of @data, formatted; the XML's size in *@out_len. */
static gboolean
compute(const CsCpuMap *map, const CsCpuidData *data, const CsCpuModelList *models,
        gsize *out_len, GError **error)
{
    g_autoptr(CsDomainCaps) caps = NULL;
    g_autofree char *xml = NULL;

    if (!(caps = cs_domain_caps_new(map, data, models, error)))
        return FALSE;
    xml = cs_domain_caps_format_xml(caps);
    *out_len = strlen(xml);
    return TRUE;
}

int
bench_domcaps(const char *map_dir, int argc, char **argv)
{
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autofree double *full = NULL;
    g_autofree double *core = NULL;
    DomcapsInput in = { 0 };
    GError *error = NULL;
    double first = 0, first_cpu = 0, cpu0, cpu_per_call, mean, median, min;
    gsize xml_len = 0;
    char *end = NULL;
    long n;

    if (argc < 3)
        return bench_fail(g_error_new(CS_ERROR, CS_ERROR_INVALID,
                                      "domcaps needs --kvm or DUMP, and N"));
    n = strtol(argv[2], &end, 10);
    if (!*argv[2] || *end || n < 1)
        return bench_fail(g_error_new(CS_ERROR, CS_ERROR_INVALID,
                                      "N must be a positive integer"));
    for (int a = 3; a < argc; a++) {
        if (strcmp(argv[a], "--qmp") == 0 && a + 1 < argc) {
            cs_cpu_model_list_free(in.models);
            if (!(in.models = cs_cpu_model_list_load_qmp(argv[++a], &error)))
                return bench_fail(error);
        } else {
            cs_cpu_model_list_free(in.models);
            return bench_fail(g_error_new(CS_ERROR, CS_ERROR_INVALID,
                                          "unknown domcaps option '%s'", argv[a]));
        }
    }
    in.kvm = strcmp(argv[1], "--kvm") == 0;
    in.path = in.kvm ? "/dev/kvm" : argv[1];
    if (!in.kvm && !g_file_get_contents(in.path, &in.text, &in.len, &error)) {
        cs_cpu_model_list_free(in.models);
        return bench_fail(error);
    }
    full = g_new0(double, n);
    core = g_new0(double, n);

    /* the first call: map, data, domain capabilities, XML */
    {
        double t0 = bench_now_us();
        g_autoptr(CsCpuidData) d = NULL;

        map = map_dir ? cs_cpu_map_load_dir(map_dir, &error) : cs_cpu_map_new_builtin();
        if (!map || !(d = get_data(&in, &error)) ||
            !compute(map, d, in.models, &xml_len, &error))
            goto fail;
        first = bench_now_us() - t0;
        first_cpu = cpu_now_us();
    }
    cpu0 = cpu_now_us();
    for (long i = 0; i < n; i++) {
        double t0 = bench_now_us();
        g_autoptr(CsCpuidData) d = NULL;

        if (!(d = get_data(&in, &error)) || !compute(map, d, in.models, &xml_len, &error))
            goto fail;
        full[i] = bench_now_us() - t0;
    }
    cpu_per_call = (cpu_now_us() - cpu0) / (double) n;
    if (!(data = get_data(&in, &error)))
        goto fail;
    for (long i = 0; i < n; i++) {
        double t0 = bench_now_us();

        if (!compute(map, data, in.models, &xml_len, &error))
            goto fail;
        core[i] = bench_now_us() - t0;
    }

    printf("bench domcaps: %s (%u models, %" G_GSIZE_FORMAT " bytes of XML)\n", in.path,
           cs_cpu_map_get_n_models(map), xml_len);
    printf("  first_call_us %.1f   (first full call in this process, incl. loading the "
           "CPU map)\n", first);
    printf("  first_call_cpu_us %.1f   (CPU time of the process when the first call "
           "ends: startup, map, data, domcaps, XML)\n", first_cpu);
    bench_stats(full, n, &mean, &median, &min);
    printf("  full_us  mean %.2f  median %.2f  min %.2f  (n=%ld after 1 warm-up; %s + "
           "domcaps + format; %.2f us CPU per call)\n", mean, median, min, n,
           in.kvm ? "KVM ioctls" : "parse the dump", cpu_per_call);
    bench_stats(core, n, &mean, &median, &min);
    printf("  core_us  mean %.2f  median %.2f  min %.2f  (n=%ld; domcaps + format, on "
           "data in memory)\n", mean, median, min, n);
    g_free(in.text);
    cs_cpu_model_list_free(in.models);
    return 0;

fail:
    g_free(in.text);
    cs_cpu_model_list_free(in.models);
    return bench_fail(error);
}
