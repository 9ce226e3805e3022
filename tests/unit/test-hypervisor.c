/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hypervisor's view: QMP replies, QEMU feature names, model lists,
 * domain capabilities and labels.
 *
 * The usability rule is checked as an invariant on every dump at hand (the
 * fixtures of tests/data, and the reference dumps of CS_REFERENCE_DIR,
 * default <source root>/../shared/reference, when present), with the
 * built-in map and with libvirt's /usr/share/libvirt/cpu_map when
 * installed: a model is usable in domain capabilities exactly when an
 * exact guest of that model is not incompatible for missing features with
 * the data decoded as a host CPU (cpusel compare), and its blockers are
 * exactly the features compare reports missing.
 */
#include <string.h>
#include <libcpusel/libcpusel.h>

#define LIBVIRT_MAP_DIR "/usr/share/libvirt/cpu_map"

static const char *
reference_dir(void)
{
    const char *dir = g_getenv("CS_REFERENCE_DIR");

    return dir ? dir : CS_SOURCE_ROOT "/../shared/reference";
}

/* ---- QMP replies ------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *text;
    int error_code;         /* -1: parses */
    const char *models;     /* expected "name:blocker,..." (as --models) */
} QmpCase;

static const QmpCase qmp_cases[] = {
    { "one-reply",
      "{\"return\": [{\"name\": \"Nehalem\", \"unavailable-features\": []},"
      " {\"name\": \"Haswell\", \"unavailable-features\": [\"avx2\", \"fma\"]}]}",
      -1, "Nehalem,Haswell:avx2:fma" },
    { "session",
      "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n"
      "{\"return\": {}}\n{\"return\": [{\"name\": \"pc\"}]}\n"
      "{\"return\": [{\"name\": \"A\", \"unavailable-features\": [], \"deprecated\": true,"
      " \"alias-of\": \"A-v1\"}], \"id\": 3}\n"
      "{\"return\": [{\"name\": \"B\", \"unavailable-features\": []}]}\n",
      -1, "A" },
    { "bom-and-blanks", "\xef\xbb\xbf \r\n\t{\"return\": [{\"name\": \"X\","
      " \"unavailable-features\": [\"a\\\"b}\"]}]}  ", -1, "X:a\"b}" },
    { "strings-with-brackets",
      "{\"note\": \"}]{[\", \"return\": [{\"name\": \"Y\", \"unavailable-features\": []}]}",
      -1, "Y" },
    { "missing-features-member",
      "{\"return\": [{\"name\": \"P\", \"unavailable-features\": []}, {\"name\": \"Q\"}]}",
      -1, "P,Q" },
    { "empty", "", CS_ERROR_INVALID, NULL },
    { "no-reply", "{\"return\": {}}", CS_ERROR_INVALID, NULL },
    { "empty-list", "{\"return\": []}", CS_ERROR_INVALID, NULL },
    { "truncated", "{\"return\": [{\"name\": \"N\", \"unavailable-features\": [",
      CS_ERROR_PARSE, NULL },
    { "truncated-string", "{\"return\": [{\"name\": \"N", CS_ERROR_PARSE, NULL },
    { "garbage", "return: []", CS_ERROR_PARSE, NULL },
    { "bad-json", "{\"return\": [}", CS_ERROR_PARSE, NULL },
    { "bad-second-document",
      "{\"return\": [{\"name\": \"N\", \"unavailable-features\": []}]}\n{oops}",
      CS_ERROR_PARSE, NULL },
    { "nul-byte", "{\"return\": [{\"name\": \"N\0\", \"unavailable-features\": []}]}",
      CS_ERROR_PARSE, NULL },
    { "name-not-string", "{\"return\": [{\"name\": \"N\", \"unavailable-features\": []},"
      " {\"name\": 7, \"unavailable-features\": []}]}", CS_ERROR_INVALID, NULL },
    { "blocker-not-string", "{\"return\": [{\"name\": \"N\", \"unavailable-features\":"
      " [1]}]}", CS_ERROR_INVALID, NULL },
    { "deprecated-not-bool", "{\"return\": [{\"name\": \"N\", \"unavailable-features\":"
      " [], \"deprecated\": \"yes\"}]}", CS_ERROR_INVALID, NULL },
    { "definition-not-object", "{\"return\": [{\"name\": \"N\", \"unavailable-features\":"
      " []}, 3]}", CS_ERROR_INVALID, NULL },
};

/* The size of a case's text: NUL bytes inside count. */
static gsize
case_len(const QmpCase *c)
{
    if (strcmp(c->name, "nul-byte") == 0)
        return strlen(c->text) + 1 + strlen(c->text + strlen(c->text) + 1);
    return strlen(c->text);
}

static char *
list_to_spec(const CsCpuModelList *list)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (guint i = 0; i < cs_cpu_model_list_get_n(list); i++) {
        const char *const *b = cs_cpu_model_list_get_blockers(list, i);

        if (i)
            g_string_append_c(s, ',');
        g_string_append(s, cs_cpu_model_list_get_name(list, i));
        for (guint k = 0; b[k]; k++)
            g_string_append_printf(s, ":%s", b[k]);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
test_qmp_case(gconstpointer p)
{
    const QmpCase *c = p;
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuModelList) list = NULL;

    list = cs_cpu_model_list_parse_qmp(c->text, case_len(c), "case", &error);
    if (c->error_code >= 0) {
        g_assert_null(list);
        g_assert_error(error, CS_ERROR, c->error_code);
        /* one line naming the input */
        g_assert_true(g_str_has_prefix(error->message, "'case'"));
        g_assert_null(strchr(error->message, '\n'));
        return;
    }
    g_assert_no_error(error);
    g_assert_nonnull(list);
    {
        g_autofree char *spec = list_to_spec(list);

        g_assert_cmpstr(spec, ==, c->models);
    }
    if (strcmp(c->name, "session") == 0) {
        g_assert_true(cs_cpu_model_list_get_deprecated(list, 0));
        g_assert_cmpstr(cs_cpu_model_list_get_alias_of(list, 0), ==, "A-v1");
    }
}

static void
test_qmp_depth(void)
{
    g_autoptr(GString) s = g_string_new("{\"return\": [{\"name\": \"N\", "
                                        "\"unavailable-features\": [], \"x\": ");
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuModelList) list = NULL;

    for (guint i = 0; i < 100000; i++)
        g_string_append_c(s, '[');
    for (guint i = 0; i < 100000; i++)
        g_string_append_c(s, ']');
    g_string_append(s, "}]}");
    list = cs_cpu_model_list_parse_qmp(s->str, s->len, "deep", &error);
    g_assert_null(list);
    g_assert_error(error, CS_ERROR, CS_ERROR_PARSE);
}

static void
test_spec_list(void)
{
    const char *const entries[] = { "Nehalem", "Haswell:avx2:fma", "", "X::y", NULL };
    g_autoptr(CsCpuModelList) list = cs_cpu_model_list_new_from_spec(entries);
    g_autofree char *spec = list_to_spec(list);

    g_assert_cmpstr(spec, ==, "Nehalem,Haswell:avx2:fma,X:y");
    g_assert_false(cs_cpu_model_list_get_deprecated(list, 0));
    g_assert_null(cs_cpu_model_list_get_alias_of(list, 1));
}

/* ---- QEMU spellings --------------------------------------------------------- */

static void
check_spellings(const CsCpuMap *map)
{
    static const struct { const char *qemu, *map; } cases[] = {
        { "sse4-1", "sse4.1" }, { "sse4_1", "sse4.1" }, { "sse4.2", "sse4.2" },
        { "sse4-2", "sse4.2" }, { "pclmulqdq", "pclmuldq" }, { "lahf-lm", "lahf_lm" },
        { "fxsr-opt", "fxsr_opt" }, { "ffxsr", "fxsr_opt" }, { "cmp-legacy", "cmp_legacy" },
        { "perfctr-core", "perfctr_core" }, { "tsc-adjust", "tsc_adjust" },
        { "ds-cpl", "ds_cpl" }, { "nodeid-msr", "nodeid_msr" }, { "sse3", "pni" },
        { "i64", "lm" }, { "xd", "nx" }, { "avx2", "avx2" }, { "vmx-ept", "vmx-ept" },
        { "md_clear", "md-clear" }, { "nrip_save", "nrip-save" },
        { "kvm-pv-eoi", "kvm_pv_eoi" }, { "no-such-feature", NULL }, { "", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *got = cs_cpu_map_feature_from_qemu(map, cases[i].qemu);

        if (cases[i].map && cs_cpu_map_lookup_feature(map, cases[i].map) < 0)
            continue;       /* a feature this map does not have */
        g_assert_cmpstr(got, ==, cases[i].map);
    }
}

static void
test_spellings(void)
{
    g_autoptr(CsCpuMap) builtin = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuMap) libvirt = cs_cpu_map_load_dir(LIBVIRT_MAP_DIR, NULL);

    check_spellings(builtin);
    if (libvirt)
        check_spellings(libvirt);
}

static void
test_allowed(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    const char *const entries[] = { "Opteron_G4:fxsr-opt:sse4-1:bogus-name", "EPYC", NULL };
    g_autoptr(CsCpuModelList) list = cs_cpu_model_list_new_from_spec(entries);
    g_auto(GStrv) allowed = cs_cpu_model_list_to_allowed(list, map);

    g_assert_cmpstr(allowed[0], ==, "Opteron_G4:fxsr_opt:sse4.1:bogus-name");
    g_assert_cmpstr(allowed[1], ==, "EPYC");
    g_assert_null(allowed[2]);
}

/* ---- Usability: one rule with compare -------------------------------------- */

typedef struct {
    CsCpuMap *map;
    const char *map_name;
    GPtrArray *dumps;       /* char *, paths */
} UsableFixture;

static void
add_dumps(GPtrArray *dumps, const char *dir, const char *must_contain)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (!d)
        return;
    while ((name = g_dir_read_name(d))) {
        if ((g_str_has_suffix(name, ".xml") || g_str_has_suffix(name, ".txt")) &&
            (!must_contain || strstr(name, must_contain)))
            g_ptr_array_add(dumps, g_build_filename(dir, name, NULL));
    }
}

/* A guest of model @mi, match exact, nothing else. */
static CsCpuDef *
exact_guest(const CsCpuMap *map, guint mi)
{
    CsCpuDef *g = cs_cpu_def_new(CS_CPU_TYPE_GUEST);

    cs_cpu_def_set_mode(g, CS_CPU_MODE_CUSTOM);
    cs_cpu_def_set_match(g, CS_CPU_MATCH_EXACT);
    cs_cpu_def_set_model(g, cs_cpu_map_model_name(map, mi));
    return g;
}

static gboolean
same_set(const char *const *a, const char *const *b)
{
    g_autoptr(GHashTable) set = g_hash_table_new(g_str_hash, g_str_equal);
    guint na = 0, nb = 0;

    for (; a[na]; na++)
        g_hash_table_add(set, (gpointer) a[na]);
    for (; b[nb]; nb++) {
        if (!g_hash_table_contains(set, b[nb]))
            return FALSE;
    }
    return na == nb;
}

static void
check_usable_rule(const CsCpuMap *map, const char *path, guint *out_pairs)
{
    g_autoptr(CsCpuidData) data = cs_cpuid_data_load_file(path, NULL);
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsDomainCaps) caps = NULL;
    g_autoptr(GError) error = NULL;

    if (!data || !(host = cs_cpu_decode(map, data, CS_DECODE_HOST, NULL)))
        return;     /* not a dump, or no model fits */
    cs_cpu_def_set_arch(host, "x86_64");
    caps = cs_domain_caps_new(map, data, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(cs_domain_caps_get_n_models(caps), ==, cs_cpu_map_get_n_models(map));
    for (guint i = 0; i < cs_domain_caps_get_n_models(caps); i++) {
        const char *name = cs_domain_caps_model_name(caps, i);
        int mi = cs_cpu_map_lookup_model(map, name);
        g_autoptr(CsCpuDef) guest = exact_guest(map, mi);
        g_autoptr(CsCompareReport) report = NULL;
        g_auto(GStrv) blockers = cs_cpu_model_blockers(map, data, mi);
        gboolean missing;

        g_assert_true(cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report,
                                     &error));
        g_assert_no_error(error);
        missing = cs_compare_report_get_result(report) == CS_COMPARE_INCOMPATIBLE &&
                  cs_compare_report_get_reason(report) == CS_REASON_MISSING;
        if (missing == cs_domain_caps_model_usable(caps, i) ||
            !same_set(cs_domain_caps_model_blockers(caps, i),
                      missing ? cs_compare_report_get_features(report)
                              : (const char *const[]) { NULL }) ||
            !same_set(cs_domain_caps_model_blockers(caps, i),
                      (const char *const *) blockers))
            g_error("%s, model %s: domain capabilities say %s (%u blockers), compare says "
                    "%s", path, name, cs_domain_caps_model_usable(caps, i) ? "usable" :
                    "not usable", g_strv_length((char **) cs_domain_caps_model_blockers(caps, i)),
                    cs_compare_report_get_message(report));
        (*out_pairs)++;
    }
}

static void
test_usable_rule(gconstpointer p)
{
    const UsableFixture *f = p;
    guint pairs = 0;

    if (!f->map) {
        g_test_skip("libvirt's CPU map is not installed");
        return;
    }
    for (guint i = 0; i < f->dumps->len; i++)
        check_usable_rule(f->map, g_ptr_array_index(f->dumps, i), &pairs);
    g_test_message("%s: %u model/dump pairs agree", f->map_name, pairs);
    g_assert_cmpuint(pairs, >, 0);
}

/* ---- Domain capabilities ----------------------------------------------------- */

static void
test_host_model(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsDomainCaps) caps = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    g_autoptr(CsCpuDef) migratable = NULL;
    g_autoptr(GError) error = NULL;
    const CsCpuDef *hm;

    data = cs_cpuid_data_load_file(CS_SOURCE_ROOT "/tests/data/cpuid/sandybridge-i7-2600.xml",
                                   &error);
    g_assert_no_error(error);
    caps = cs_domain_caps_new(map, data, NULL, &error);
    g_assert_no_error(error);
    hm = cs_domain_caps_get_host_model(caps);
    g_assert_nonnull(hm);
    /* the guest decode without migration blockers */
    guest = cs_cpu_decode(map, data, CS_DECODE_GUEST, &error);
    g_assert_no_error(error);
    migratable = cs_cpu_def_copy_migratable(map, guest);
    g_assert_cmpstr(cs_cpu_def_get_model(hm), ==, cs_cpu_def_get_model(migratable));
    g_assert_cmpuint(cs_cpu_def_get_n_features(hm), ==,
                     cs_cpu_def_get_n_features(migratable));
    g_assert_cmpint(cs_cpu_def_get_fallback(hm), ==, CS_CPU_FALLBACK_FORBID);
    g_assert_cmpint(cs_cpu_def_get_match(hm), ==, CS_CPU_MATCH_EXACT);
    for (guint i = 0; i < cs_cpu_def_get_n_features(hm); i++) {
        CsFeaturePolicy pa, pb;
        const char *a = cs_cpu_def_get_feature(hm, i, &pa);
        const char *b = cs_cpu_def_get_feature(migratable, i, &pb);

        g_assert_cmpstr(a, ==, b);
        g_assert_cmpint(pa, ==, pb);
        g_assert_true(cs_cpu_map_feature_migratable(map, cs_cpu_map_lookup_feature(map, a)));
    }
}

/* With a model list, QEMU's verdict decides, blockers in map spelling. */
static void
test_model_list_verdict(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsDomainCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    const char *const entries[] = { "Westmere:sse4-1:pclmulqdq", "Penryn", "NoSuchModel:x",
                                    "Haswell", NULL };
    g_autoptr(CsCpuModelList) list = cs_cpu_model_list_new_from_spec(entries);

    data = cs_cpuid_data_load_file(CS_SOURCE_ROOT "/tests/data/cpuid/sandybridge-i7-2600.xml",
                                   &error);
    g_assert_no_error(error);
    caps = cs_domain_caps_new(map, data, list, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(cs_domain_caps_get_n_models(caps), ==, 3);
    g_assert_cmpstr(cs_domain_caps_model_name(caps, 0), ==, "Westmere");
    g_assert_false(cs_domain_caps_model_usable(caps, 0));
    g_assert_cmpstr(cs_domain_caps_model_blockers(caps, 0)[0], ==, "pclmuldq");
    g_assert_cmpstr(cs_domain_caps_model_blockers(caps, 0)[1], ==, "sse4.1");
    g_assert_true(cs_domain_caps_model_usable(caps, 1));
    /* QEMU says Haswell is usable: the data's verdict does not count */
    g_assert_cmpstr(cs_domain_caps_model_name(caps, 2), ==, "Haswell");
    g_assert_true(cs_domain_caps_model_usable(caps, 2));
    /* the host-model comes from the allowed models, Haswell preferred by
     * nothing: the decode restricted to the list */
    g_assert_nonnull(cs_domain_caps_get_host_model(caps));
}

static void
test_labels(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsDomainCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) labels = NULL;
    g_auto(GStrv) all = NULL;
    const char *const none[] = { NULL };
    gboolean vendor = FALSE, host_model = FALSE;

    data = cs_cpuid_data_load_file(CS_SOURCE_ROOT "/tests/data/cpuid/sandybridge-i7-2600.xml",
                                   &error);
    g_assert_no_error(error);
    caps = cs_domain_caps_new(map, data, NULL, &error);
    g_assert_no_error(error);
    labels = cs_domain_caps_labels(map, caps, NULL, &error);
    g_assert_no_error(error);
    all = cs_domain_caps_labels(map, caps, none, &error);
    g_assert_no_error(error);
    for (guint i = 0; labels[i]; i++) {
        g_assert_nonnull(strchr(labels[i], '='));
        if (i)
            g_assert_cmpint(strcmp(labels[i - 1], labels[i]), !=, 0);
        vendor |= strcmp(labels[i], "cpu-vendor.node.kubevirt.io/Intel=true") == 0;
        host_model |= strcmp(labels[i], "host-model-cpu.node.kubevirt.io/SandyBridge=true") == 0;
        /* obsolete models are left out by default */
        g_assert_false(g_str_has_prefix(labels[i], "cpu-model.node.kubevirt.io/qemu64="));
        g_assert_false(g_str_has_prefix(labels[i], "cpu-model.node.kubevirt.io/Conroe="));
    }
    g_assert_true(vendor && host_model);
    /* with no obsolete models, more model labels */
    g_assert_cmpuint(g_strv_length(all), >, g_strv_length(labels));
}

static void
drop_debug(const char *domain, GLogLevelFlags level, const char *message,
           gpointer user_data)
{
}

int
main(int argc, char **argv)
{
    static UsableFixture fixtures[2];
    g_autofree char *ref = g_build_filename(reference_dir(), "libvirt-cputestdata", NULL);

    g_test_init(&argc, &argv, NULL);
    /* decoding explains itself at debug level: thousands of lines here */
    g_log_set_handler("libcpusel", G_LOG_LEVEL_DEBUG, drop_debug, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(qmp_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qmp/%s", qmp_cases[i].name);

        g_test_add_data_func(path, &qmp_cases[i], test_qmp_case);
    }
    g_test_add_func("/qmp/depth", test_qmp_depth);
    g_test_add_func("/models/spec", test_spec_list);
    g_test_add_func("/models/qemu-spellings", test_spellings);
    g_test_add_func("/models/allowed", test_allowed);
    g_test_add_func("/domcaps/host-model", test_host_model);
    g_test_add_func("/domcaps/model-list", test_model_list_verdict);
    g_test_add_func("/labels/snb", test_labels);

    fixtures[0].map = cs_cpu_map_new_builtin();
    fixtures[0].map_name = "built-in map";
    fixtures[1].map = cs_cpu_map_load_dir(LIBVIRT_MAP_DIR, NULL);
    fixtures[1].map_name = "libvirt's map";
    for (guint f = 0; f < G_N_ELEMENTS(fixtures); f++) {
        fixtures[f].dumps = g_ptr_array_new_with_free_func(g_free);
        add_dumps(fixtures[f].dumps, CS_SOURCE_ROOT "/tests/data/cpuid", NULL);
        add_dumps(fixtures[f].dumps, CS_SOURCE_ROOT "/tests/data/cpuid-r", NULL);
        add_dumps(fixtures[f].dumps, CS_SOURCE_ROOT "/tests/data/kvm", NULL);
        add_dumps(fixtures[f].dumps, ref, "-cpuid-");
    }
    g_test_add_data_func("/usable/same-rule-as-compare/builtin", &fixtures[0],
                         test_usable_rule);
    g_test_add_data_func("/usable/same-rule-as-compare/libvirt", &fixtures[1],
                         test_usable_rule);
    {
        int rc = g_test_run();

        for (guint f = 0; f < G_N_ELEMENTS(fixtures); f++) {
            g_ptr_array_unref(fixtures[f].dumps);
            if (fixtures[f].map)
                cs_cpu_map_unref(fixtures[f].map);
        }
        return rc;
    }
}
