/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One verdict: a model is usable on a host (models --host/--data, the
 * blockers of cs_cpu_model_blockers) exactly when an exact guest of that
 * model is not INCOMPATIBLE on that host, and then the blockers are the
 * missing features compare names; the model decode picks for a host is
 * usable. Checked under every map at hand (the built-in one, libvirt 9.0's
 * /usr/share/libvirt/cpu_map, libvirt 12.8's in $CS_LIBVIRT12_CPU_MAP or the
 * oracle's chroot), on our fixture dumps, on every reference dump
 * ($CS_REFERENCE_DIR, default ../shared/reference; that part is skipped when
 * absent) and on random mutations of them (feature bits, VMX and
 * IA32_ARCH_CAPABILITIES MSRs included, fixed seed). */
#include <string.h>
#include <libcpusel/libcpusel.h>

#define MUTATIONS 4

typedef struct {
    guint dumps;
    guint models_checked;
    guint usable;
} Counts;

/* Parsed exact guests, one per model of @map. */
static GPtrArray *
exact_guests(const CsCpuMap *map)
{
    GPtrArray *guests = g_ptr_array_new_with_free_func((GDestroyNotify) cs_cpu_def_free);

    for (guint i = 0; i < cs_cpu_map_get_n_models(map); i++) {
        g_autofree char *xml = g_strdup_printf("<cpu mode='custom' match='exact'>"
                                               "<model>%s</model></cpu>",
                                               cs_cpu_map_model_name(map, i));
        g_autoptr(GError) error = NULL;
        CsCpuDef *g = cs_cpu_def_parse_xml(xml, strlen(xml), "guest", CS_PARSE_AUTO,
                                           &error);

        g_assert_no_error(error);
        g_ptr_array_add(guests, g);
    }
    return guests;
}

static gboolean
strv_equal(const char *const *a, const char *const *b)
{
    for (; *a && *b; a++, b++) {
        if (strcmp(*a, *b) != 0)
            return FALSE;
    }
    return !*a && !*b;
}

static void
check_data(const CsCpuMap *map, GPtrArray *guests, const CsCpuidData *data,
           const char *what, Counts *counts)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) host = cs_cpu_decode(map, data, CS_DECODE_HOST, &error);
    int chosen;

    if (!host)
        return;     /* no model fits: nothing to compare against */
    counts->dumps++;
    chosen = cs_cpu_map_lookup_model(map, cs_cpu_def_get_model(host));
    g_assert_cmpint(chosen, >=, 0);
    for (guint i = 0; i < cs_cpu_map_get_n_models(map); i++) {
        g_auto(GStrv) blockers = cs_cpu_model_blockers(map, data, i);
        g_autoptr(CsCompareReport) r = NULL;
        gboolean usable = blockers[0] == NULL;
        CsCompareResult res;

        g_assert_true(cs_cpu_compare(map, host, g_ptr_array_index(guests, i),
                                     CS_COMPARE_DEFAULT, &r, &error));
        g_assert_no_error(error);
        res = cs_compare_report_get_result(r);
        if (usable != (res != CS_COMPARE_INCOMPATIBLE) ||
            (!usable && (cs_compare_report_get_reason(r) != CS_REASON_MISSING ||
                         !strv_equal(cs_compare_report_get_features(r),
                                     (const char *const *) blockers)))) {
            g_autofree char *b = g_strjoinv(" ", blockers);

            g_test_message("%s (%s): model %s: blockers [%s], compare: %s",
                           what, cs_cpu_map_get_source(map), cs_cpu_map_model_name(map, i),
                           b, cs_compare_report_get_message(r));
            g_test_fail();
        }
        if ((int) i == chosen && !usable) {
            g_test_message("%s (%s): decode chose %s, which is not usable", what,
                           cs_cpu_map_get_source(map), cs_cpu_map_model_name(map, i));
            g_test_fail();
        }
        counts->models_checked++;
        counts->usable += usable;
    }
}

/* @data with random map features switched on or off; sometimes a whole
 * group of MSR features (VMX capabilities, IA32_ARCH_CAPABILITIES). */
static CsCpuidData *
mutate(const CsCpuMap *map, const CsCpuidData *data, GRand *rand)
{
    CsCpuidData *out = cs_cpuid_data_copy(data);
    guint nf = cs_cpu_map_get_n_features(map);
    guint flips = g_rand_int_range(rand, 1, 12);

    for (guint k = 0; k < flips; k++) {
        g_autoptr(CsCpuidData) f = cs_cpu_map_feature_data(map, g_rand_int_range(rand, 0, nf));

        if (g_rand_boolean(rand))
            cs_cpuid_data_union(out, f);
        else
            cs_cpuid_data_subtract(out, f);
    }
    if (g_rand_int_range(rand, 0, 4) == 0) {
        for (guint i = 0; i < nf; i++) {
            g_autoptr(CsCpuidData) f = cs_cpu_map_feature_data(map, i);
            gsize nm = 0;
            const CsMsr *m = cs_cpuid_data_get_msrs(f, &nm);

            if (nm && g_rand_int_range(rand, 0, 10) < 9)
                cs_cpuid_data_union(out, f);
            (void) m;
        }
    }
    return out;
}

static void
check_dir(const CsCpuMap *map, GPtrArray *guests, const char *dir, const char *prefix,
          GRand *rand, Counts *counts)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (!d)
        return;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autoptr(CsCpuidData) data = NULL;
        g_autoptr(GError) error = NULL;

        if (!g_str_has_suffix(name, ".xml") || (prefix && !strstr(name, prefix)))
            continue;
        path = g_build_filename(dir, name, NULL);
        if (!(data = cs_cpuid_data_load_file(path, &error)))
            continue;   /* not a raw dump */
        check_data(map, guests, data, name, counts);
        for (guint m = 0; m < MUTATIONS; m++) {
            g_autoptr(CsCpuidData) v = mutate(map, data, rand);
            g_autofree char *what = g_strdup_printf("%s mutation %u", name, m);

            check_data(map, guests, v, what, counts);
        }
    }
}

static void
test_map(gconstpointer user_data)
{
    const char *map_dir = user_data;
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) guests = NULL;
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261129);
    const char *src = g_getenv("G_TEST_SRCDIR");
    const char *ref_env = g_getenv("CS_REFERENCE_DIR");
    g_autofree char *fixtures = g_build_filename(src ? src : ".", "data", "cpuid", NULL);
    g_autofree char *ref = ref_env ? g_strdup(ref_env) :
        g_build_filename(src ? src : ".", "..", "..", "shared", "reference", NULL);
    g_autofree char *dumps = g_build_filename(ref, "libvirt-cputestdata", NULL);
    Counts counts = { 0 };

    if (strcmp(map_dir, "builtin") == 0) {
        map = cs_cpu_map_new_builtin();
    } else if (!g_file_test(map_dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip_printf("no cpu_map at %s", map_dir);
        return;
    } else {
        map = cs_cpu_map_load_dir(map_dir, &error);
        g_assert_no_error(error);
    }
    guests = exact_guests(map);
    check_dir(map, guests, fixtures, NULL, rand, &counts);
    if (g_file_test(dumps, G_FILE_TEST_IS_DIR))
        check_dir(map, guests, dumps, "-cpuid-", rand, &counts);
    else
        g_test_message("no reference dumps in %s (set CS_REFERENCE_DIR): fixtures only",
                       dumps);
    g_test_message("%s: %u host CPUs, %u model verdicts, %u usable",
                   cs_cpu_map_get_source(map), counts.dumps, counts.models_checked,
                   counts.usable);
    g_assert_cmpuint(counts.dumps, >, 0);
}

static void
quiet(const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
}

int
main(int argc, char **argv)
{
    const char *lv12 = g_getenv("CS_LIBVIRT12_CPU_MAP");

    g_test_init(&argc, &argv, NULL);
    g_log_set_handler("libcpusel", G_LOG_LEVEL_DEBUG, quiet, NULL);
    g_test_add_data_func("/usability/builtin", "builtin", test_map);
    g_test_add_data_func("/usability/libvirt-9.0", "/usr/share/libvirt/cpu_map", test_map);
    g_test_add_data_func("/usability/libvirt-12.8",
                         lv12 ? lv12 : "/tmp/sidroot/usr/share/libvirt/cpu_map", test_map);
    return g_test_run();
}
