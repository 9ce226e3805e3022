/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the CS_ERROR domain and how messages show input values */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "core/error-private.h"

/* Not G_DEFINE_QUARK: its unsynchronised static is a data race when the
 * first errors happen in several threads at once (ThreadSanitizer). */
GQuark
cs_error_quark(void)
{
    static gsize quark = 0;

    if (g_once_init_enter(&quark))
        g_once_init_leave(&quark, g_quark_from_static_string("cs-error-quark"));
    return (GQuark) quark;
}

/* TRUE when @c (a whole UTF-8 character) may appear in a message as is. */
static gboolean
shown_plain(gunichar c)
{
    if (c < 0x80)
        return c >= 0x20 && c < 0x7f && c != '\\';
    /* line and paragraph separators, NEL and other invisible controls */
    return g_unichar_isprint(c) && c != 0x2028 && c != 0x2029;
}

char *
cs_shown_n(const char *s, gssize len, guint max)
{
    GString *out = NULL;
    const char *p = s;
    const char *end;
    guint n = 0;

    if (!s)
        return g_strdup("(null)");
    end = s + (len < 0 ? strlen(s) : (gsize) len);
    out = g_string_sized_new(MIN((gsize) (end - s), 256) + 8);
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);

        if (max && n == max) {
            g_string_append(out, "...");
            break;
        }
        n++;
        if (c != (gunichar) -1 && c != (gunichar) -2 && c != 0 && shown_plain(c)) {
            const char *next = g_utf8_next_char(p);

            g_string_append_len(out, p, next - p);
            p = next;
            continue;
        }
        if (c == '\\')
            g_string_append(out, "\\\\");
        else if (c == '\n')
            g_string_append(out, "\\n");
        else if (c == '\t')
            g_string_append(out, "\\t");
        else if (c == '\r')
            g_string_append(out, "\\r");
        else if (c < 0x80 || c == (gunichar) -1 || c == (gunichar) -2) {
            /* ASCII controls and bytes that are not UTF-8: one at a time */
            g_string_append_printf(out, "\\x%02x", (guchar) *p);
            p++;
            continue;
        } else {
            g_string_append_printf(out, "\\u%04x", c);
        }
        p = g_utf8_next_char(p);
    }
    return g_string_free(out, FALSE);
}

char *
cs_shown(const char *s)
{
    return cs_shown_n(s, -1, CS_SHOWN_MAX);
}

const char *
cs_source_name(const char *source, char **out_owned)
{
    *out_owned = NULL;
    for (const guchar *p = (const guchar *) source; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\') {
            /* cs_shown_n() keeps printable UTF-8 and escapes the rest */
            *out_owned = cs_shown_n(source, -1, 0);
            return *out_owned;
        }
    }
    return source;
}

char *
cs_one_line(char *message)
{
    char *w = message;

    for (const char *r = message; *r;) {
        guchar c = (guchar) *r;

        if (g_ascii_isspace(c)) {
            gboolean line_break = FALSE;
            const char *q = r;

            while (*q && g_ascii_isspace(*q)) {
                line_break = line_break || *q == '\n' || *q == '\r';
                q++;
            }
            if (line_break) {
                *w++ = ' ';
            } else {
                for (; r < q; r++)
                    *w++ = *r == '\t' ? ' ' : *r;
            }
            r = q;
            continue;
        }
        *w++ = c < 0x20 || c == 0x7f ? '?' : *r;
        r++;
    }
    *w = '\0';
    while (w > message && g_ascii_isspace(w[-1]))
        *--w = '\0';
    return message;
}
