/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Round trips: what cpusel prints reads back to the same thing */
#include <string.h>
#include <libcpusel/libcpusel.h>

static void
check_data_roundtrip(CsCpuMap *map, const CsCpuidData *data, const char *what)
{
    g_autofree char *xml = cs_cpuid_data_format_xml(data);
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) back = cs_cpuid_data_parse_xml(xml, strlen(xml), what, &error);

    g_assert_no_error(error);
    g_assert_true(cs_cpuid_data_equal(data, back));
    for (guint g = 0; g < 2; g++) {
        CsDecodeFlags flags = g ? CS_DECODE_GUEST : CS_DECODE_HOST;
        g_autoptr(CsCpuDef) a = cs_cpu_decode(map, data, flags, NULL);
        g_autoptr(CsCpuDef) b = cs_cpu_decode(map, back, flags, NULL);
        g_autofree char *xa = a ? cs_cpu_def_format_xml(a, 0) : g_strdup("(none)");
        g_autofree char *xb = b ? cs_cpu_def_format_xml(b, 0) : g_strdup("(none)");

        g_assert_cmpstr(xa, ==, xb);
    }
}

/* `cpusel dump` of this machine decodes as `cpusel host` does. */
static void
test_host_dump(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new_from_host(&error);

    if (!data) {
        g_test_skip(error->message);
        return;
    }
    g_assert_nonnull(cs_cpuid_data_get_leaf(data, 0, 0));
    check_data_roundtrip(map, data, "host");
}

/* Every fixture and reference dump survives format -> parse -> decode. */
static void
test_fixture_dumps(void)
{
    const char *dirs[] = { "data/cpuid", "data/cpuid-r" };
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    const char *ref = g_getenv("CS_REFERENCE_DIR");
    g_autofree char *refdir = g_build_filename(ref ? ref : CS_SOURCE_ROOT "/../shared/reference",
                                               "libvirt-cputestdata", NULL);
    guint n = 0;

    for (guint i = 0; i < G_N_ELEMENTS(dirs) + 1; i++) {
        g_autofree char *dir = i < G_N_ELEMENTS(dirs) ?
                               g_test_build_filename(G_TEST_DIST, dirs[i], NULL) :
                               g_strdup(refdir);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *path = g_build_filename(dir, name, NULL);
            g_autoptr(CsCpuidData) data = NULL;

            if (g_str_has_suffix(name, ".md") ||
                (i == G_N_ELEMENTS(dirs) && !strstr(name, "-cpuid-")) ||
                (i == 1 && !g_str_has_suffix(name, ".txt")))
                continue;
            data = cs_cpuid_data_load_file(path, NULL);
            g_assert_nonnull(data);
            check_data_roundtrip(map, data, name);
            n++;
        }
    }
    g_assert_cmpuint(n, >, 0);
    g_test_message("%u dumps", n);
}

/* A decoded CPU prints, parses back and prints the same. */
static void
test_def_roundtrip(void)
{
    g_autoptr(CsCpuMap) map = cs_cpu_map_new_builtin();
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", "cpuid",
                                                  "sandybridge-i7-2600.xml", NULL);
    g_autoptr(CsCpuidData) data = cs_cpuid_data_load_file(path, NULL);

    for (guint g = 0; g < 2; g++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CsCpuDef) def = cs_cpu_decode(map, data, g ? CS_DECODE_GUEST : CS_DECODE_HOST,
                                                &error);
        g_autofree char *xml = NULL;
        g_autoptr(CsCpuDef) back = NULL;
        g_autofree char *xml2 = NULL;

        g_assert_no_error(error);
        xml = cs_cpu_def_format_xml(def, 0);
        back = cs_cpu_def_parse_xml(xml, strlen(xml), "decoded", CS_PARSE_AUTO, &error);
        g_assert_no_error(error);
        xml2 = cs_cpu_def_format_xml(back, 0);
        g_assert_cmpstr(xml, ==, xml2);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/roundtrip/host-dump", test_host_dump);
    g_test_add_func("/roundtrip/fixture-dumps", test_fixture_dumps);
    g_test_add_func("/roundtrip/cpu-def", test_def_roundtrip);
    return g_test_run();
}
