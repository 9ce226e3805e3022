/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Conformance: cpusel's baseline against libvirt 9.0's answers in
 * ../shared/reference/expected/baseline/ (see its README.md), with libvirt's
 * own map /usr/share/libvirt/cpu_map:
 *   - the 10 baseline input files, plain, --expand and --migratable (30);
 *   - pairs.tsv: every same-vendor pair of decoded host CPUs (3506), once
 *     from libvirt's decoded host XML and once from the raw dumps;
 *   - sets.tsv: 20 sets of 3-12 hosts, plain and --expand (40).
 * Every result is compared byte for byte, and every input host must cover
 * the result (the compatibility invariant: IDENTICAL or SUPERSET).
 * The reference folder comes from $CS_REFERENCE_DIR, by default
 * ../shared/reference beside the source tree; the test is skipped (77)
 * when it or libvirt's map is absent. */
#include <stdio.h>
#include <string.h>
#include <libcpusel/libcpusel.h>
#include "core/cpu-vec-private.h"

#define LIBVIRT_MAP "/usr/share/libvirt/cpu_map"

static CsCpuMap *map;
static char *ref_dir;
/* The expected set: "expected" (libvirt 9.0, its map) or "expected-libvirt12"
 * (CS_EXPECTED_SET; libvirt 12.8). The map: CS_LIBVIRT_CPU_MAP, a directory
 * or "builtin". Paths in the TSV files name the set "expected/". */
static const char *expected_set = "expected";

static char *
ref_path(const char *rel)
{
    if (g_str_has_prefix(rel, "expected/"))
        return g_build_filename(ref_dir, expected_set, rel + strlen("expected/"), NULL);
    return g_build_filename(ref_dir, rel, NULL);
}
static guint n_invariant;   /* host vs result comparisons done */

/* Reads every host CPU of @paths through the streaming reader into an exact
 * builder; returns the baseline XML or "ERROR: message". Checks the
 * invariant on success. */
static char *
baseline_of(char **paths, CsBaselineFlags flags)
{
    g_autoptr(CsBaselineBuilder) b = cs_baseline_builder_new(map, flags,
                                                             CS_BASELINE_BUILD_EXACT);
    g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func(
        (GDestroyNotify) cs_cpu_def_free);
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree CsWord *rv = NULL;

    for (guint i = 0; paths[i]; i++) {
        g_autofree char *full = ref_path(paths[i]);
        g_autoptr(CsCpuStream) s = cs_cpu_stream_open_file(map, full, &error);
        CsCpuDef *host = NULL;

        g_assert_no_error(error);
        while (cs_cpu_stream_next(s, &host, &error) && host) {
            cs_baseline_builder_add(b, host, NULL);
            g_ptr_array_add(hosts, host);
        }
        g_assert_no_error(error);
    }
    if (!(def = cs_baseline_builder_finish(b, &error)))
        return g_strdup_printf("ERROR: %s", error->message);

    /* invariant: each host compares IDENTICAL or SUPERSET to the result
     * (cs_cpu_compare), and has every bit the result requires */
    g_assert_cmpint(cs_cpu_def_get_type(def), ==, CS_CPU_TYPE_GUEST);
    g_assert_cmpint(cs_cpu_def_get_match(def), ==, CS_CPU_MATCH_EXACT);
    rv = cs_cpu_def_to_vec(map, def, CS_VEC_ALL, &error);
    g_assert_no_error(error);
    for (guint h = 0; h < hosts->len; h++) {
        const CsCpuDef *host = g_ptr_array_index(hosts, h);
        g_autofree CsWord *hv = cs_cpu_def_to_vec(map, host, CS_VEC_ALL, &error);
        g_autoptr(CsCompareReport) r = NULL;
        CsCompareResult res;

        g_assert_no_error(error);
        for (guint w = 0; w < map->t.n_words; w++)
            g_assert_cmphex(rv[w] & ~hv[w], ==, 0);
        g_assert_true(cs_cpu_compare(map, host, def, CS_COMPARE_DEFAULT, &r, &error));
        g_assert_no_error(error);
        res = cs_compare_report_get_result(r);
        if (res != CS_COMPARE_IDENTICAL && res != CS_COMPARE_SUPERSET) {
            g_printerr("invariant: host %u of %s: %s\n", h, paths[0],
                       cs_compare_report_get_message(r));
            g_test_fail();
        }
        n_invariant++;
    }
    return cs_cpu_def_format_xml(def, 0);
}

static char *
read_ref(const char *name, gboolean *out_err)
{
    g_autofree char *xml = g_build_filename(ref_dir, expected_set, "baseline", name, NULL);
    g_autofree char *path = g_strconcat(xml, ".xml", NULL);
    g_autofree char *err = g_strconcat(xml, ".err", NULL);
    char *text = NULL;

    *out_err = FALSE;
    if (g_file_get_contents(path, &text, NULL, NULL))
        return text;
    g_assert_true(g_file_get_contents(err, &text, NULL, NULL));
    *out_err = TRUE;
    return text;
}

static void
check(const char *what, const char *got, const char *expected, gboolean is_err)
{
    if (is_err) {
        g_autofree char *exp = g_strstrip(g_strdup(expected));

        /* libvirt prefixes its error class ("operation failed: ") */
        if (!g_str_has_prefix(got, "ERROR: ") ||
            !g_str_has_suffix(exp, got + strlen("ERROR: "))) {
            g_printerr("%s: expected error '%s', got '%s'\n", what, exp, got);
            g_test_fail();
        }
    } else if (strcmp(got, expected) != 0) {
        g_printerr("%s: differs\n--- expected\n%s--- got\n%s", what, expected, got);
        g_test_fail();
    }
}

static const char *const inputs[] = {
    "x86-baseline-5", "x86-baseline-no-vendor", "x86_64-baseline-1", "x86_64-baseline-2",
    "x86_64-baseline-3", "x86_64-baseline-4", "x86_64-baseline-6", "x86_64-baseline-7",
    "x86_64-baseline-incompatible-vendors", "x86_64-baseline-some-vendors",
};

static void
test_inputs(void)
{
    static const struct { const char *suffix; CsBaselineFlags flags; } modes[] = {
        { "result", CS_BASELINE_DEFAULT },
        { "expanded", CS_BASELINE_EXPAND },
        { "migratable", CS_BASELINE_MIGRATABLE },
    };
    guint ok = 0, n = 0;

    for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
        for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
            g_autofree char *file = g_strdup_printf("libvirt-cputestdata/%s.xml", inputs[i]);
            char *paths[] = { file, NULL };
            g_autofree char *name = g_strdup_printf("%s-%s", inputs[i], modes[m].suffix);
            gboolean is_err;
            g_autofree char *exp = read_ref(name, &is_err);
            g_autofree char *got = baseline_of(paths, modes[m].flags);
            gboolean failed_before = g_test_failed();

            check(name, got, exp, is_err);
            n++;
            ok += !g_test_failed() || failed_before;
        }
    }
    g_test_message("baseline inputs: %u/%u", ok, n);
    g_assert_cmpuint(n, ==, 30);
}

static char *
unescape(const char *s)
{
    GString *out = g_string_new(NULL);

    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            g_string_append_c(out, *s == 'n' ? '\n' : *s == 't' ? '\t' : *s);
        } else {
            g_string_append_c(out, *s);
        }
    }
    return g_string_free(out, FALSE);
}

/* With @raw, each decoded host file expected/decode/NAME-host.xml is
 * replaced by its dump libvirt-cputestdata/NAME.xml, which the reader
 * decodes as a host CPU first. */
static void
test_pairs(gconstpointer raw)
{
    g_autofree char *path = g_build_filename(ref_dir, expected_set, "baseline", "pairs.tsv",
                                             NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint n = 0, ok = 0;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 1; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        char *paths[3];
        g_autofree char *got = NULL;
        g_autofree char *exp = NULL;

        if (!*lines[i])
            continue;
        g_assert_cmpuint(g_strv_length(f), ==, 5);
        if (raw) {
            for (guint k = 0; k < 2; k++) {
                g_autofree char *base = g_path_get_basename(f[k]);

                g_assert_true(g_str_has_suffix(base, "-host.xml"));
                base[strlen(base) - strlen("-host.xml")] = '\0';
                g_free(f[k]);
                f[k] = g_strdup_printf("libvirt-cputestdata/%s.xml", base);
            }
        }
        paths[0] = f[0];
        paths[1] = f[1];
        paths[2] = NULL;
        got = baseline_of(paths, CS_BASELINE_DEFAULT);
        exp = unescape(f[4]);
        if (strcmp(f[3], "ok") == 0 && strcmp(got, exp) == 0) {
            ok++;
        } else {
            g_autofree char *what = g_strdup_printf("pair %s + %s", f[0], f[1]);

            check(what, got, exp, strcmp(f[3], "ok") != 0);
        }
        n++;
    }
    g_test_message("pairs: %u/%u", ok, n);
    g_assert_cmpuint(n, ==, 3506);
    g_assert_cmpuint(ok, ==, n);
}

static void
test_sets(void)
{
    g_autofree char *path = g_build_filename(ref_dir, expected_set, "baseline", "sets.tsv",
                                             NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint n = 0;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 1; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        g_auto(GStrv) members = NULL;

        if (!*lines[i])
            continue;
        members = g_strsplit(f[3], ",", -1);
        for (guint e = 0; e < 2; e++) {
            g_autofree char *name = g_strdup_printf("%s-%s", f[0],
                                                    e ? "expanded" : "result");
            gboolean is_err;
            g_autofree char *exp = read_ref(name, &is_err);
            g_autofree char *got = baseline_of(members,
                                               e ? CS_BASELINE_EXPAND : CS_BASELINE_DEFAULT);

            check(name, got, exp, is_err);
            n++;
        }
    }
    g_test_message("sets: %u results", n);
    g_assert_cmpuint(n, ==, 40);
}

static void
quiet(const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    const char *env = g_getenv("CS_REFERENCE_DIR");
    const char *map_dir = g_getenv("CS_LIBVIRT_CPU_MAP");
    g_autofree char *probe = NULL;
    g_autofree char *index = NULL;
    int rc;

    if (g_getenv("CS_EXPECTED_SET"))
        expected_set = g_getenv("CS_EXPECTED_SET");
    if (!map_dir)
        map_dir = LIBVIRT_MAP;

    ref_dir = env ? g_strdup(env) : g_build_filename(CS_SOURCE_ROOT, "..", "shared",
                                                     "reference", NULL);
    probe = g_build_filename(ref_dir, expected_set, "baseline", "pairs.tsv", NULL);
    if (!g_file_test(probe, G_FILE_TEST_IS_REGULAR)) {
        printf("skip: no reference folder at %s (set CS_REFERENCE_DIR)\n", ref_dir);
        g_free(ref_dir);
        return 77;
    }
    index = g_build_filename(map_dir, "index.xml", NULL);
    if (strcmp(map_dir, "builtin") != 0 && !g_file_test(index, G_FILE_TEST_IS_REGULAR)) {
        printf("skip: libvirt's map %s is absent (install libvirt0)\n", map_dir);
        g_free(ref_dir);
        return 77;
    }
    g_test_init(&argc, &argv, NULL);
    g_log_set_handler("libcpusel", G_LOG_LEVEL_DEBUG, quiet, NULL);
    if (strcmp(map_dir, "builtin") == 0) {
        map = cs_cpu_map_new_builtin();
    } else if (!(map = cs_cpu_map_load_dir(map_dir, &error))) {
        g_printerr("cannot load %s: %s\n", map_dir, error->message);
        return 1;
    }
    g_test_add_func("/baseline/reference/inputs", test_inputs);
    g_test_add_data_func("/baseline/reference/pairs", NULL, test_pairs);
    g_test_add_data_func("/baseline/reference/pairs-from-dumps", GINT_TO_POINTER(1),
                         test_pairs);
    g_test_add_func("/baseline/reference/sets", test_sets);
    rc = g_test_run();
    printf("# invariant: %u host/result comparisons\n", n_invariant);
    cs_cpu_map_unref(map);
    g_free(ref_dir);
    return rc;
}
