/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: the baseline (baseline.c), the streaming multi-CPU reader
 * (cpu-stream.c) and the fleet planner, with the built-in map.
 *
 * Fixtures: tests/data/baseline/ (fleets written for these tests, each
 * says what it exercises) and tests/data/cpuid-r/. The planner's goldens are
 * tests/data/expected/baseline/NAME.plan.{txt,json}, written by the cpusel
 * command ($CPUSEL); CS_TEST_REGENERATE=1 rewrites them. */
#include <string.h>
#include <libcpusel/libcpusel.h>
#include "fleet/cpu-stream-private.h"

static CsCpuMap *map;

static char *
data_path(const char *dir, const char *name)
{
    return g_test_build_filename(G_TEST_DIST, "data", dir, name, NULL);
}

/* Every CPU of @text, read by the scanner or by libxml2's reader. */
static GPtrArray *
read_all(const char *text, gboolean reader, GError **error)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(
        (GDestroyNotify) cs_cpu_def_free);
    g_autoptr(CsCpuStream) s = reader ?
        cs_cpu_stream_new_from_memory_reader(map, text, strlen(text), "test", error) :
        cs_cpu_stream_new_from_memory(map, text, strlen(text), "test", error);
    CsCpuDef *def = NULL;

    if (!s)
        return NULL;
    for (;;) {
        if (!cs_cpu_stream_next(s, &def, error))
            return NULL;
        if (!def)
            break;
        g_ptr_array_add(defs, def);
    }
    return g_steal_pointer(&defs);
}

#define HOST(model, vendor) \
    "<cpu><arch>x86_64</arch><model>" model "</model><vendor>" vendor "</vendor>" \
    "<feature name='vmx'/></cpu>"

typedef struct {
    const char *name;
    const char *text;
    guint n;                /* CPUs; 0: an error */
} StreamCase;

static const StreamCase stream_cases[] = {
    { "bare", HOST("Penryn", "Intel"), 1 },
    { "capabilities",
      "<?xml version='1.0' encoding='UTF-8'?>\n<capabilities><host><uuid>x</uuid>"
      HOST("Haswell", "Intel") "</host><guest><os_type>hvm</os_type></guest>"
      "</capabilities>", 1 },
    { "cpuTest", "<cpuTest>\n" HOST("Penryn", "Intel") "\n<!-- a <cpu> comment -->\n"
      HOST("Nehalem", "Intel") "\n</cpuTest>\n", 2 },
    { "entities-and-cdata", "<cpuTest a='&amp;'><x><![CDATA[ <cpu> ]]>&#x41;</x>"
      HOST("Penryn", "Intel") "<?pi x?></cpuTest>", 1 },
    { "no-cpu", "<cpuTest><x/></cpuTest>", 0 },
    { "unclosed", "<cpuTest>" HOST("Penryn", "Intel"), 0 },
    { "unclosed-cpu", "<cpuTest><cpu><arch>x86_64</arch>", 0 },
    { "mismatched", "<cpuTest><a></b>" HOST("Penryn", "Intel") "</cpuTest>", 0 },
    { "doctype", "<!DOCTYPE x [<!ENTITY e 'x'>]><cpuTest>" HOST("Penryn", "Intel")
      "</cpuTest>", 0 },
    { "text-outside", "x<cpuTest>" HOST("Penryn", "Intel") "</cpuTest>", 0 },
    { "unquoted", "<cpuTest a=1>" HOST("Penryn", "Intel") "</cpuTest>", 0 },
    { "bad-entity", "<cpuTest><x>&foo;</x>" HOST("Penryn", "Intel") "</cpuTest>", 0 },
    { "two-roots", HOST("Penryn", "Intel") HOST("Penryn", "Intel"), 0 },
    { "bad-cpu", "<cpuTest><cpu><arch>x86_64</arch></cpu></cpuTest>", 0 },
};

static void
test_stream_case(gconstpointer p)
{
    const StreamCase *c = p;

    for (int reader = 0; reader < 2; reader++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) defs = read_all(c->text, reader, &error);

        if (c->n) {
            g_assert_no_error(error);
            g_assert_nonnull(defs);
            g_assert_cmpuint(defs->len, ==, c->n);
            for (guint i = 0; i < defs->len; i++)
                g_assert_cmpint(cs_cpu_def_get_type(g_ptr_array_index(defs, i)), ==,
                                CS_CPU_TYPE_HOST);
        } else {
            g_assert_null(defs);
            g_assert_error(error, CS_ERROR, error->code);
        }
    }
}

/* A bad <cpu> in well-formed XML does not end the stream. */
static void
test_stream_continue(void)
{
    const char *text = "<cpuTest>" HOST("Penryn", "Intel")
                       "<cpu><arch>x86_64</arch></cpu>" HOST("Nehalem", "Intel")
                       "</cpuTest>";
    g_autoptr(CsCpuStream) s = cs_cpu_stream_new_from_memory(map, text, strlen(text),
                                                             "t", NULL);
    guint good = 0, bad = 0;

    for (;;) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuDef) def = NULL;

        if (!cs_cpu_stream_next(s, &def, &error)) {
            g_assert_nonnull(error);
            bad++;
            continue;
        }
        if (!def)
            break;
        good++;
    }
    g_assert_cmpuint(good, ==, 2);
    g_assert_cmpuint(bad, ==, 1);
}

/* Raw data is decoded as a host CPU, from <cpudata> and `cpuid -r` alike. */
static void
test_stream_raw(void)
{
    g_autofree char *xml = NULL;

    for (int i = 0; i < 2; i++) {
        g_autofree char *path = data_path("cpuid-r", i ? "amd-epyc-kvm.txt"
                                                       : "amd-epyc-kvm.xml");
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuStream) s = cs_cpu_stream_open_file(map, path, &error);
        g_autoptr(CsCpuDef) def = NULL;
        g_autoptr(CsCpuDef) end = NULL;
        g_autofree char *text = NULL;

        g_assert_no_error(error);
        g_assert_true(cs_cpu_stream_next(s, &def, &error));
        g_assert_no_error(error);
        g_assert_nonnull(def);
        g_assert_cmpint(cs_cpu_def_get_type(def), ==, CS_CPU_TYPE_HOST);
        g_assert_cmpstr(cs_cpu_def_get_vendor(def), ==, "AMD");
        g_assert_true(cs_cpu_stream_next(s, &end, &error));
        g_assert_null(end);
        text = cs_cpu_def_format_xml(def, 0);
        if (xml)
            g_assert_cmpstr(text, ==, xml);
        else
            xml = g_steal_pointer(&text);
    }
}

/* The scanner and libxml2's reader give the same CPUs. */
static void
test_stream_same_as_reader(void)
{
    g_autofree char *path = data_path("baseline", "fleet.xml");
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) a = NULL;
    g_autoptr(GPtrArray) b = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, &error));
    /* the fixture ends with a bad CPU: compare what comes before it */
    *strstr(text, "<cpu>\n  <arch>x86_64</arch>\n  <model>Bogus") = '\0';
    strcat(text, "</cpuTest>\n");
    a = read_all(text, FALSE, &error);
    g_assert_no_error(error);
    b = read_all(text, TRUE, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(a->len, ==, 7);
    g_assert_cmpuint(a->len, ==, b->len);
    for (guint i = 0; i < a->len; i++) {
        g_autofree char *x = cs_cpu_def_format_xml(g_ptr_array_index(a, i), 0);
        g_autofree char *y = cs_cpu_def_format_xml(g_ptr_array_index(b, i), 0);

        g_assert_cmpstr(x, ==, y);
    }
}

static CsCpuDef *
parse_host(const char *xml)
{
    g_autoptr(GError) error = NULL;
    CsCpuDef *def = cs_cpu_def_parse_xml(xml, strlen(xml), "test", CS_PARSE_HOST, &error);

    g_assert_no_error(error);
    return def;
}

typedef struct {
    const char *name;
    const char *hosts[4];
    int code;               /* -1: success; -2: success, invariant not checked */
    const char *message;
} ErrorCase;

static const ErrorCase error_cases[] = {
    { "vendors", { HOST("Penryn", "Intel"), HOST("Opteron_G3", "AMD") },
      CS_ERROR_INCOMPATIBLE, "CPU vendors do not match" },
    { "model-vendor", { HOST("Penryn", "Intel"), HOST("Opteron_G3", "Intel") },
      CS_ERROR_INCOMPATIBLE, "CPU vendor AMD of model Opteron_G3 differs from vendor Intel" },
    /* libvirt checks a model's vendor from the second CPU on only; the
     * first one's own inconsistency makes the invariant meaningless */
    { "first-model-vendor", { HOST("Opteron_G3", "Intel"), HOST("Penryn", "Intel") }, -2,
      NULL },
    { "unknown-model", { HOST("Penryn", "Intel"), HOST("Bogus", "Intel") },
      CS_ERROR_UNKNOWN_MODEL, NULL },
    /* KNOWN: with the built-in map kvm64 carries vmx-* MSR features; decode
     * takes VMX MSRs absent from the data as unknown (no 'disable'), compare
     * as missing, so Opteron_G3 comes out INCOMPATIBLE. libvirt 9.0's map
     * has no such features and agrees (SUPERSET). */
    { "no-vendor", { "<cpu><arch>x86_64</arch><model>Penryn</model></cpu>",
                     "<cpu><arch>x86_64</arch><model>Opteron_G3</model></cpu>" }, -1, NULL },
    { "one", { HOST("Penryn", "Intel") }, -1, NULL },
    { "none", { NULL }, CS_ERROR_INVALID, "no CPUs given" },
};

static void
test_baseline_error(gconstpointer p)
{
    const ErrorCase *c = p;
    g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func(
        (GDestroyNotify) cs_cpu_def_free);
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) def = NULL;

    for (guint i = 0; c->hosts[i]; i++)
        g_ptr_array_add(hosts, parse_host(c->hosts[i]));
    def = cs_cpu_baseline(map, (const CsCpuDef *const *) hosts->pdata, hosts->len,
                          CS_BASELINE_DEFAULT, &error);
    if (c->code < 0) {
        g_assert_no_error(error);
        g_assert_nonnull(def);
        for (guint i = 0; c->code != -2 && i < hosts->len; i++) {
            g_autoptr(CsCompareReport) r = NULL;

            g_assert_true(cs_cpu_compare(map, g_ptr_array_index(hosts, i), def,
                                         CS_COMPARE_DEFAULT, &r, &error));
            g_assert_no_error(error);
            g_assert_cmpint(cs_compare_report_get_result(r), !=, CS_COMPARE_INCOMPATIBLE);
        }
        return;
    }
    g_assert_null(def);
    g_assert_error(error, CS_ERROR, c->code);
    if (c->message)
        g_assert_cmpstr(error->message, ==, c->message);
}

/* One model shared by every input: fallback forbid; the result names it. */
static void
test_baseline_same_model(void)
{
    g_autoptr(CsCpuDef) a = parse_host(HOST("Haswell", "Intel"));
    g_autoptr(CsCpuDef) b = parse_host(HOST("Haswell", "Intel"));
    const CsCpuDef *hosts[] = { a, b };
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuDef) def = cs_cpu_baseline(map, hosts, 2, CS_BASELINE_DEFAULT, &error);
    g_autoptr(CsCpuDef) exp = cs_cpu_baseline(map, hosts, 2, CS_BASELINE_EXPAND, &error);
    const char *prev = "";

    g_assert_no_error(error);
    g_assert_cmpstr(cs_cpu_def_get_model(def), ==, "Haswell");
    g_assert_cmpint(cs_cpu_def_get_fallback(def), ==, CS_CPU_FALLBACK_FORBID);
    g_assert_cmpstr(cs_cpu_def_get_vendor(def), ==, "Intel");
    /* expanded: sorted by name, vmx among them */
    g_assert_cmpuint(cs_cpu_def_get_n_features(exp), >, 20);
    for (guint i = 0; i < cs_cpu_def_get_n_features(exp); i++) {
        const char *name = cs_cpu_def_get_feature(exp, i, NULL);

        g_assert_cmpint(strcmp(prev, name), <, 0);
        prev = name;
    }
    /* the map's Haswell lacks f16c and abm: below v3, as its hosts */
    g_assert_cmpstr(cs_cpu_def_psabi_level(map, def, &error), ==,
                    cs_cpu_def_psabi_level(map, a, &error));
    g_assert_cmpstr(cs_cpu_def_psabi_level(map, def, &error), ==, "x86-64-v2");
}

/* The incremental builder agrees with the array API, and the plan's
 * baseline is the baseline of the hosts that can join. */
static void
test_builder_plan(void)
{
    g_autofree char *path = data_path("baseline", "fleet.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(CsBaselineBuilder) plan_b = cs_baseline_builder_new(map, 0,
                                                                  CS_BASELINE_BUILD_PLAN);
    g_autoptr(CsBaselineBuilder) exact_b = cs_baseline_builder_new(map, 0,
                                                                   CS_BASELINE_BUILD_EXACT);
    g_autoptr(CsCpuStream) s = cs_cpu_stream_open_file(map, path, &error);
    g_autoptr(CsFleetPlan) plan = NULL;
    g_autoptr(CsCpuDef) exact = NULL;
    g_autoptr(GPtrArray) joined = g_ptr_array_new_with_free_func(
        (GDestroyNotify) cs_cpu_def_free);
    g_autofree char *x = NULL;
    g_autofree char *y = NULL;

    g_assert_no_error(error);
    g_assert_true(cs_baseline_builder_add_stream(plan_b, s, "fleet", NULL, NULL, &error));
    g_assert_no_error(error);
    g_assert_nonnull(plan = cs_baseline_builder_plan(plan_b, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(cs_fleet_plan_get_n_hosts(plan), ==, 8);
    g_assert_cmpint(cs_fleet_plan_host_status(plan, 6), ==, CS_HOST_OTHER_VENDOR);
    g_assert_cmpint(cs_fleet_plan_host_status(plan, 7), ==, CS_HOST_INVALID);

    /* the joined hosts (0..5) through the exact builder */
    {
        g_autoptr(CsCpuStream) again = cs_cpu_stream_open_file(map, path, &error);
        CsCpuDef *def = NULL;

        for (guint i = 0; i < 6; i++) {
            g_assert_true(cs_cpu_stream_next(again, &def, &error));
            cs_baseline_builder_add(exact_b, def, NULL);
            g_ptr_array_add(joined, def);
        }
    }
    g_assert_nonnull(exact = cs_baseline_builder_finish(exact_b, &error));
    g_assert_no_error(error);
    x = cs_cpu_def_format_xml(exact, 0);
    y = cs_cpu_def_format_xml(cs_fleet_plan_get_baseline(plan), 0);
    g_assert_cmpstr(x, ==, y);

    /* the invariant: every joined host runs the baseline */
    for (guint i = 0; i < joined->len; i++) {
        g_autoptr(CsCompareReport) r = NULL;
        CsCompareResult res;

        g_assert_true(cs_cpu_compare(map, g_ptr_array_index(joined, i), exact,
                                     CS_COMPARE_DEFAULT, &r, &error));
        g_assert_no_error(error);
        res = cs_compare_report_get_result(r);
        g_assert_true(res == CS_COMPARE_IDENTICAL || res == CS_COMPARE_SUPERSET);
    }
    /* a dragger's baseline-without-it has every feature it lacks */
    for (guint d = 0; d < cs_fleet_plan_get_n_draggers(plan); d++)
        g_assert_nonnull(cs_fleet_plan_dragger_lacks(plan, d)[0]);
}

/* The planner's text and JSON, byte for byte (run in tests/data/baseline). */
typedef struct {
    const char *golden;
    const char *args[6];
} PlanGolden;

static const PlanGolden plan_goldens[] = {
    { "fleet.plan.txt", { "fleet.xml", NULL } },
    { "fleet.plan.json", { "--json", "fleet.xml", NULL } },
    /* a group of hosts, no single one, holds the baseline back; the
     * features it disables are attributed to them; versions of Haswell;
     * hosts named by their <uuid>; a vendor name with a space */
    { "fleet-groups.plan.txt", { "fleet-groups.xml", NULL } },
    { "fleet-groups.plan.json", { "--json", "fleet-groups.xml", NULL } },
    /* without a group the model becomes another version of Haswell */
    { "fleet-versions.plan.txt", { "fleet-versions.xml", NULL } },
    /* leaving out a host that lacks only invtsc changes nothing */
    { "fleet-versions-migratable.plan.txt", { "--migratable", "fleet-versions.xml", NULL } },
    { "fleet-versions-migratable.plan.json",
      { "--json", "--migratable", "fleet-versions.xml", NULL } },
    /* lists of more than 200 entries end with the count left out */
    { "fleet-many.plan.txt", { "fleet-many.xml", NULL } },
    /* expanded, the baseline disables a feature its model lost: all hosts
     * lack it */
    { "fleet-removed-expand.plan.txt", { "--expand", "fleet-removed.xml", NULL } },
    /* names: NAME=FILE, a file of one host, <uuid>s, NAME#N */
    { "names.plan.txt", { "web-1=host-a.xml", "host-b.xml", "db=fleet-groups.xml", NULL } },
    { "names.plan.json", { "--json", "web-1=host-a.xml", "host-b.xml", NULL } },
};

static void
test_plan_golden(gconstpointer p)
{
    const PlanGolden *c = p;
    const char *cpusel = g_getenv("CPUSEL");
    g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "data", "baseline", NULL);
    g_autofree char *golden = g_test_build_filename(G_TEST_DIST, "data", "expected",
                                                    "baseline", c->golden, NULL);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *exp = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    if (!cpusel) {
        g_test_skip("CPUSEL is not set");
        return;
    }
    g_ptr_array_add(argv, (char *) cpusel);
    g_ptr_array_add(argv, "plan");
    for (guint i = 0; c->args[i]; i++)
        g_ptr_array_add(argv, (char *) c->args[i]);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &err, &status, &error));
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, &error));
    g_assert_cmpstr(err, ==, "");
    if (g_getenv("CS_TEST_REGENERATE")) {
        g_assert_true(g_file_set_contents(golden, out, -1, &error));
        return;
    }
    g_assert_true(g_file_get_contents(golden, &exp, NULL, &error));
    g_assert_cmpstr(out, ==, exp);
}

/* Every CPU of fixture @name, and its plan. */
static CsFleetPlan *
plan_fixture(const char *name, CsBaselineFlags flags, GPtrArray **out_defs)
{
    g_autofree char *path = data_path("baseline", name);
    g_autoptr(GError) error = NULL;
    g_autoptr(CsBaselineBuilder) b = cs_baseline_builder_new(map, flags,
                                                             CS_BASELINE_BUILD_PLAN);
    g_autoptr(CsCpuStream) s = cs_cpu_stream_open_file(map, path, &error);
    g_autoptr(CsCpuStream) again = cs_cpu_stream_open_file(map, path, &error);
    CsFleetPlan *plan;

    g_assert_no_error(error);
    g_assert_true(cs_baseline_builder_add_stream(b, s, name, NULL, NULL, &error));
    g_assert_no_error(error);
    plan = cs_baseline_builder_plan(b, &error);
    g_assert_no_error(error);
    g_assert_nonnull(plan);
    /* the same CPUs, kept (NULL where a CPU cannot be read) */
    *out_defs = g_ptr_array_new_with_free_func((GDestroyNotify) cs_cpu_def_free);
    for (;;) {
        g_autoptr(GError) local = NULL;
        CsCpuDef *def = NULL;

        if (!cs_cpu_stream_next(again, &def, &local)) {
            g_ptr_array_add(*out_defs, NULL);
            continue;
        }
        if (!def)
            break;
        g_ptr_array_add(*out_defs, def);
    }
    g_assert_cmpuint((*out_defs)->len, ==, cs_fleet_plan_get_n_hosts(plan));
    return plan;
}

/* Whether host @def has feature @name, by its model's features and its own. */
static gboolean
host_has(const CsCpuDef *def, const char *name)
{
    g_autoptr(CsCpuDef) copy = cs_cpu_def_copy(def);
    g_autoptr(GError) error = NULL;

    g_assert_true(cs_cpu_def_expand_features(map, copy, &error));
    g_assert_no_error(error);
    for (guint i = 0; i < cs_cpu_def_get_n_features(copy); i++) {
        if (strcmp(cs_cpu_def_get_feature(copy, i, NULL), name) == 0)
            return TRUE;
    }
    return FALSE;
}

static GHashTable *
expanded_set(const CsCpuDef *def)
{
    g_autoptr(CsCpuDef) copy = cs_cpu_def_copy(def);
    g_autoptr(GError) error = NULL;
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    g_assert_true(cs_cpu_def_expand_features(map, copy, &error));
    g_assert_no_error(error);
    for (guint i = 0; i < cs_cpu_def_get_n_features(copy); i++) {
        CsFeaturePolicy pol;
        const char *name = cs_cpu_def_get_feature(copy, i, &pol);

        if (pol != CS_FEATURE_DISABLE && pol != CS_FEATURE_FORBID)
            g_hash_table_add(set, g_strdup(name));
    }
    return set;
}

typedef struct {
    const char *name;
    CsBaselineFlags flags;
} PlanFixture;

#define PLAN_FIXTURE(name) \
    { name, 0 }, { name, CS_BASELINE_EXPAND }, { name, CS_BASELINE_MIGRATABLE }

static const PlanFixture plan_fixtures[] = {
    PLAN_FIXTURE("fleet.xml"), PLAN_FIXTURE("fleet-groups.xml"),
    PLAN_FIXTURE("fleet-versions.xml"), PLAN_FIXTURE("fleet-many.xml"),
    PLAN_FIXTURE("fleet-removed.xml"),
};

/* Every feature the baseline disables is attributed to exactly the joined
 * hosts that lack it, and to at least one. */
static void
test_plan_attribution(gconstpointer p)
{
    const PlanFixture *fx = p;
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(CsFleetPlan) plan = plan_fixture(fx->name, fx->flags, &defs);
    const CsCpuDef *base = cs_fleet_plan_get_baseline(plan);
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    guint n_disabled = 0;

    for (guint i = 0; i < cs_cpu_def_get_n_features(base); i++) {
        CsFeaturePolicy pol;

        cs_cpu_def_get_feature(base, i, &pol);
        n_disabled += pol == CS_FEATURE_DISABLE;
    }
    g_assert_cmpuint(cs_fleet_plan_get_n_disabled(plan), ==, n_disabled);
    for (guint i = 0; i < n_disabled; i++) {
        const char *feat = cs_fleet_plan_disabled_feature(plan, i);
        guint64 h = cs_fleet_plan_disabled_next_host(plan, i, 0);
        guint64 count = 0;

        g_assert_cmpuint(cs_fleet_plan_disabled_n_hosts(plan, i), >, 0);
        for (guint64 k = 0; k < n; k++) {
            gboolean lacks = cs_fleet_plan_host_status(plan, k) == CS_HOST_JOINED &&
                             !host_has(g_ptr_array_index(defs, k), feat);

            if (lacks) {
                g_assert_cmpuint(h, ==, k);
                h = cs_fleet_plan_disabled_next_host(plan, i, k + 1);
                count++;
            }
        }
        g_assert_cmpuint(h, ==, n);
        g_assert_cmpuint(count, ==, cs_fleet_plan_disabled_n_hosts(plan, i));
    }
}

/* Each host or group said to hold the baseline back: its hosts, and only
 * they, lack what it lacks; it is one host or at most half of the joined
 * hosts; the baseline without it is the baseline of the other joined hosts,
 * and gains exactly the features that one has and the baseline has not. */
static void
test_plan_draggers(gconstpointer p)
{
    const PlanFixture *fx = p;
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(CsFleetPlan) plan = plan_fixture(fx->name, fx->flags, &defs);
    g_autoptr(GHashTable) base_set = expanded_set(cs_fleet_plan_get_baseline(plan));
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    guint64 joined = 0;

    for (guint64 k = 0; k < n; k++)
        joined += cs_fleet_plan_host_status(plan, k) == CS_HOST_JOINED;
    for (guint d = 0; d < cs_fleet_plan_get_n_draggers(plan); d++) {
        const char *const *lacks = cs_fleet_plan_dragger_lacks(plan, d);
        const char *const *gains = cs_fleet_plan_dragger_gains(plan, d);
        guint64 nh = cs_fleet_plan_dragger_n_hosts(plan, d);
        guint64 h = cs_fleet_plan_dragger_next_host(plan, d, 0);
        g_autoptr(GPtrArray) others = g_ptr_array_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuDef) expect = NULL;
        g_autoptr(GHashTable) without_set = NULL;
        g_autofree char *x = NULL;
        g_autofree char *y = NULL;
        guint64 seen = 0;
        guint n_gains = 0;

        g_assert_nonnull(lacks[0]);
        g_assert_true(nh == 1 || nh * 2 <= joined);
        g_assert_cmpuint(h, ==, cs_fleet_plan_dragger_host(plan, d));
        for (guint64 k = 0; k < n; k++) {
            const CsCpuDef *def = g_ptr_array_index(defs, k);
            gboolean in = k == h;

            if (cs_fleet_plan_host_status(plan, k) != CS_HOST_JOINED) {
                g_assert_false(in);
                continue;
            }
            for (guint f = 0; lacks[f]; f++)
                g_assert_true(host_has(def, lacks[f]) != in);
            if (in) {
                seen++;
                h = cs_fleet_plan_dragger_next_host(plan, d, k + 1);
            } else {
                g_ptr_array_add(others, (gpointer) def);
            }
        }
        g_assert_cmpuint(h, ==, n);
        g_assert_cmpuint(seen, ==, nh);

        expect = cs_cpu_baseline(map, (const CsCpuDef *const *) others->pdata, others->len,
                                 fx->flags, &error);
        g_assert_no_error(error);
        g_assert_nonnull(cs_fleet_plan_dragger_baseline(plan, d));
        x = cs_cpu_def_format_xml(expect, 0);
        y = cs_cpu_def_format_xml(cs_fleet_plan_dragger_baseline(plan, d), 0);
        g_assert_cmpstr(x, ==, y);

        without_set = expanded_set(expect);
        for (guint f = 0; gains[f]; f++) {
            g_assert_true(g_hash_table_contains(without_set, gains[f]));
            g_assert_false(g_hash_table_contains(base_set, gains[f]));
        }
        {
            GHashTableIter it;
            gpointer key;

            g_hash_table_iter_init(&it, without_set);
            while (g_hash_table_iter_next(&it, &key, NULL))
                n_gains += !g_hash_table_contains(base_set, key);
        }
        g_assert_cmpuint(g_strv_length((char **) gains), ==, n_gains);
    }
}

/* The fixture of groups: no single host holds the baseline back, three
 * hosts together do and they are the ones lacking what it disables. */
static void
test_plan_groups(void)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(CsFleetPlan) plan = plan_fixture("fleet-groups.xml", 0, &defs);
    const char *const both[] = { "movbe", "invpcid", NULL };

    g_assert_cmpstr(cs_cpu_def_get_model(cs_fleet_plan_get_baseline(plan)), ==,
                    "Haswell-noTSX");
    g_assert_cmpuint(cs_fleet_plan_get_n_draggers(plan), ==, 1);
    g_assert_cmpuint(cs_fleet_plan_dragger_n_hosts(plan, 0), ==, 3);
    g_assert_cmpstrv(cs_fleet_plan_dragger_lacks(plan, 0), both);
    g_assert_cmpstrv(cs_fleet_plan_dragger_gains(plan, 0), both);
    g_assert_cmpuint(cs_fleet_plan_get_n_disabled(plan), ==, 2);
    for (guint i = 0; i < 2; i++) {
        g_assert_cmpstr(cs_fleet_plan_disabled_feature(plan, i), ==, both[i]);
        g_assert_cmpuint(cs_fleet_plan_disabled_n_hosts(plan, i), ==, 3);
        for (guint64 h = cs_fleet_plan_disabled_next_host(plan, i, 0), k = 4; k < 7;
             h = cs_fleet_plan_disabled_next_host(plan, i, h + 1), k++)
            g_assert_cmpuint(h, ==, k);
    }
    /* named by their capabilities' <host><uuid>, else fleet-groups.xml#N */
    g_assert_cmpstr(cs_fleet_plan_host_name(plan, 0), ==,
                    "4c4c4544-0031-3510-8052-b2c04f4e3132");
    g_assert_cmpstr(cs_fleet_plan_host_uuid(plan, 1), ==,
                    "4c4c4544-0031-3510-8052-b2c04f4e3133");
    g_assert_cmpstr(cs_fleet_plan_host_name(plan, 2), ==, "fleet-groups.xml#3");
    g_assert_null(cs_fleet_plan_host_uuid(plan, 2));
}

/* With --migratable a host lacking only invtsc (which does not migrate)
 * still lacks what all others have, but leaving it out changes nothing. */
static void
test_plan_nothing_changes(void)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(CsFleetPlan) plan = plan_fixture("fleet-versions.xml", CS_BASELINE_MIGRATABLE,
                                               &defs);
    const char *const invtsc[] = { "invtsc", NULL };
    g_autofree char *x = NULL;
    g_autofree char *y = NULL;

    g_assert_cmpuint(cs_fleet_plan_dragger_n_hosts(plan, 0), ==, 1);
    g_assert_cmpuint(cs_fleet_plan_dragger_host(plan, 0), ==, 6);
    g_assert_cmpstrv(cs_fleet_plan_dragger_lacks(plan, 0), invtsc);
    g_assert_null(cs_fleet_plan_dragger_gains(plan, 0)[0]);
    x = cs_cpu_def_format_xml(cs_fleet_plan_get_baseline(plan), 0);
    y = cs_cpu_def_format_xml(cs_fleet_plan_dragger_baseline(plan, 0), 0);
    g_assert_cmpstr(x, ==, y);
}

/* The <uuid> of a capabilities <host> names its CPU, with the scanner and
 * with libxml2's reader; a <uuid> elsewhere does not. */
static void
test_stream_host_uuid(void)
{
    const char *text =
        "<fleet><capabilities><host><uuid> u-1 </uuid>" HOST("Penryn", "Intel")
        "</host></capabilities>" HOST("Nehalem", "Intel")
        "<x><uuid>not-a-host</uuid>" HOST("Penryn", "Intel") "</x>"
        "<capabilities><host><uuid>u-2</uuid><topology/>" HOST("Haswell", "Intel")
        "</host></capabilities></fleet>";
    const char *const expect[] = { "u-1", NULL, NULL, "u-2" };

    for (int reader = 0; reader < 2; reader++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuStream) s = reader ?
            cs_cpu_stream_new_from_memory_reader(map, text, strlen(text), "t", &error) :
            cs_cpu_stream_new_from_memory(map, text, strlen(text), "t", &error);

        g_assert_no_error(error);
        for (guint i = 0; i < G_N_ELEMENTS(expect); i++) {
            g_autoptr(CsCpuDef) def = NULL;

            g_assert_true(cs_cpu_stream_next(s, &def, &error));
            g_assert_nonnull(def);
            g_assert_cmpstr(cs_cpu_stream_get_host_uuid(s), ==, expect[i]);
        }
    }
}

/* Versions and aliases of models in the built-in map. */
static void
test_model_relation(void)
{
    static const struct {
        const char *a, *b;
        CsModelRelation rel;
        const char *family;
    } cases[] = {
        { "Haswell-v2", "Haswell-noTSX", CS_MODEL_VERSION_OF, NULL },
        { "Haswell-noTSX", "Haswell-v2", CS_MODEL_HAS_VERSION, NULL },
        { "Haswell-v4", "Haswell-noTSX", CS_MODEL_SIBLINGS, "Haswell" },
        { "Haswell-noTSX-IBRS", "Haswell-noTSX", CS_MODEL_SIBLINGS, "Haswell" },
        { "Haswell", "Haswell-v1", CS_MODEL_HAS_VERSION, NULL },
        { "Haswell", "Haswell-noTSX", CS_MODEL_HAS_VERSION, "Haswell" },
        { "Haswell-v3", "Haswell", CS_MODEL_VERSION_OF, "Haswell" },
        { "Haswell", "Haswell", CS_MODEL_SAME, NULL },
        { "Haswell-noTSX", "SandyBridge", CS_MODEL_UNRELATED, NULL },
        { "Skylake-Client-v4", "Skylake-Client-IBRS", CS_MODEL_SIBLINGS, "Skylake-Client" },
    };
    guint version = 0;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        int a = cs_cpu_map_lookup_model(map, cases[i].a);
        int b = cs_cpu_map_lookup_model(map, cases[i].b);
        int family = -2;

        g_assert_cmpint(a, >=, 0);
        g_assert_cmpint(b, >=, 0);
        g_assert_cmpstr(cs_model_relation_to_string(cs_cpu_map_model_relation(map, a, b,
                                                                             &family)),
                        ==, cs_model_relation_to_string(cases[i].rel));
        if (cases[i].family)
            g_assert_cmpstr(cs_cpu_map_model_name(map, family), ==, cases[i].family);
        else
            g_assert_cmpint(family, ==, -1);
    }
    g_assert_cmpint(cs_cpu_map_model_version(map, cs_cpu_map_lookup_model(map, "Haswell-v4"),
                                             &version), ==,
                    cs_cpu_map_lookup_model(map, "Haswell"));
    g_assert_cmpuint(version, ==, 4);
    g_assert_cmpint(cs_cpu_map_model_version(map,
                                             cs_cpu_map_lookup_model(map, "Haswell-noTSX"),
                                             &version), ==,
                    cs_cpu_map_lookup_model(map, "Haswell"));
    g_assert_cmpuint(version, ==, 2);
    g_assert_cmpint(cs_cpu_map_model_version(map, cs_cpu_map_lookup_model(map, "486"),
                                             &version), ==,
                    cs_cpu_map_lookup_model(map, "486"));
    g_assert_cmpuint(version, ==, 1);
}

static void
quiet(const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_log_set_handler("libcpusel", G_LOG_LEVEL_DEBUG, quiet, NULL);
    map = cs_cpu_map_new_builtin();
    for (guint i = 0; i < G_N_ELEMENTS(stream_cases); i++) {
        g_autofree char *path = g_strdup_printf("/baseline/stream/%s", stream_cases[i].name);

        g_test_add_data_func(path, &stream_cases[i], test_stream_case);
    }
    g_test_add_func("/baseline/stream/continue", test_stream_continue);
    g_test_add_func("/baseline/stream/raw", test_stream_raw);
    g_test_add_func("/baseline/stream/same-as-reader", test_stream_same_as_reader);
    for (guint i = 0; i < G_N_ELEMENTS(error_cases); i++) {
        g_autofree char *path = g_strdup_printf("/baseline/cases/%s", error_cases[i].name);

        g_test_add_data_func(path, &error_cases[i], test_baseline_error);
    }
    g_test_add_func("/baseline/same-model", test_baseline_same_model);
    g_test_add_func("/baseline/plan/builder", test_builder_plan);
    for (guint i = 0; i < G_N_ELEMENTS(plan_goldens); i++) {
        g_autofree char *path = g_strdup_printf("/baseline/plan/golden/%s",
                                                plan_goldens[i].golden);

        g_test_add_data_func(path, &plan_goldens[i], test_plan_golden);
    }
    for (guint i = 0; i < G_N_ELEMENTS(plan_fixtures); i++) {
        const PlanFixture *fx = &plan_fixtures[i];
        static const char *const how[] = { "", "-expand", "-migratable", "-both" };
        guint k = fx->flags & (CS_BASELINE_EXPAND | CS_BASELINE_MIGRATABLE);
        g_autofree char *a = g_strdup_printf("/baseline/plan/attribution/%s%s", fx->name,
                                             how[k]);
        g_autofree char *d = g_strdup_printf("/baseline/plan/draggers/%s%s", fx->name, how[k]);

        g_test_add_data_func(a, fx, test_plan_attribution);
        g_test_add_data_func(d, fx, test_plan_draggers);
    }
    g_test_add_func("/baseline/plan/groups", test_plan_groups);
    g_test_add_func("/baseline/plan/nothing-changes", test_plan_nothing_changes);
    g_test_add_func("/baseline/stream/host-uuid", test_stream_host_uuid);
    g_test_add_func("/baseline/model-relation", test_model_relation);
    rc = g_test_run();
    cs_cpu_map_unref(map);
    return rc;
}
