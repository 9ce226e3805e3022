/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel: text tables and long lists, shared by every command that prints
 * text. Columns are as wide as their widest cell; a list inside a report
 * shows at most CLI_LIST_MAX entries and then says how many it left out
 * (--json always lists everything). */
#include <stdarg.h>
#include <string.h>
#include "cli.h"

struct _CliTable {
    guint n_cols;
    guint max_rows;         /* 0: no limit */
    GPtrArray *cells;       /* n_cols strings per shown row */
    guint64 n_rows;         /* rows added, shown or not */
};

CliTable *
cli_table_new(guint n_cols, guint max_rows)
{
    CliTable *t;

    g_return_val_if_fail(n_cols > 0, NULL);
    t = g_new0(CliTable, 1);
    t->n_cols = n_cols;
    t->max_rows = max_rows;
    t->cells = g_ptr_array_new_with_free_func(g_free);
    return t;
}

void
cli_table_free(CliTable *t)
{
    if (!t)
        return;
    g_ptr_array_unref(t->cells);
    g_free(t);
}

void
cli_table_add_row(CliTable *t, ...)
{
    va_list ap;

    t->n_rows++;
    if (t->max_rows && t->n_rows > t->max_rows)
        return;
    va_start(ap, t);
    for (guint c = 0; c < t->n_cols; c++) {
        const char *cell = va_arg(ap, const char *);

        g_ptr_array_add(t->cells, g_strdup(cell ? cell : "-"));
    }
    va_end(ap);
}

guint64
cli_table_get_n_rows(const CliTable *t)
{
    return t->n_rows;
}

static gsize
text_width(const char *s)
{
    return g_utf8_validate(s, -1, NULL) ? (gsize) g_utf8_strlen(s, -1) : strlen(s);
}

void
cli_table_append(const CliTable *t, GString *out, const char *indent)
{
    g_autofree gsize *width = g_new0(gsize, t->n_cols);
    guint shown = t->cells->len / t->n_cols;

    for (guint r = 0; r < shown; r++) {
        for (guint c = 0; c < t->n_cols; c++) {
            gsize w = text_width(g_ptr_array_index(t->cells, r * t->n_cols + c));

            width[c] = MAX(width[c], w);
        }
    }
    for (guint r = 0; r < shown; r++) {
        g_string_append(out, indent);
        for (guint c = 0; c < t->n_cols; c++) {
            const char *cell = g_ptr_array_index(t->cells, r * t->n_cols + c);

            g_string_append(out, cell);
            if (c + 1 == t->n_cols)
                break;
            for (gsize pad = text_width(cell); pad < width[c] + 2; pad++)
                g_string_append_c(out, ' ');
        }
        /* an empty last cell leaves no padding behind */
        while (out->len && out->str[out->len - 1] == ' ')
            g_string_truncate(out, out->len - 1);
        g_string_append_c(out, '\n');
    }
    if (t->n_rows > shown)
        cli_append_more(out, indent, t->n_rows - shown);
}

char *
cli_count(guint64 n)
{
    g_autofree char *digits = g_strdup_printf("%" G_GUINT64_FORMAT, n);
    gsize len = strlen(digits);
    GString *s = g_string_sized_new(len + len / 3);

    for (gsize i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            g_string_append_c(s, ',');
        g_string_append_c(s, digits[i]);
    }
    return g_string_free(s, FALSE);
}

void
cli_append_more(GString *out, const char *indent, guint64 n_more)
{
    g_autofree char *n = cli_count(n_more);

    g_string_append_printf(out, "%s... and %s more; --json lists all\n", indent, n);
}

char *
cli_join_list(const char *const *words, guint64 total)
{
    GString *s = g_string_new(NULL);
    guint64 shown = 0;

    for (; words && words[shown] && shown < CLI_LIST_MAX; shown++) {
        if (shown)
            g_string_append_c(s, ' ');
        g_string_append(s, words[shown]);
    }
    if (total > shown) {
        g_autofree char *n = cli_count(total - shown);

        g_string_append_printf(s, "%s... and %s more; --json lists all", shown ? " " : "", n);
    }
    return g_string_free(s, FALSE);
}

void
cli_append_list(GString *out, const char *indent, const char *const *words, guint64 total)
{
    gsize col = 0;
    gsize ind = strlen(indent);
    guint64 shown = 0;

    for (; words && words[shown] && shown < CLI_LIST_MAX; shown++) {
        gsize len = strlen(words[shown]);

        if (col == 0) {
            g_string_append(out, indent);
            col = ind;
        } else if (col + 1 + len > CLI_TEXT_WIDTH) {
            g_string_append_c(out, '\n');
            g_string_append(out, indent);
            col = ind;
        } else {
            g_string_append_c(out, ' ');
            col++;
        }
        g_string_append(out, words[shown]);
        col += len;
    }
    if (col)
        g_string_append_c(out, '\n');
    if (total > shown)
        cli_append_more(out, indent, total - shown);
}
