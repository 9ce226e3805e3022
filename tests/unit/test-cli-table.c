/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: the command's text tables and capped lists (src/cli/table.c),
 * and the alignment of every table the cpusel command ($CPUSEL) prints:
 * each column starts at the same offset on every line, whatever the width
 * of its cells (vendor "Zhaoxin CentaurHauls", long feature bit lists). */
#include <string.h>
#include "cli.h"

static void
test_widths_from_content(void)
{
    g_autoptr(CliTable) t = cli_table_new(3, 0);
    GString *s = g_string_new(NULL);
    g_autofree char *out = NULL;

    cli_table_add_row(t, "MODEL", "VENDOR", "NOTE");
    cli_table_add_row(t, "YongFeng", "Zhaoxin CentaurHauls", "both");
    cli_table_add_row(t, "Skylake-Client-noTSX-IBRS", "Intel", NULL);
    cli_table_add_row(t, "x", NULL, "");
    cli_table_append(t, s, "  ");
    out = g_string_free(s, FALSE);
    g_assert_cmpstr(out, ==,
                    "  MODEL                      VENDOR                NOTE\n"
                    "  YongFeng                   Zhaoxin CentaurHauls  both\n"
                    "  Skylake-Client-noTSX-IBRS  Intel                 -\n"
                    "  x                          -\n");
}

static void
test_utf8_width(void)
{
    g_autoptr(CliTable) t = cli_table_new(2, 0);
    GString *s = g_string_new(NULL);
    g_autofree char *out = NULL;

    cli_table_add_row(t, "h\xc3\xb4te", "a");
    cli_table_add_row(t, "hosts", "b");
    cli_table_append(t, s, "");
    out = g_string_free(s, FALSE);
    g_assert_cmpstr(out, ==, "h\xc3\xb4te   a\nhosts  b\n");
}

static void
test_capped_rows(void)
{
    g_autoptr(CliTable) t = cli_table_new(2, CLI_LIST_MAX);
    GString *s = g_string_new(NULL);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;

    for (guint i = 0; i < 22780; i++) {
        g_autofree char *name = g_strdup_printf("host-%u", i);

        cli_table_add_row(t, name, "other-vendor");
    }
    g_assert_cmpuint(cli_table_get_n_rows(t), ==, 22780);
    cli_table_append(t, s, "  ");
    out = g_string_free(s, FALSE);
    lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, CLI_LIST_MAX + 2);
    g_assert_cmpstr(lines[CLI_LIST_MAX], ==, "  ... and 22,580 more; --json lists all");
    /* widths come from the rows shown */
    g_assert_cmpstr(lines[0], ==, "  host-0    other-vendor");
}

static void
test_count(void)
{
    static const struct { guint64 n; const char *text; } cases[] = {
        { 0, "0" }, { 999, "999" }, { 1000, "1,000" }, { 22580, "22,580" },
        { 100000, "100,000" }, { 1234567, "1,234,567" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *s = cli_count(cases[i].n);

        g_assert_cmpstr(s, ==, cases[i].text);
    }
}

static void
test_lists(void)
{
    g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *joined = NULL;
    g_autofree char *few = NULL;
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    GString *s = g_string_new(NULL);
    const char *const three[] = { "a", "b", "c", NULL };

    for (guint i = 0; i < CLI_LIST_MAX + 5; i++)
        g_ptr_array_add(words, g_strdup_printf("feature-%u", i));
    g_ptr_array_add(words, NULL);
    /* a list longer than the cap, and a list given only in part */
    joined = cli_join_list((const char *const *) words->pdata, CLI_LIST_MAX + 5);
    g_assert_true(g_str_has_suffix(joined, " feature-199 ... and 5 more; --json lists all"));
    few = cli_join_list(three, 4);
    g_assert_cmpstr(few, ==, "a b c ... and 1 more; --json lists all");
    g_free(few);
    few = cli_join_list(three, 3);
    g_assert_cmpstr(few, ==, "a b c");

    cli_append_list(s, "    ", (const char *const *) words->pdata, 22780);
    out = g_string_free(s, FALSE);
    lines = g_strsplit(out, "\n", -1);
    for (guint i = 0; lines[i] && lines[i][0]; i++) {
        g_assert_true(g_str_has_prefix(lines[i], "    "));
        g_assert_cmpuint(strlen(lines[i]), <=, CLI_TEXT_WIDTH);
    }
    g_assert_true(g_str_has_suffix(out, "feature-199\n    ... and 22,580 more; --json lists all\n"));
}

/* The start offset of each column in a header line ("MODEL   VENDOR ..."). */
static GArray *
header_columns(const char *header)
{
    GArray *cols = g_array_new(FALSE, FALSE, sizeof(gsize));

    for (gsize i = 0; header[i]; i++) {
        /* columns are two spaces apart; a header may hold one space */
        if (header[i] != ' ' && (i == 0 || (i >= 2 && header[i - 1] == ' ' &&
                                            header[i - 2] == ' ')))
            g_array_append_val(cols, i);
    }
    return cols;
}

typedef struct {
    const char *name;
    const char *args[6];
} AlignCase;

static const AlignCase align_cases[] = {
    { "models", { "models", NULL } },
    { "models-data", { "models", "--data", "data/cpuid/sandybridge-i7-2600.xml", NULL } },
    { "features", { "features", NULL } },
};

/* Every cell of every row starts where its column's header does. */
static void
test_aligned(gconstpointer p)
{
    const AlignCase *c = p;
    const char *cpusel = g_getenv("CPUSEL");
    const char *dir = g_test_get_dir(G_TEST_DIST);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GArray) cols = NULL;
    int status = 0;
    gboolean zhaoxin = FALSE;

    if (!cpusel) {
        g_test_skip("CPUSEL is not set");
        return;
    }
    g_ptr_array_add(argv, (char *) cpusel);
    for (guint i = 0; c->args[i]; i++)
        g_ptr_array_add(argv, (char *) c->args[i]);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, NULL, &status, &error));
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, &error));
    lines = g_strsplit(out, "\n", -1);
    cols = header_columns(lines[0]);
    g_assert_cmpuint(cols->len, >=, 4);
    for (guint l = 1; lines[l] && lines[l][0]; l++) {
        gsize len = strlen(lines[l]);

        zhaoxin = zhaoxin || strstr(lines[l], "Zhaoxin CentaurHauls") != NULL;
        for (guint k = 1; k < cols->len; k++) {
            gsize at = g_array_index(cols, gsize, k);

            if (at >= len)
                break;      /* an empty last cell */
            if (lines[l][at - 1] != ' ' || lines[l][at] == ' ')
                g_error("%s, line %u: column %u does not start at offset %zu:\n%s\n%s",
                        c->name, l + 1, k + 1, at, lines[0], lines[l]);
        }
    }
    if (strcmp(c->args[0], "models") == 0)
        g_assert_true(zhaoxin);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli-table/widths-from-content", test_widths_from_content);
    g_test_add_func("/cli-table/utf8-width", test_utf8_width);
    g_test_add_func("/cli-table/capped-rows", test_capped_rows);
    g_test_add_func("/cli-table/count", test_count);
    g_test_add_func("/cli-table/lists", test_lists);
    for (guint i = 0; i < G_N_ELEMENTS(align_cases); i++) {
        g_autofree char *path = g_strdup_printf("/cli-table/aligned/%s", align_cases[i].name);

        g_test_add_data_func(path, &align_cases[i], test_aligned);
    }
    return g_test_run();
}
