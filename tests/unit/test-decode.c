/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decoding raw CPUID data: fake data sheets and invariants on real dumps */
#include <string.h>
#include <libcpusel/libcpusel.h>
#include "core/cpu-map-private.h"

/* Core i7-2600 (Sandy Bridge), leaves 0, 1, 7 and 0x80000001 */
static const CsCpuidLeaf i7_2600[] = {
    { .eax_in = 0x0, .eax = 0x0000000d, .ebx = 0x756e6547, .ecx = 0x6c65746e, .edx = 0x49656e69 },
    { .eax_in = 0x1, .eax = 0x000206a7, .ebx = 0x01100800, .ecx = 0x1fbae3ff, .edx = 0xbfebfbff },
    { .eax_in = 0x7, .eax = 0x00000000 },
    { .eax_in = 0x80000001, .ecx = 0x00000001, .edx = 0x28100800 },
};

/* Haswell (family 6 model 60) reporting broken TSX: hle and rtm */
static const CsCpuidLeaf haswell_tsx[] = {
    { .eax_in = 0x0, .eax = 0x0000000d, .ebx = 0x756e6547, .ecx = 0x6c65746e, .edx = 0x49656e69 },
    { .eax_in = 0x1, .eax = 0x000306c3, .ecx = 0x7ffafbff, .edx = 0xbfebfbff },
    { .eax_in = 0x7, .ebx = 0x00002fbb },
    { .eax_in = 0x80000001, .ecx = 0x00000021, .edx = 0x2c100800 },
};

static const char *
reference_dir(void)
{
    const char *env = g_getenv("CS_REFERENCE_DIR");

    return env ? env : CS_SOURCE_ROOT "/../shared/reference";
}

/* Feature names the data has (each feature's bits all set). */
static GHashTable *
data_features(CsCpuMap *map, const CsCpuidData *data)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < cs_cpu_map_get_n_features(map); i++) {
        g_autoptr(CsCpuidData) f = cs_cpu_map_feature_data(map, i);

        if (cs_cpuid_data_is_subset(data, f))
            g_hash_table_add(set, g_strdup(cs_cpu_map_feature_name(map, i)));
    }
    return set;
}

/* Model features + required/host features - disabled ones. */
static GHashTable *
def_features(CsCpuMap *map, const CsCpuDef *def)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int mi = cs_cpu_map_lookup_model(map, cs_cpu_def_get_model(def));
    g_auto(GStrv) mf = NULL;

    g_assert_cmpint(mi, >=, 0);
    mf = cs_cpu_map_model_features(map, mi);
    for (guint i = 0; mf[i]; i++)
        g_hash_table_add(set, g_strdup(mf[i]));
    for (guint i = 0; i < cs_cpu_def_get_n_features(def); i++) {
        CsFeaturePolicy pol;
        const char *name = cs_cpu_def_get_feature(def, i, &pol);

        if (pol == CS_FEATURE_DISABLE)
            g_hash_table_remove(set, name);
        else
            g_hash_table_add(set, g_strdup(name));
    }
    return set;
}

/* A feature reported only by VMX capability MSRs the data of a CPU with
 * VMX does not hold is unknown: decoding neither lists it as missing nor counts it as present. */
static gboolean
feature_unknown(CsCpuMap *map, const CsCpuidData *data, const char *name)
{
    int fi = cs_cpu_map_lookup_feature(map, name);
    g_autoptr(CsCpuidData) f = NULL;
    gsize n_leaves = 0, n_msrs = 0;
    const CsMsr *msrs;

    int vmx = cs_cpu_map_lookup_feature(map, "vmx");

    if (fi < 0 || vmx < 0)
        return FALSE;
    {
        g_autoptr(CsCpuidData) v = cs_cpu_map_feature_data(map, vmx);

        /* a CPU without VMX has none of its sub-features */
        if (!cs_cpuid_data_is_subset(data, v))
            return FALSE;
    }
    f = cs_cpu_map_feature_data(map, fi);
    cs_cpuid_data_get_leaves(f, &n_leaves);
    msrs = cs_cpuid_data_get_msrs(f, &n_msrs);
    if (n_leaves || !n_msrs)
        return FALSE;
    for (gsize i = 0; i < n_msrs; i++) {
        if (msrs[i].index < 0x480 || msrs[i].index > 0x491 ||
            cs_cpuid_data_get_msr(data, msrs[i].index))
            return FALSE;
    }
    return TRUE;
}

/* Decode keeps the bits: what the definition says equals what the data has
 * (less features the decode drops on purpose: broken TSX, removed ones). */
static void
assert_decode_keeps_bits(CsCpuMap *map, const CsCpuidData *data, const CsCpuDef *def,
                         const char *what)
{
    g_autoptr(GHashTable) have = data_features(map, data);
    g_autoptr(GHashTable) said = def_features(map, def);
    GHashTableIter it;
    gpointer key;
    guint fam = 0, mod = 0, step = 0;
    gboolean broken_tsx;

    /* Intel's family 6 models 60, 69, 70 and 63 before stepping 4 */
    cs_cpu_def_get_signature(def, &fam, &mod, &step);
    broken_tsx = g_strcmp0(cs_cpu_def_get_vendor(def), "Intel") == 0 && fam == 6 &&
                 (mod == 60 || mod == 69 || mod == 70 || (mod == 63 && step < 4));

    g_hash_table_iter_init(&it, said);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (!g_hash_table_contains(have, key) && !feature_unknown(map, data, key))
            g_error("%s: decoded %s lists '%s', which the data lacks", what,
                    cs_cpu_def_get_model(def), (char *) key);
    }
    g_hash_table_iter_init(&it, have);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (!g_hash_table_contains(said, key) &&
            !(broken_tsx && (strcmp(key, "hle") == 0 || strcmp(key, "rtm") == 0)))
            g_error("%s: decoded %s misses '%s'", what, cs_cpu_def_get_model(def),
                    (char *) key);
    }
}

static void
test_fake_sandybridge(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new_from_leaves(i7_2600,
                                                                 G_N_ELEMENTS(i7_2600));
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) host = cs_cpu_decode(map, data, CS_DECODE_HOST, &error);
    guint fam = 0, mod = 0, step = 0;

    g_assert_no_error(error);
    g_assert_nonnull(host);
    g_assert_cmpstr(cs_cpu_def_get_vendor(host), ==, "Intel");
    g_assert_cmpstr(cs_cpu_def_get_arch(host), ==, "x86_64");
    g_assert_true(cs_cpu_def_get_signature(host, &fam, &mod, &step));
    g_assert_cmpuint(fam, ==, 6);
    g_assert_cmpuint(mod, ==, 42);
    g_assert_cmpuint(step, ==, 7);
    assert_decode_keeps_bits(map, data, host, "i7-2600");
    for (guint i = 0; i < cs_cpu_def_get_n_features(host); i++) {
        CsFeaturePolicy pol;

        cs_cpu_def_get_feature(host, i, &pol);
        g_assert_cmpint(pol, ==, CS_FEATURE_POLICY_NONE);
    }
}

static void
test_broken_tsx(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new_from_leaves(haswell_tsx,
                                                                 G_N_ELEMENTS(haswell_tsx));
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) guest = cs_cpu_decode(map, data, CS_DECODE_GUEST, &error);
    int hle = cs_cpu_map_lookup_feature(map, "hle");

    g_assert_no_error(error);
    g_assert_cmpint(hle, >=, 0);
    /* the data has hle and rtm ... */
    {
        g_autoptr(CsCpuidData) f = cs_cpu_map_feature_data(map, hle);

        g_assert_true(cs_cpuid_data_is_subset(data, f));
    }
    /* ... but the decoded guest neither requires them nor picks a TSX model */
    for (guint i = 0; i < cs_cpu_def_get_n_features(guest); i++) {
        CsFeaturePolicy pol;
        const char *name = cs_cpu_def_get_feature(guest, i, &pol);

        if (strcmp(name, "hle") == 0 || strcmp(name, "rtm") == 0)
            g_assert_cmpint(pol, ==, CS_FEATURE_DISABLE);
    }
}

static void
test_no_model_fits(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) host = cs_cpu_decode(map, data, CS_DECODE_HOST, &error);

    g_assert_null(host);
    g_assert_error(error, CS_ERROR, CS_ERROR_NO_MODEL);
}

static void
test_allowed_and_preferred(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new_from_leaves(i7_2600,
                                                                 G_N_ELEMENTS(i7_2600));
    const char *const allowed[] = { "Nehalem", "Westmere", "qemu64", NULL };
    const char *const preferred[] = { "qemu64", NULL };
    const char *const missing[] = { "Bogus", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) a = NULL;
    g_autoptr(CsCpuDef) p = NULL;
    g_autoptr(CsCpuDef) f = NULL;
    g_autoptr(CsDecodeReport) report = NULL;
    g_autoptr(CsDecodeOptions) opts = cs_decode_options_new(CS_DECODE_GUEST);

    cs_decode_options_set_allowed(opts, allowed);
    cs_decode_options_set_report(opts, &report);
    a = cs_cpu_decode_with(map, data, opts, &error);
    g_assert_no_error(error);
    g_assert_true(g_strv_contains(allowed, cs_cpu_def_get_model(a)));
    g_assert_cmpstr(cs_decode_report_get_model(report, cs_decode_report_get_chosen(report)),
                    ==, cs_cpu_def_get_model(a));
    assert_decode_keeps_bits(map, data, a, "allowed");

    cs_decode_options_set_allowed(opts, NULL);
    cs_decode_options_set_report(opts, NULL);
    cs_decode_options_set_preferred(opts, preferred);
    p = cs_cpu_decode_with(map, data, opts, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(cs_cpu_def_get_model(p), ==, "qemu64");

    /* the only preferred model is not allowed and fallback is forbidden */
    cs_decode_options_set_allowed(opts, missing);
    cs_decode_options_set_fallback(opts, CS_CPU_FALLBACK_FORBID);
    f = cs_cpu_decode_with(map, data, opts, &error);
    g_assert_null(f);
    g_assert_nonnull(error);
}

static void
test_reference_dumps(void)
{
    g_autofree char *dir = g_build_filename(reference_dir(), "libvirt-cputestdata", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(CsCpuMap) builtin = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuMap) libvirt = NULL;
    const char *name;
    guint n = 0;

    if (!d) {
        g_autofree char *why = g_strdup_printf("no reference dumps in %s (set "
                                               "CS_REFERENCE_DIR)", dir);

        g_test_skip(why);
        return;
    }
    libvirt = cs_cpu_map_load_dir("/usr/share/libvirt/cpu_map", NULL);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autoptr(CsCpuidData) data = NULL;
        g_autoptr(GError) error = NULL;
        CsCpuMap *maps[] = { builtin, libvirt };

        if (!strstr(name, "-cpuid-") || !g_str_has_suffix(name, ".xml"))
            continue;
        path = g_build_filename(dir, name, NULL);
        data = cs_cpuid_data_load_file(path, &error);
        g_assert_no_error(error);
        for (guint m = 0; m < G_N_ELEMENTS(maps); m++) {
            if (!maps[m])
                continue;
            for (guint g = 0; g < 2; g++) {
                g_autoptr(CsCpuDef) def =
                    cs_cpu_decode(maps[m], data, g ? CS_DECODE_GUEST : CS_DECODE_HOST,
                                  &error);

                g_assert_no_error(error);
                assert_decode_keeps_bits(maps[m], data, def, name);
                n++;
            }
        }
    }
    g_test_message("%u decodes checked", n);
}

/* The generator's precomputed lookup tables equal what the library derives
 * from the same map at run time. */
static void
test_builtin_derived_tables(void)
{
    g_autoptr(CsCpuMap) gen = cs_cpu_map_new_builtin();
    CsCpuMap *rt = g_new0(CsCpuMap, 1);
    guint nbits = gen->t.n_words * 32;

    rt->refcount = 1;
    rt->t = gen->t;
    cs_cpu_map_finish(rt);
    g_assert_cmpmem(gen->bit_off, sizeof(guint32) * (nbits + 1),
                    rt->bit_off, sizeof(guint32) * (nbits + 1));
    g_assert_cmpmem(gen->bit_feat, sizeof(guint16) * gen->bit_off[nbits],
                    rt->bit_feat, sizeof(guint16) * rt->bit_off[nbits]);
    g_assert_cmpuint(gen->n_empty, ==, rt->n_empty);
    g_assert_cmpmem(gen->empty_feats, sizeof(guint16) * gen->n_empty,
                    rt->empty_feats, sizeof(guint16) * rt->n_empty);
    g_assert_cmpmem(gen->fi.single, sizeof(guint32) * gen->t.n_words,
                    rt->fi.single, sizeof(guint32) * rt->t.n_words);
    g_assert_cmpuint(gen->fi.n_multi, ==, rt->fi.n_multi);
    g_assert_cmpmem(gen->fi.multi, sizeof(guint16) * gen->fi.n_multi,
                    rt->fi.multi, sizeof(guint16) * rt->fi.n_multi);
    g_assert_cmpuint(gen->fi.n_shared, ==, rt->fi.n_shared);
    g_assert_cmpmem(gen->fi.shared, sizeof(guint16) * gen->fi.n_shared,
                    rt->fi.shared, sizeof(guint16) * rt->fi.n_shared);
    g_assert_cmpmem(gen->fi.cls, gen->t.n_features, rt->fi.cls, rt->t.n_features);
    g_assert_cmpuint(gen->fi.n_empty, ==, rt->fi.n_empty);
    g_assert_cmpuint(gen->feature_hash_mask, ==, rt->feature_hash_mask);
    g_assert_cmpmem(gen->feature_hash, sizeof(guint16) * (gen->feature_hash_mask + 1),
                    rt->feature_hash, sizeof(guint16) * (rt->feature_hash_mask + 1));
    g_assert_cmpuint(gen->model_hash_mask, ==, rt->model_hash_mask);
    g_assert_cmpmem(gen->model_hash, sizeof(guint16) * (gen->model_hash_mask + 1),
                    rt->model_hash, sizeof(guint16) * (rt->model_hash_mask + 1));
    /* every name (aliases included) resolves through the hash */
    for (guint i = 0; i < gen->t.n_feature_names; i++)
        g_assert_cmpint(cs_cpu_map_lookup_feature(gen, gen->t.feature_names[i].name), ==,
                        gen->t.feature_names[i].index);
    for (guint i = 0; i < gen->t.n_model_names; i++)
        g_assert_cmpint(cs_cpu_map_lookup_model(gen, gen->t.model_names[i].name), ==,
                        gen->t.model_names[i].index);
    g_assert_cmpint(cs_cpu_map_lookup_feature(gen, "no-such-feature"), ==, -1);
    g_assert_cmpint(cs_cpu_map_lookup_model(gen, ""), ==, -1);
    cs_cpu_map_unref(rt);
}

/* The built-in map's identity is the `identity` line of data/cpu-map/index
 * (data, not code); a map read from a directory has none. */
static void
test_map_identity(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autofree char *index = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) error = NULL;
    const char *want = NULL;

    g_assert_true(g_file_get_contents(CS_SOURCE_ROOT "/data/cpu-map/index", &index,
                                      NULL, &error));
    g_assert_no_error(error);
    lines = g_strsplit(index, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "identity "))
            want = g_strstrip(lines[i] + strlen("identity "));
    }
    g_assert_nonnull(want);
    g_assert_true(g_str_has_prefix(want, "libvirt "));
    g_assert_cmpstr(cs_cpu_map_get_identity(map), ==, want);
}

/* A libvirt map whose model files are included inside <group> elements. */
static void
test_map_groups(void)
{
    g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "data", "cpu-map-groups", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuMap) map = cs_cpu_map_load_dir(dir, &error);
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new_from_leaves(i7_2600,
                                                                 G_N_ELEMENTS(i7_2600));
    g_autoptr(CsCpuDef) host = NULL;
    g_auto(GStrv) sigs = NULL;

    g_assert_no_error(error);
    g_assert_cmpuint(cs_cpu_map_get_n_models(map), ==, 2);
    g_assert_null(cs_cpu_map_get_identity(map));
    g_assert_cmpstr(cs_cpu_map_model_name(map, 0), ==, "Old");
    g_assert_cmpstr(cs_cpu_map_model_name(map, 1), ==, "New");
    g_assert_cmpint(cs_cpu_map_lookup_feature(map, "sse1"), ==,
                    cs_cpu_map_lookup_feature(map, "sse"));
    sigs = cs_cpu_map_model_signatures(map, 1);
    g_assert_cmpstr(sigs[0], ==, "6/42/0-3,7");
    host = cs_cpu_decode(map, data, CS_DECODE_HOST, &error);
    g_assert_no_error(error);
    /* New has the matching signature and both features */
    g_assert_cmpstr(cs_cpu_def_get_model(host), ==, "New");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/decode/fake-sandybridge", test_fake_sandybridge);
    g_test_add_func("/decode/broken-tsx", test_broken_tsx);
    g_test_add_func("/decode/no-model-fits", test_no_model_fits);
    g_test_add_func("/decode/allowed-and-preferred", test_allowed_and_preferred);
    g_test_add_func("/decode/reference-dumps-keep-bits", test_reference_dumps);
    g_test_add_func("/decode/builtin-derived-tables", test_builtin_derived_tables);
    g_test_add_func("/decode/map-groups", test_map_groups);
    g_test_add_func("/decode/map-identity", test_map_identity);
    return g_test_run();
}
