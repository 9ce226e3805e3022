/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest CPU data (cs_cpu_guest_data) checked against its definition on
 * random pairs.
 *
 * Hosts: the reference dumps (CS_REFERENCE_DIR, default
 * <source root>/../shared/reference: the -cpuid- dumps of libvirt-cputestdata/)
 * decoded as host CPUs with libvirt's map (/usr/share/libvirt/cpu_map, else
 * the built-in map); without them the fixtures of tests/data/cpuid/ and
 * tests/data/cpuid-r/ with the built-in map. Guests: random model, match,
 * fallback, vendor and features with random policies (fixed seeds, one
 * table row per seed). For every pair:
 *
 *  1. an incompatible pair (cs_cpu_compare) is refused with
 *     CS_ERROR_INCOMPATIBLE and the comparison's reason;
 *  2. otherwise the guest CPU compares IDENTICAL or SUPERSET with the host
 *     plus the forced features (a hypervisor provides those even where the
 *     host lacks them);
 *  3. every forced feature is on, every disabled or forbidden one off;
 *  4. for match='exact' the data has no bit the guest did not mention
 *     (model, features of any policy but forbid);
 *  5. the raw data equals encode(result): (required | forced) & ~disabled,
 *     and the vendor leaf exactly when the guest names a vendor;
 *  6. with --models, the result's model is one of them.
 */
#include <string.h>
#include <libcpusel/libcpusel.h>
#include "core/cpu-vec-private.h"

#define LIBVIRT_MAP_DIR "/usr/share/libvirt/cpu_map"
#define PAIRS_PER_SEED 300

typedef struct {
    CsCpuMap *map;
    GPtrArray *hosts;       /* CsCpuDef */
    GPtrArray *names;       /* char *, the hosts' files */
    const char *origin;
} Fixture;

static Fixture fx;

static const char *
reference_dir(void)
{
    const char *dir = g_getenv("CS_REFERENCE_DIR");

    return dir ? dir : CS_SOURCE_ROOT "/../shared/reference";
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void
add_hosts_from(const char *dir, gboolean only_cpuid_dumps)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (!d)
        return;
    while ((name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".xml") ||
            (only_cpuid_dumps && !strstr(name, "-cpuid-")))
            continue;
        g_ptr_array_add(files, g_strdup(name));
    }
    g_ptr_array_sort(files, compare_names);
    for (guint i = 0; i < files->len; i++) {
        g_autofree char *path = g_build_filename(dir, files->pdata[i], NULL);
        g_autoptr(CsCpuidData) data = cs_cpuid_data_load_file(path, NULL);
        CsCpuDef *host = NULL;

        /* files that are not raw dumps, or that no model fits, are skipped */
        if (!data || !(host = cs_cpu_decode(fx.map, data, CS_DECODE_HOST, NULL)))
            continue;
        cs_cpu_def_set_arch(host, "x86_64");
        g_ptr_array_add(fx.hosts, host);
        g_ptr_array_add(fx.names, g_strdup(files->pdata[i]));
    }
}

static void
fixture_load(void)
{
    g_autofree char *ref = g_build_filename(reference_dir(), "libvirt-cputestdata", NULL);

    fx.hosts = g_ptr_array_new_with_free_func((GDestroyNotify) cs_cpu_def_free);
    fx.names = g_ptr_array_new_with_free_func(g_free);
    if (g_file_test(ref, G_FILE_TEST_IS_DIR)) {
        fx.map = cs_cpu_map_load_dir(LIBVIRT_MAP_DIR, NULL);
        fx.origin = fx.map ? "reference dumps, libvirt's map" :
                             "reference dumps, built-in map";
        if (!fx.map)
            fx.map = cs_cpu_map_new_builtin();
        add_hosts_from(ref, TRUE);
    }
    if (fx.hosts->len == 0) {
        g_autofree char *cpuid = g_build_filename(CS_SOURCE_ROOT, "tests", "data", "cpuid",
                                                  NULL);
        g_autofree char *cpuid_r = g_build_filename(CS_SOURCE_ROOT, "tests", "data",
                                                    "cpuid-r", NULL);

        g_clear_pointer(&fx.map, cs_cpu_map_unref);
        fx.map = cs_cpu_map_new_builtin();
        fx.origin = "test fixtures, built-in map";
        add_hosts_from(cpuid, FALSE);
        add_hosts_from(cpuid_r, FALSE);
    }
}

/* ---- random guests --------------------------------------------------------- */

static const CsFeaturePolicy policies[] = {
    CS_FEATURE_FORCE, CS_FEATURE_REQUIRE, CS_FEATURE_OPTIONAL, CS_FEATURE_DISABLE,
    CS_FEATURE_FORBID,
};

/* A guest CPU most of whose features come from @host (so that many pairs
 * are compatible), some from anywhere in the map. */
static CsCpuDef *
random_guest(GRand *r, const CsCpuDef *host, const CsWord *host_vec)
{
    const CsCpuMap *map = fx.map;
    CsCpuDef *g = cs_cpu_def_new(CS_CPU_TYPE_GUEST);
    guint n_features = g_rand_int_range(r, 0, 9);
    static const CsCpuMatch matches[] = {
        CS_CPU_MATCH_EXACT, CS_CPU_MATCH_EXACT, CS_CPU_MATCH_MINIMUM, CS_CPU_MATCH_STRICT,
    };
    const char *model;

    /* the host's model half of the time, else any model */
    if (g_rand_boolean(r))
        model = cs_cpu_def_get_model(host);
    else
        model = map->t.models[g_rand_int_range(r, 0, map->t.n_models)].name;
    cs_cpu_def_set_model(g, model);
    cs_cpu_def_set_match(g, matches[g_rand_int_range(r, 0, G_N_ELEMENTS(matches))]);
    cs_cpu_def_set_fallback(g, g_rand_boolean(r) ? CS_CPU_FALLBACK_ALLOW :
                                                   CS_CPU_FALLBACK_FORBID);
    if (g_rand_int_range(r, 0, 4) == 0 && cs_cpu_def_get_vendor(host))
        cs_cpu_def_set_vendor(g, cs_cpu_def_get_vendor(host));
    for (guint i = 0; i < n_features; i++) {
        guint f = g_rand_int_range(r, 0, map->t.n_features);
        CsFeaturePolicy p = policies[g_rand_int_range(r, 0, G_N_ELEMENTS(policies))];

        /* forbidding a feature the host has is always incompatible: keep
         * that to one pair in four */
        if (p == CS_FEATURE_FORBID && cs_vec_has_feature(host_vec, &map->t.features[f]) &&
            g_rand_int_range(r, 0, 4) != 0)
            p = CS_FEATURE_DISABLE;
        /* required features mostly from the host */
        if (p == CS_FEATURE_REQUIRE && !cs_vec_has_feature(host_vec, &map->t.features[f]) &&
            g_rand_int_range(r, 0, 4) != 0)
            p = CS_FEATURE_OPTIONAL;
        if (cs_cpu_def_find_feature(g, map->t.features[f].name) < 0)
            cs_cpu_def_add_feature(g, map->t.features[f].name, p);
    }
    return g;
}

/* A few random models, plus the guest's own model half of the time. */
static GStrv
random_models(GRand *r, const char *guest_model)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    guint n = g_rand_int_range(r, 2, 7);

    for (guint i = 0; i < n; i++)
        g_strv_builder_add(b, fx.map->t.models[g_rand_int_range(r, 0,
                                                                fx.map->t.n_models)].name);
    if (g_rand_boolean(r))
        g_strv_builder_add(b, guest_model);
    return g_strv_builder_end(b);
}

/* ---- checks ---------------------------------------------------------------- */

typedef struct {
    guint pairs;
    guint incompatible;
    guint compatible;
    guint identical;
    guint superset;
    guint restricted;
    guint no_allowed_model;   /* --models left nothing to decode to */
    GString *failures;
    guint n_failures;
} Stats;

G_GNUC_PRINTF(4, 5) static void
failure(Stats *st, const char *host_name, const CsCpuDef *guest, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_autofree char *xml = NULL;
    va_list ap;

    st->n_failures++;
    if (st->n_failures > 10)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xml = cs_cpu_def_format_xml(guest, 2);
    g_string_append_printf(st->failures, "host %s: %s\n%s\n", host_name, msg, xml);
}

static CsWord *
vec_of(const CsCpuDef *def, int policy)
{
    g_autoptr(GError) error = NULL;
    CsWord *v = cs_cpu_def_to_vec(fx.map, def, policy, &error);

    g_assert_no_error(error);
    return v;
}

static gboolean
vec_equal(const CsWord *a, const CsWord *b)
{
    return memcmp(a, b, sizeof(CsWord) * fx.map->t.n_words) == 0;
}

static void
check_pair(Stats *st, const char *host_name, const CsCpuDef *host, const CsCpuDef *guest,
           const char *const *allowed)
{
    const CsCpuMap *map = fx.map;
    g_autoptr(CsCompareReport) report = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree CsWord *data_vec = cs_vec_new(map);
    g_autofree CsWord *forced = vec_of(guest, CS_FEATURE_FORCE);
    g_autoptr(CsGuestOptions) opts = cs_guest_options_new(CS_GUEST_DEFAULT);
    gboolean ok;

    st->pairs++;
    g_assert_true(cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report, &error));
    cs_guest_options_set_allowed(opts, allowed);
    ok = cs_cpu_guest_data_with(map, host, guest, opts, &def, &data, &error);

    /* 1. incompatible pairs are refused with the reason */
    if (cs_compare_report_get_result(report) == CS_COMPARE_INCOMPATIBLE) {
        st->incompatible++;
        if (ok)
            failure(st, host_name, guest, "incompatible (%s) but guest data computed",
                    cs_compare_report_get_message(report));
        else if (!g_error_matches(error, CS_ERROR, CS_ERROR_INCOMPATIBLE) ||
                 !strstr(error->message, cs_compare_report_get_message(report)))
            failure(st, host_name, guest, "refused with '%s', expected the reason '%s'",
                    error->message, cs_compare_report_get_message(report));
        return;
    }
    st->compatible++;
    if (!ok) {
        /* only a --models list may leave nothing to decode to */
        if (allowed && !g_error_matches(error, CS_ERROR, CS_ERROR_INCOMPATIBLE)) {
            st->no_allowed_model++;
            return;
        }
        failure(st, host_name, guest, "compatible but guest data failed: %s",
                error->message);
        return;
    }
    cs_cpu_map_project(map, data, data_vec);

    /* 2. the result runs on the host (plus what the hypervisor forces) */
    {
        g_autoptr(CsCpuDef) host_forced = cs_cpu_def_copy(host);
        g_autoptr(CsCompareReport) r2 = NULL;

        for (guint i = 0; i < cs_cpu_def_get_n_features(guest); i++) {
            CsFeaturePolicy p;
            const char *name = cs_cpu_def_get_feature(guest, i, &p);

            if (p == CS_FEATURE_FORCE)
                cs_cpu_def_add_feature(host_forced, name, CS_FEATURE_POLICY_NONE);
        }
        g_assert_true(cs_cpu_compare(map, host_forced, def, CS_COMPARE_DEFAULT, &r2,
                                     &error));
        switch (cs_compare_report_get_result(r2)) {
        case CS_COMPARE_IDENTICAL:
            st->identical++;
            break;
        case CS_COMPARE_SUPERSET:
            st->superset++;
            break;
        default:
            failure(st, host_name, guest, "the guest CPU %s does not run on the host: %s",
                    cs_cpu_def_get_model(def), cs_compare_report_get_message(r2));
        }
    }

    /* 3. forced features on, disabled and forbidden ones off */
    for (guint i = 0; i < cs_cpu_def_get_n_features(guest); i++) {
        CsFeaturePolicy p;
        const char *name = cs_cpu_def_get_feature(guest, i, &p);
        const CsMapFeature *f = &map->t.features[cs_cpu_map_lookup_feature(map, name)];

        if (p == CS_FEATURE_FORCE && !cs_vec_has_feature(data_vec, f))
            failure(st, host_name, guest, "forced feature '%s' is off", name);
        if ((p == CS_FEATURE_DISABLE || p == CS_FEATURE_FORBID) && f->n_parts > 0) {
            /* a forced feature sharing its bits may bring a forbidden one
             * back (disabled ones are removed last) */
            g_autofree CsWord *one = cs_vec_new(map);
            gboolean shared = FALSE;

            cs_vec_add_feature(one, f);
            for (guint w = 0; w < map->t.n_words; w++)
                shared |= (one[w] & forced[w]) != 0;
            if (cs_vec_has_feature(data_vec, f) && (p == CS_FEATURE_DISABLE || !shared))
                failure(st, host_name, guest, "%s feature '%s' is on",
                        cs_feature_policy_to_string(p), name);
        }
    }

    /* 4. match='exact': nothing the guest did not mention */
    if (cs_cpu_def_get_match(guest) == CS_CPU_MATCH_EXACT) {
        g_autofree CsWord *mentioned = vec_of(guest, CS_FEATURE_REQUIRE);
        static const CsFeaturePolicy others[] = {
            CS_FEATURE_FORCE, CS_FEATURE_OPTIONAL, CS_FEATURE_DISABLE,
        };

        for (guint k = 0; k < G_N_ELEMENTS(others); k++) {
            g_autofree CsWord *v = vec_of(guest, others[k]);

            for (guint w = 0; w < map->t.n_words; w++)
                mentioned[w] |= v[w];
        }
        for (guint w = 0; w < map->t.n_words; w++) {
            if (data_vec[w] & ~mentioned[w]) {
                failure(st, host_name, guest, "exact guest got unmentioned bits "
                        "0x%08x in word %u", data_vec[w] & ~mentioned[w], w);
                break;
            }
        }
    }

    /* 5. the raw data is what the result encodes to */
    {
        CsCpuidData *sets[CS_ENCODE_LAST] = { NULL };
        g_autofree CsWord *enc = cs_vec_new(map);
        g_autofree CsWord *v = cs_vec_new(map);
        gboolean vendor_leaf = cs_cpuid_data_get_leaf(data, 0, 0) != NULL;

        g_assert_true(cs_cpu_encode(map, def, sets, &error));
        cs_cpu_map_project(map, sets[CS_ENCODE_REQUIRED], enc);
        cs_cpu_map_project(map, sets[CS_ENCODE_FORCED], v);
        for (guint w = 0; w < map->t.n_words; w++)
            enc[w] |= v[w];
        memset(v, 0, sizeof(CsWord) * map->t.n_words);
        cs_cpu_map_project(map, sets[CS_ENCODE_DISABLED], v);
        for (guint w = 0; w < map->t.n_words; w++)
            enc[w] &= ~v[w];
        if (!vec_equal(enc, data_vec))
            failure(st, host_name, guest, "encode(%s) differs from the guest data",
                    cs_cpu_def_get_model(def));
        if (vendor_leaf != (cs_cpu_def_get_vendor(guest) != NULL) ||
            vendor_leaf != !cs_cpuid_data_is_empty(sets[CS_ENCODE_VENDOR]))
            failure(st, host_name, guest, "vendor leaf %s in the data, the guest %s one",
                    vendor_leaf ? "present" : "absent",
                    cs_cpu_def_get_vendor(guest) ? "names" : "names no");
        for (guint s = 0; s < CS_ENCODE_LAST; s++)
            cs_cpuid_data_free(sets[s]);
    }

    /* 6. --models keeps the model in the list */
    if (allowed) {
        st->restricted++;
        if (!g_strv_contains(allowed, cs_cpu_def_get_model(def)))
            failure(st, host_name, guest, "model %s is not among the allowed models",
                    cs_cpu_def_get_model(def));
    }
}

static void
test_random_pairs(gconstpointer data)
{
    guint32 seed = GPOINTER_TO_UINT(data);
    g_autoptr(GRand) r = g_rand_new_with_seed(seed);
    Stats st = { .failures = g_string_new(NULL) };

    if (fx.hosts->len == 0) {
        g_test_skip("no host CPUs could be decoded");
        g_string_free(st.failures, TRUE);
        return;
    }
    for (guint i = 0; i < PAIRS_PER_SEED; i++) {
        guint h = g_rand_int_range(r, 0, fx.hosts->len);
        const CsCpuDef *host = fx.hosts->pdata[h];
        g_autofree CsWord *host_vec = vec_of(host, CS_VEC_ALL);
        g_autoptr(CsCpuDef) guest = random_guest(r, host, host_vec);
        g_auto(GStrv) allowed = NULL;

        if (g_rand_int_range(r, 0, 3) == 0)
            allowed = random_models(r, cs_cpu_def_get_model(guest));
        check_pair(&st, fx.names->pdata[h], host, guest, (const char *const *) allowed);
    }
    g_test_message("seed %u (%s, %u hosts): %u pairs, %u incompatible, %u compatible "
                   "(%u identical, %u superset), %u with --models (%u without an allowed "
                   "model that fits), %u failures", seed, fx.origin, fx.hosts->len,
                   st.pairs, st.incompatible, st.compatible, st.identical, st.superset,
                   st.restricted, st.no_allowed_model, st.n_failures);
    if (st.n_failures) {
        g_test_message("%s", st.failures->str);
        g_test_fail();
    }
    /* the generator must exercise both outcomes */
    g_assert_cmpuint(st.incompatible, >, 0);
    g_assert_cmpuint(st.compatible, >, st.pairs / 5);
    g_string_free(st.failures, TRUE);
}

static const guint32 seeds[] = { 1, 2, 3, 4 };

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    fixture_load();
    for (guint i = 0; i < G_N_ELEMENTS(seeds); i++) {
        g_autofree char *path = g_strdup_printf("/guest-data/random-pairs/seed-%u",
                                                seeds[i]);

        g_test_add_data_func(path, GUINT_TO_POINTER(seeds[i]), test_random_pairs);
    }
    rc = g_test_run();
    g_ptr_array_unref(fx.hosts);
    g_ptr_array_unref(fx.names);
    cs_cpu_map_unref(fx.map);
    return rc;
}
