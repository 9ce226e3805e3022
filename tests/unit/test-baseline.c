/* Unit tests: the baseline (baseline.c), the streaming multi-CPU reader
 * (cpu-stream.c) and the fleet planner, with the built-in map.
 *
 * Fixtures: tests/data/baseline/fleet.xml (hand-written hosts, see the
 * comment in it) and tests/data/cpuid-r/. The
 * planner's goldens are tests/data/expected/baseline/fleet.plan.{txt,json},
 * written by the cpusel command ($CPUSEL); CS_TEST_REGENERATE=1 rewrites
 * them. */
#include <string.h>
#include <libcpusel/libcpusel.h>
#include "cpu-stream-private.h"

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

/* The planner's text and JSON, byte for byte. */
static void
test_plan_golden(gconstpointer p)
{
    const char *fmt = p;
    const char *cpusel = g_getenv("CPUSEL");
    g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "data", "baseline", NULL);
    g_autofree char *name = g_strdup_printf("fleet.plan.%s", fmt);
    g_autofree char *golden = g_test_build_filename(G_TEST_DIST, "data", "expected",
                                                    "baseline", name, NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *exp = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;
    char *argv[] = { (char *) cpusel, "plan", "fleet.xml",
                     strcmp(fmt, "json") == 0 ? "--json" : NULL, NULL };

    if (!cpusel) {
        g_test_skip("CPUSEL is not set");
        return;
    }
    g_assert_true(g_spawn_sync(dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
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
    g_test_add_data_func("/baseline/plan/golden-text", "txt", test_plan_golden);
    g_test_add_data_func("/baseline/plan/golden-json", "json", test_plan_golden);
    rc = g_test_run();
    cs_cpu_map_unref(map);
    return rc;
}
