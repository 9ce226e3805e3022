/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Conformance of compare, encode and update with libvirt 9.0's answers in
 * ../shared/reference/expected (CS_REFERENCE_DIR), using libvirt's own map
 * (/usr/share/libvirt/cpu_map, or CS_LIBVIRT_CPU_MAP). Skips (77) when
 * either is absent.
 *
 * With --batch FILE (or -) it runs lvcpu batch lines (compare, update,
 * encode) and prints records in lvcpu's format, for tools/diff-oracle-guest.py;
 * an INCOMPATIBLE record's "# " line is "REASON: feature, feature" (or the
 * arch / vendor name).
 */
#include <stdio.h>
#include <string.h>
#include <libcpusel/libcpusel.h>

/* The expected set: "expected" (libvirt 9.0) or "expected-libvirt12"
 * (CS_EXPECTED_SET). Paths in its TSV files name it "expected/". */
static const char *expected_set = "expected";

/* @rel (relative to the reference directory) with a leading "expected/"
 * standing for the set in use. */
static char *
ref_path(const char *ref, const char *rel)
{
    if (g_str_has_prefix(rel, "expected/"))
        return g_build_filename(ref, expected_set, rel + strlen("expected/"), NULL);
    return g_build_filename(ref, rel, NULL);
}

static const char *
reason_word(CsCompareReason r)
{
    return cs_compare_reason_to_string(r);
}

static char *
encode_text(const CsCpuMap *map, const CsCpuDef *def, GError **error)
{
    CsCpuidData *sets[CS_ENCODE_LAST] = { NULL };
    GString *s;

    if (!cs_cpu_encode(map, def, sets, error))
        return NULL;
    s = g_string_new(NULL);
    for (guint i = 0; i < CS_ENCODE_LAST; i++) {
        g_autofree char *xml = cs_cpuid_data_format_xml(sets[i]);

        g_string_append_printf(s, "# %s\n%s", cs_encode_set_to_string(i), xml);
        cs_cpuid_data_free(sets[i]);
    }
    return g_string_free(s, FALSE);
}

static char *
update_text_full(const CsCpuMap *map, const char *host_path, const char *guest_path,
                 gboolean migratable, CsFeaturePolicy removed, GError **error);

static char *
update_text(const CsCpuMap *map, const char *host_path, const char *guest_path,
            gboolean migratable, GError **error)
{
    return update_text_full(map, host_path, guest_path, migratable, CS_FEATURE_DISABLE,
                            error);
}

static char *
update_text_full(const CsCpuMap *map, const char *host_path, const char *guest_path,
                 gboolean migratable, CsFeaturePolicy removed, GError **error)
{
    g_autoptr(CsCpuDef) host = cs_cpu_def_load_file(host_path, CS_PARSE_AUTO, error);
    g_autoptr(CsCpuDef) guest = NULL;

    if (!host || !(guest = cs_cpu_def_load_file(guest_path, CS_PARSE_AUTO, error)))
        return NULL;
    if (!cs_cpu_update_full(map, guest, host,
                            migratable ? CS_UPDATE_MIGRATABLE_HOST : CS_UPDATE_DEFAULT,
                            removed, error))
        return NULL;
    return cs_cpu_def_format_xml_full(guest, 0, cs_cpu_map_get_format_flags(map));
}

/* Runs one compare; returns its report or NULL with @error. */
static CsCompareReport *
compare_files(const CsCpuMap *map, const char *host_path, const char *guest_path,
              GError **error)
{
    g_autoptr(CsCpuDef) host = cs_cpu_def_load_file(host_path, CS_PARSE_AUTO, error);
    g_autoptr(CsCpuDef) guest = NULL;
    CsCompareReport *report = NULL;

    if (!host || !(guest = cs_cpu_def_load_file(guest_path, CS_PARSE_AUTO, error)))
        return NULL;
    if (!cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report, error))
        return NULL;
    return report;
}

static char *
report_detail(const CsCompareReport *report)
{
    g_autofree char *list = g_strjoinv(", ", (char **) cs_compare_report_get_features(report));

    if (cs_compare_report_get_subject(report))
        return g_strdup_printf("%s: %s", reason_word(cs_compare_report_get_reason(report)),
                               cs_compare_report_get_subject(report));
    return g_strdup_printf("%s: %s", reason_word(cs_compare_report_get_reason(report)),
                           list);
}

static int
run_batch(const CsCpuMap *map, const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GError *error = NULL;
    guint n = 0;

    if (strcmp(path, "-") == 0) {
        GString *s = g_string_new(NULL);
        char buf[65536];
        size_t got;

        while ((got = fread(buf, 1, sizeof(buf), stdin)) > 0)
            g_string_append_len(s, buf, got);
        text = g_string_free(s, FALSE);
    } else if (!g_file_get_contents(path, &text, NULL, &error)) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return 2;
    }
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        g_auto(GStrv) f = NULL;
        g_autofree char *out = NULL;
        guint nf;

        if (!*lines[i] || lines[i][0] == '#')
            continue;
        n++;
        f = g_strsplit(lines[i], "\t", -1);
        nf = g_strv_length(f);
        if (strcmp(f[0], "compare") == 0 && nf == 3) {
            g_autoptr(CsCompareReport) r = compare_files(map, f[1], f[2], &error);

            if (!r) {
                printf("### %u err\nERROR\n%s\n", i + 1, error->message);
            } else {
                CsCompareResult res = cs_compare_report_get_result(r);
                g_autofree char *word = g_ascii_strup(cs_compare_result_to_string(res), -1);

                printf("### %u ok\n%s\n", i + 1, word);
                if (res == CS_COMPARE_INCOMPATIBLE) {
                    g_autofree char *d = report_detail(r);

                    printf("# %s\n", d);
                }
            }
        } else if (strcmp(f[0], "update") == 0 && (nf == 3 || nf == 4)) {
            /* FLAGS: "-" or a comma list of migratable-host, removed-policy=P */
            g_auto(GStrv) flags = g_strsplit(nf == 4 ? f[3] : "-", ",", -1);
            gboolean migratable = FALSE;
            int removed = CS_FEATURE_DISABLE;

            for (guint k = 0; flags[k]; k++) {
                if (strcmp(flags[k], "migratable-host") == 0)
                    migratable = TRUE;
                else if (g_str_has_prefix(flags[k], "removed-policy="))
                    removed = cs_feature_policy_from_string(flags[k] +
                                                            strlen("removed-policy="));
            }
            if (removed < 0)
                removed = CS_FEATURE_DISABLE;
            out = update_text_full(map, f[1], f[2], migratable, removed, &error);
        } else if (strcmp(f[0], "encode") == 0 && nf == 2) {
            g_autoptr(CsCpuDef) def = cs_cpu_def_load_file(f[1], CS_PARSE_AUTO, &error);

            if (def)
                out = encode_text(map, def, &error);
        } else {
            printf("### %u err\nunsupported line\n", i + 1);
            continue;
        }
        if (strcmp(f[0], "compare") != 0) {
            if (out)
                printf("### %u ok\n%s", i + 1, out);
            else
                printf("### %u err\n%s\n", i + 1, error->message);
        }
        g_clear_error(&error);
    }
    return 0;
}

/* The feature names (or arch/vendor) of libvirt's explanation. */
static char *
libvirt_detail(const char *msg)
{
    const char *p;

    if ((p = strstr(msg, "CPU arch ")))
        return g_strdup_printf("arch: %.*s", (int) (strchr(p + 9, ' ') - (p + 9)), p + 9);
    if ((p = strstr(msg, "required CPU vendor ")))
        return g_strdup_printf("vendor: %s", p + 20);
    if (strstr(msg, "forbidden features: "))
        return g_strdup_printf("forbidden: %s", strrchr(msg, ':') + 2);
    if (strstr(msg, "does not provide required features: "))
        return g_strdup_printf("missing: %s", strrchr(msg, ':') + 2);
    if (strstr(msg, "Extra features: "))
        return g_strdup_printf("extra: %s", strrchr(msg, ':') + 2);
    return g_strdup(msg);
}

static guint n_cases, n_bad;

static void
check(gboolean ok, const char *what, const char *detail)
{
    n_cases++;
    if (!ok) {
        n_bad++;
        if (n_bad <= 20)
            fprintf(stderr, "MISMATCH %s: %s\n", what, detail ? detail : "");
    }
}

static void
run_compare(const CsCpuMap *map, const char *ref)
{
    g_autofree char *path = g_build_filename(ref, expected_set, "compare.tsv", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint before = n_bad, count = n_cases;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 1; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        g_autofree char *host = NULL;
        g_autofree char *guest = NULL;
        g_autoptr(CsCompareReport) r = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *what = NULL;

        if (g_strv_length(f) < 3)
            continue;
        host = ref_path(ref, f[0]);
        guest = ref_path(ref, f[1]);
        what = g_strdup_printf("compare %s %s", f[0], f[1]);
        r = compare_files(map, host, guest, &error);
        if (strcmp(f[2], "ERROR") == 0) {
            check(r == NULL, what, "expected an error");
        } else if (!r) {
            check(FALSE, what, error->message);
        } else {
            CsCompareResult res = cs_compare_report_get_result(r);
            g_autofree char *word = g_ascii_strup(cs_compare_result_to_string(res), -1);

            if (strcmp(word, f[2]) != 0) {
                check(FALSE, what, word);
            } else if (res == CS_COMPARE_INCOMPATIBLE) {
                g_autofree char *ours = report_detail(r);
                g_autofree char *theirs = libvirt_detail(f[3] ? f[3] : "");

                check(strcmp(ours, theirs) == 0, what, ours);
            } else {
                check(TRUE, what, NULL);
            }
        }
    }
    printf("compare: %u/%u agree\n", (n_cases - count) - (n_bad - before), n_cases - count);
}

static void
run_encode(const CsCpuMap *map, const char *ref)
{
    g_autofree char *dir = g_build_filename(ref, expected_set, "encode", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint before = n_bad, count = n_cases;

    if (!d)
        return;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *base = NULL;
        g_autofree char *input = NULL;
        g_autofree char *expected_path = g_build_filename(dir, name, NULL);
        g_autofree char *expected = NULL;
        g_autoptr(CsCpuDef) def = NULL;
        g_autofree char *ours = NULL;
        g_autoptr(GError) error = NULL;

        if (!g_str_has_suffix(name, ".txt") && !g_str_has_suffix(name, ".err"))
            continue;
        base = g_strndup(name, strlen(name) - 4);
        input = g_strdup_printf("%s/libvirt-cputestdata/%s.xml", ref, base);
        if ((def = cs_cpu_def_load_file(input, CS_PARSE_AUTO, &error)))
            ours = encode_text(map, def, &error);
        if (g_str_has_suffix(name, ".err")) {
            check(ours == NULL, name, "expected an error");
        } else {
            g_file_get_contents(expected_path, &expected, NULL, NULL);
            check(ours && expected && strcmp(ours, expected) == 0, name,
                  ours ? ours : error->message);
        }
    }
    printf("encode: %u/%u agree\n", (n_cases - count) - (n_bad - before), n_cases - count);
}

static char *
host_path(const char *ref, const char *host)
{
    char *p = g_strdup_printf("%s/libvirt-cputestdata/%s.xml", ref, host);

    if (g_file_test(p, G_FILE_TEST_EXISTS))
        return p;
    g_free(p);
    return g_strdup_printf("%s/%s/decode/%s.xml", ref, expected_set, host);
}

static void
run_update(const CsCpuMap *map, const char *ref, gboolean migratable)
{
    g_autofree char *dir = migratable ?
        g_build_filename(ref, expected_set, "update", "migratable-host", NULL) :
        g_build_filename(ref, expected_set, "update", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autofree char *errors_path = g_build_filename(dir, "errors.tsv", NULL);
    g_autofree char *errors = NULL;
    const char *name;
    guint before = n_bad, count = n_cases;

    if (!d)
        return;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *base = NULL;
        g_autofree char *host = NULL;
        g_autofree char *guest = NULL;
        g_autofree char *expected_path = g_build_filename(dir, name, NULL);
        g_autofree char *expected = NULL;
        g_autofree char *ours = NULL;
        g_autoptr(GError) error = NULL;
        char *plus;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        base = g_strndup(name, strlen(name) - 4);
        plus = strchr(base, '+');
        *plus = '\0';
        host = host_path(ref, base);
        guest = g_strdup_printf("%s/libvirt-cputestdata/%s.xml", ref, plus + 1);
        ours = update_text(map, host, guest, migratable, &error);
        g_file_get_contents(expected_path, &expected, NULL, NULL);
        check(ours && expected && strcmp(ours, expected) == 0, name,
              ours ? ours : error->message);
    }
    if (g_file_get_contents(errors_path, &errors, NULL, NULL)) {
        g_auto(GStrv) lines = g_strsplit(errors, "\n", -1);

        for (guint i = 1; lines[i]; i++) {
            g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
            g_autofree char *host = NULL;
            g_autofree char *guest = NULL;
            g_autofree char *ours = NULL;
            g_autoptr(GError) error = NULL;

            if (g_strv_length(f) < 2)
                continue;
            host = ref_path(ref, f[0]);
            guest = ref_path(ref, f[1]);
            ours = update_text(map, host, guest, migratable, &error);
            check(ours == NULL, lines[i], "expected an error");
        }
    }
    printf("update%s: %u/%u agree\n", migratable ? " (migratable host)" : "",
           (n_cases - count) - (n_bad - before), n_cases - count);
}

int
main(int argc, char **argv)
{
    const char *map_dir = g_getenv("CS_LIBVIRT_CPU_MAP");
    const char *ref = g_getenv("CS_REFERENCE_DIR");
    g_autofree char *default_ref = NULL;
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(GError) error = NULL;

    if (g_getenv("CS_EXPECTED_SET"))
        expected_set = g_getenv("CS_EXPECTED_SET");
    if (!map_dir)
        map_dir = "/usr/share/libvirt/cpu_map";
    if (strcmp(map_dir, "builtin") == 0) {
        map = cs_cpu_map_new_builtin();
    } else if (!g_file_test(map_dir, G_FILE_TEST_IS_DIR)) {
        printf("1..0 # SKIP no libvirt cpu_map at %s (install libvirt0, or set "
               "CS_LIBVIRT_CPU_MAP)\n", map_dir);
        return 77;
    } else if (!(map = cs_cpu_map_load_dir(map_dir, &error))) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "--batch") == 0)
        return run_batch(map, argv[2]);

    if (!ref) {
        const char *src = g_getenv("G_TEST_SRCDIR");

        default_ref = g_build_filename(src ? src : ".", "..", "..", "shared", "reference",
                                       NULL);
        ref = default_ref;
    }
    if (!g_file_test(ref, G_FILE_TEST_IS_DIR)) {
        printf("1..0 # SKIP no reference directory at %s (set CS_REFERENCE_DIR)\n", ref);
        return 77;
    }
    run_compare(map, ref);
    run_encode(map, ref);
    run_update(map, ref, FALSE);
    run_update(map, ref, TRUE);
    printf("total: %u/%u agree\n", n_cases - n_bad, n_cases);
    return n_bad ? 1 : 0;
}
