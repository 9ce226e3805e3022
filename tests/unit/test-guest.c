/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: guest CPUs (compare, encode, update, guest data, generic
 * driver, <cpu> parsing) with the built-in map, on the definitions in
 * tests/data/cpu-def/. Every output form is a golden file in
 * tests/data/expected/guest.*; CS_TEST_REGENERATE=1 rewrites them. The CLI
 * forms (xen, vmware, qemu, json) run the cpusel binary named by $CPUSEL. */
#include <string.h>

#include <libcpusel/libcpusel.h>

typedef enum {
    OP_COMPARE,
    OP_ENCODE,
    OP_UPDATE,
    OP_GUEST,
    OP_ROUNDTRIP,
    OP_CLI,
} Op;

typedef struct {
    const char *name;       /* golden: tests/data/expected/guest.<name> */
    Op op;
    const char *host;
    const char *guest;
    const char *cli_args;   /* OP_CLI: arguments before HOST GUEST / CPU */
    int cli_exit;           /* OP_CLI: the exit status expected */
} Case;

static const Case cases[] = {
    { "compare-forbid.txt", OP_COMPARE, "host-penryn", "guest-exact-forbid" },
    { "compare-min.txt", OP_COMPARE, "host-penryn", "guest-min" },
    { "compare-strict.txt", OP_COMPARE, "host-penryn", "guest-strict" },
    { "compare-aarch64.txt", OP_COMPARE, "aarch64-host", "aarch64-guest" },
    { "compare-aarch64-strict.txt", OP_COMPARE, "aarch64-host", "aarch64-guest-strict" },
    { "encode-force.txt", OP_ENCODE, NULL, "guest-exact-force" },
    { "update-min.xml", OP_UPDATE, "host-penryn", "guest-min" },
    { "update-host-model.xml", OP_UPDATE, "host-penryn", "guest-host-model" },
    { "guest-min.xml", OP_GUEST, "host-penryn", "guest-min" },
    { "roundtrip-host.xml", OP_ROUNDTRIP, NULL, "host-penryn" },
    { "roundtrip-force.xml", OP_ROUNDTRIP, NULL, "guest-exact-force" },
    { "cli-compare.json", OP_CLI, "host-penryn", "guest-exact-forbid", "compare --json", 3 },
    { "cli-encode.xen", OP_CLI, NULL, "guest-exact-force", "encode --format xen" },
    { "cli-encode.vmware", OP_CLI, NULL, "guest-exact-force", "encode --format vmware" },
    { "cli-guest.qemu", OP_CLI, "host-penryn", "guest-min", "guest --format qemu" },
    { "cli-guest.json", OP_CLI, "host-penryn", "guest-min", "guest --format json" },
    { "cli-update.json", OP_CLI, "host-penryn", "guest-min", "update --json" },
};

static char *
input_path(const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_test_build_filename(G_TEST_DIST, "data", "cpu-def", file, NULL);
}

static CsCpuDef *
load(const char *name)
{
    g_autofree char *path = input_path(name);
    g_autoptr(GError) error = NULL;
    CsCpuDef *def = cs_cpu_def_load_file(path, CS_PARSE_AUTO, &error);

    g_assert_no_error(error);
    return def;
}

static void
check_golden(const char *name, const char *actual)
{
    g_autofree char *file = g_strdup_printf("guest.%s", name);
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", "expected", file,
                                                  NULL);
    g_autofree char *expected = NULL;

    if (g_getenv("CS_TEST_REGENERATE")) {
        g_assert_true(g_file_set_contents(path, actual, -1, NULL));
        return;
    }
    g_assert_true(g_file_get_contents(path, &expected, NULL, NULL));
    g_assert_cmpstr(actual, ==, expected);
}

static char *
run(const CsCpuMap *map, const Case *c)
{
    g_autoptr(CsCpuDef) host = c->host && c->op != OP_CLI ? load(c->host) : NULL;
    g_autoptr(CsCpuDef) guest = c->op != OP_CLI ? load(c->guest) : NULL;
    g_autoptr(GError) error = NULL;
    GString *out = g_string_new(NULL);

    switch (c->op) {
    case OP_COMPARE: {
        g_autoptr(CsCompareReport) r = NULL;
        g_autofree char *features = NULL;

        g_assert_true(cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &r, &error));
        features = g_strjoinv(" ", (char **) cs_compare_report_get_features(r));
        g_string_append_printf(out, "result: %s\nreason: %s\nfeatures: %s\nmessage: %s\n",
            cs_compare_result_to_string(cs_compare_report_get_result(r)),
            cs_compare_reason_to_string(cs_compare_report_get_reason(r)), features,
            cs_compare_report_get_message(r));
        break;
    }
    case OP_ENCODE: {
        CsCpuidData *sets[CS_ENCODE_LAST] = { NULL };

        g_assert_true(cs_cpu_encode(map, guest, sets, &error));
        for (guint i = 0; i < CS_ENCODE_LAST; i++) {
            g_autofree char *xml = cs_cpuid_data_format_xml(sets[i]);

            g_string_append_printf(out, "# %s\n%s", cs_encode_set_to_string(i), xml);
            cs_cpuid_data_free(sets[i]);
        }
        break;
    }
    case OP_UPDATE: {
        g_autofree char *xml = NULL;

        g_assert_true(cs_cpu_update(map, guest, host, CS_UPDATE_DEFAULT, &error));
        xml = cs_cpu_def_format_xml(guest, 0);
        g_string_append(out, xml);
        break;
    }
    case OP_GUEST: {
        g_autoptr(CsCpuDef) def = NULL;
        g_autoptr(CsCpuidData) data = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *dxml = NULL;
        g_autoptr(CsCompareReport) r = NULL;

        g_assert_true(cs_cpu_guest_data(map, host, guest, &def, &data, &error));
        xml = cs_cpu_def_format_xml(def, 0);
        dxml = cs_cpuid_data_format_xml(data);
        g_string_append_printf(out, "%s%s", xml, dxml);
        /* invariant: the host still runs the CPU the guest got */
        g_assert_true(cs_cpu_compare(map, host, def, CS_COMPARE_DEFAULT, &r, &error));
        g_assert_cmpint(cs_compare_report_get_result(r), !=, CS_COMPARE_INCOMPATIBLE);
        break;
    }
    case OP_ROUNDTRIP: {
        g_autofree char *xml = cs_cpu_def_format_xml(guest, 0);
        g_autoptr(CsCpuDef) again = cs_cpu_def_parse_xml(xml, strlen(xml), "again",
                                                         CS_PARSE_AUTO, &error);
        g_autofree char *xml2 = NULL;

        g_assert_no_error(error);
        xml2 = cs_cpu_def_format_xml(again, 0);
        g_assert_cmpstr(xml, ==, xml2);
        g_string_append(out, xml);
        break;
    }
    case OP_CLI: {
        const char *cpusel = g_getenv("CPUSEL");
        g_autofree char *h = c->host ? input_path(c->host) : NULL;
        g_autofree char *g = input_path(c->guest);
        g_autofree char *cmd = NULL;
        g_autofree char *std_out = NULL;
        g_autofree char *std_err = NULL;
        gint status = 0;

        if (!cpusel) {
            g_string_free(out, TRUE);
            return NULL;
        }
        cmd = g_strdup_printf("%s %s %s %s", cpusel, c->cli_args, h ? h : "", g);
        g_assert_true(g_spawn_command_line_sync(cmd, &std_out, &std_err, &status, &error));
        /* the exit status and stderr count too: a sanitizer report after
         * the right output fails */
        g_assert_cmpstr(std_err, ==, "");
        if (g_spawn_check_wait_status(status, &error))
            g_assert_cmpint(c->cli_exit, ==, 0);
        else
            g_assert_error(error, G_SPAWN_EXIT_ERROR, c->cli_exit);
        g_clear_error(&error);
        g_string_append(out, std_out);
        break;
    }
    }
    return g_string_free(out, FALSE);
}

static void
test_case(gconstpointer data)
{
    const Case *c = data;
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autofree char *out = run(map, c);

    if (!out) {
        g_test_skip("no $CPUSEL");
        return;
    }
    check_golden(c->name, out);
}

/* Bad input: a clear error, nothing partial. */
static void
test_parse_errors(void)
{
    static const char *const bad[] = {
        "<cpu><model>Penryn</model><feature name='sse3'/><feature name='sse3'/></cpu>",
        "<cpu match='bogus'><model>Penryn</model></cpu>",
        "<cpu><model>Penryn</model><feature policy='maybe' name='sse3'/></cpu>",
        "<cpu><topology sockets='0' cores='1' threads='1'/></cpu>",
        "<cpu><arch>x86_64</arch></cpu>",
        "<cpu><arch>nope</arch><model>Penryn</model></cpu>",
        "<cpu><vendor>Intel</vendor></cpu>",
        "<cpu><feature name='sse3'/></cpu>",
        "<cpu mode='host-model' migratable='on'/>",
        "<cpu><model vendor_id='short'>Penryn</model></cpu>",
        "<domain/>",
        "<cpu",
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuDef) def = cs_cpu_def_parse_xml(bad[i], strlen(bad[i]), "test",
                                                       CS_PARSE_AUTO, &error);

        g_assert_null(def);
        g_assert_error(error, CS_ERROR, error->code);
    }
}

/* Unknown model or feature is an error, not an incompatibility; an unknown
 * vendor is an incompatibility; an unsupported arch is an error. */
static void
test_compare_errors(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(CsCpuDef) host = load("host-penryn");
    static const char *const guests[] = {
        "<cpu><model>Bogus</model></cpu>",
        "<cpu><model>Penryn</model><feature name='bogus'/></cpu>",
    };
    const char *vendor = "<cpu><model>Penryn</model><vendor>Bogus</vendor></cpu>";
    const char *ia64 = "<cpu><arch>ia64</arch><model>Penryn</model></cpu>";
    g_autoptr(CsCpuDef) vg = cs_cpu_def_parse_xml(vendor, strlen(vendor), "v",
                                                  CS_PARSE_AUTO, NULL);
    g_autoptr(CsCpuDef) ih = cs_cpu_def_parse_xml(ia64, strlen(ia64), "i",
                                                  CS_PARSE_AUTO, NULL);
    g_autoptr(CsCompareReport) r = NULL;
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(guests); i++) {
        g_autoptr(CsCpuDef) g = cs_cpu_def_parse_xml(guests[i], strlen(guests[i]), "g",
                                                     CS_PARSE_AUTO, NULL);
        g_autoptr(CsCompareReport) gr = NULL;
        g_autoptr(GError) e = NULL;

        g_assert_false(cs_cpu_compare(map, host, g, CS_COMPARE_DEFAULT, &gr, &e));
        g_assert_nonnull(e);
    }
    g_assert_true(cs_cpu_compare(map, host, vg, CS_COMPARE_DEFAULT, &r, &error));
    g_assert_cmpint(cs_compare_report_get_reason(r), ==, CS_REASON_VENDOR);
    g_assert_false(cs_cpu_compare(map, ih, vg, CS_COMPARE_DEFAULT, &r, &error));
    g_assert_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/guest/golden/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], test_case);
    }
    g_test_add_func("/guest/parse-errors", test_parse_errors);
    g_test_add_func("/guest/compare-errors", test_compare_errors);
    return g_test_run();
}
