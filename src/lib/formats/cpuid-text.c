/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: import the text printed by `cpuid -r` / `cpuid -1 -r`
 *
 * The input looks like
 *
 *   CPU 0:
 *      0x00000000 0x00: eax=0x00000016 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69
 *      0x00000001 0x00: eax=0x000906ea ebx=0x00100800 ecx=0x7ffafbff edx=0xbfebfbff
 *   CPU 1:
 *      ...
 *
 * (`cpuid -1 -r` prints a single "CPU:" header). Only the first CPU block is
 * kept; every leaf of it is, whatever its range (0x20000000, 0x40000000,
 * 0x80860000, 0xc0000000, ...), and a leaf printed twice keeps its last
 * values, as the reference conversion (cpuid2xml --from-cpuid) does. Unlike
 * that tool this parser is strict: the whole input must be made of blank
 * lines, '#' comments, "CPU[ N]:" headers and leaf lines, otherwise it fails
 * naming the line. The input need not be NUL-terminated.
 */
#include <string.h>

#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-error.h>

#define SHOWN_TEXT_MAX 72   /* bytes of an offending line quoted in errors */

typedef struct {
    const char *p;
    const char *end;
} Cursor;

/* Returns: (transfer full) @line quoted for an error message: printable
 * ASCII as is, anything else escaped, long lines cut. */
static char *
shown_text(const char *line, gsize len)
{
    GString *s = g_string_new(NULL);
    gsize n = MIN(len, SHOWN_TEXT_MAX);

    for (gsize i = 0; i < n; i++) {
        guchar c = (guchar) line[i];

        if (c == '\\')
            g_string_append(s, "\\\\");
        else if (c == '\t')
            g_string_append(s, "\\t");
        else if (c >= 0x20 && c < 0x7f)
            g_string_append_c(s, (char) c);
        else
            g_string_append_printf(s, "\\x%02x", c);
    }
    if (len > n)
        g_string_append(s, "...");
    return g_string_free(s, FALSE);
}

static void
set_line_error(GError **error, const char *source, gsize lineno,
               const char *line, gsize len, const char *problem)
{
    g_autofree char *shown = shown_text(line, len);

    g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                "%s:%" G_GSIZE_FORMAT ": invalid `cpuid -r` line '%s': %s",
                source, lineno, shown, problem);
}

static gboolean
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void
skip_blanks(Cursor *c)
{
    while (c->p < c->end && is_blank(*c->p))
        c->p++;
}

/* Consumes @word if the input continues with it. */
static gboolean
take_word(Cursor *c, const char *word)
{
    gsize n = strlen(word);

    if ((gsize) (c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return FALSE;
    c->p += n;
    return TRUE;
}

/* "0x" and 1 or more hex digits whose value fits in 32 bits. */
static gboolean
take_hex32(Cursor *c, guint32 *out_value, const char **out_problem)
{
    guint64 value = 0;
    gsize digits = 0;

    if (!take_word(c, "0x") && !take_word(c, "0X")) {
        *out_problem = "expected a hexadecimal number starting with '0x'";
        return FALSE;
    }
    while (c->p < c->end && g_ascii_isxdigit(*c->p)) {
        value = value * 16 + (guint64) g_ascii_xdigit_value(*c->p);
        if (value > G_MAXUINT32) {
            *out_problem = "a number does not fit in 32 bits";
            return FALSE;
        }
        digits++;
        c->p++;
    }
    if (digits == 0) {
        *out_problem = "expected hexadecimal digits after '0x'";
        return FALSE;
    }
    if (c->p < c->end && !is_blank(*c->p) && *c->p != ':') {
        *out_problem = "a number is followed by unexpected characters";
        return FALSE;
    }
    *out_value = (guint32) value;
    return TRUE;
}

/* "CPU:" or "CPU <n>:" (the caller consumed the leading blanks). */
static gboolean
parse_header(Cursor *c, const char **out_problem)
{
    if (!take_word(c, "CPU")) {
        *out_problem = "expected 'CPU'";
        return FALSE;
    }
    skip_blanks(c);
    while (c->p < c->end && g_ascii_isdigit(*c->p))
        c->p++;
    if (!take_word(c, ":")) {
        *out_problem = "expected a 'CPU <n>:' header";
        return FALSE;
    }
    skip_blanks(c);
    if (c->p != c->end) {
        *out_problem = "unexpected text after the CPU header";
        return FALSE;
    }
    return TRUE;
}

/* "0x<leaf> 0x<subleaf>: eax=0x.. ebx=0x.. ecx=0x.. edx=0x.." */
static gboolean
parse_leaf(Cursor *c, CsCpuidLeaf *leaf, const char **out_problem)
{
    static const char *const regs[] = { "eax=", "ebx=", "ecx=", "edx=" };
    guint32 values[G_N_ELEMENTS(regs)];

    if (!take_hex32(c, &leaf->eax_in, out_problem))
        return FALSE;
    skip_blanks(c);
    if (!take_hex32(c, &leaf->ecx_in, out_problem))
        return FALSE;
    if (!take_word(c, ":")) {
        *out_problem = "expected ':' after the sub-leaf";
        return FALSE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(regs); i++) {
        const char *start = c->p;

        skip_blanks(c);
        if (c->p == c->end) {
            static const char *const cut[] = {
                "the line ends before 'eax='",
                "the line ends before 'ebx='",
                "the line ends before 'ecx='",
                "the line ends before 'edx='",
            };
            *out_problem = cut[i];
            return FALSE;
        }
        if (c->p == start) {
            *out_problem = "expected a blank before a register";
            return FALSE;
        }
        if (!take_word(c, regs[i])) {
            static const char *const missing[] = {
                "expected 'eax=' (register missing or out of order)",
                "expected 'ebx=' (register missing or out of order)",
                "expected 'ecx=' (register missing or out of order)",
                "expected 'edx=' (register missing or out of order)",
            };
            *out_problem = missing[i];
            return FALSE;
        }
        if (!take_hex32(c, &values[i], out_problem))
            return FALSE;
    }
    skip_blanks(c);
    if (c->p != c->end) {
        *out_problem = "unexpected text after 'edx'";
        return FALSE;
    }
    leaf->eax = values[0];
    leaf->ebx = values[1];
    leaf->ecx = values[2];
    leaf->edx = values[3];
    return TRUE;
}

static guint64
leaf_key(const CsCpuidLeaf *leaf)
{
    return ((guint64) leaf->eax_in << 32) | leaf->ecx_in;
}

static gint
leaf_sort_cmp(gconstpointer a, gconstpointer b)
{
    guint64 ka = leaf_key(a);
    guint64 kb = leaf_key(b);

    if (ka != kb)
        return ka < kb ? -1 : 1;
    return 0;
}

/* Records @leaf; a leaf seen before takes the new values. */
/* Mixes both halves of a leaf key: GLib's g_int64_hash() of this version
 * keeps only the low 32 bits (the subleaf), which made many leaves with the
 * same subleaf collide. */
static guint
key_hash(gconstpointer v)
{
    guint64 k = *(const guint64 *) v;

    k ^= k >> 33;
    k *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return (guint) k;
}

static void
keep_leaf(GArray *leaves, GHashTable *positions, const CsCpuidLeaf *leaf)
{
    guint64 key = leaf_key(leaf);
    gpointer pos = NULL;

    if (g_hash_table_lookup_extended(positions, &key, NULL, &pos)) {
        g_debug("cpuid -r: leaf 0x%08x 0x%02x printed twice, keeping the last",
                leaf->eax_in, leaf->ecx_in);
        g_array_index(leaves, CsCpuidLeaf, GPOINTER_TO_UINT(pos)) = *leaf;
        return;
    }
    g_hash_table_insert(positions, g_memdup2(&key, sizeof(key)),
                        GUINT_TO_POINTER(leaves->len));
    g_array_append_val(leaves, *leaf);
}

CsCpuidData *
cs_cpuid_data_parse_cpuid_r(const char *text, gsize len, const char *source,
                            GError **error)
{
    g_autoptr(GArray) leaves = NULL;
    g_autoptr(GHashTable) positions = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    gsize pos = 0;
    gsize lineno = 0;
    guint blocks = 0;

    g_return_val_if_fail(text != NULL || len == 0, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (!source)
        source = "(input)";
    leaves = g_array_new(FALSE, FALSE, sizeof(CsCpuidLeaf));
    positions = g_hash_table_new_full(key_hash, g_int64_equal,
                                      g_free, NULL);

    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        gsize line_len = nl ? (gsize) (nl - line) : len - pos;
        const char *problem = NULL;
        Cursor c = { line, line + line_len };
        CsCpuidLeaf leaf = { 0 };

        pos += line_len + (nl ? 1 : 0);
        lineno++;
        if (c.end > c.p && c.end[-1] == '\r')
            c.end--;

        if (memchr(line, '\0', line_len)) {
            set_line_error(error, source, lineno, line, line_len,
                           "it contains a NUL byte");
            return NULL;
        }
        skip_blanks(&c);
        if (c.p == c.end || *c.p == '#')
            continue;
        if (*c.p == 'C') {
            if (!parse_header(&c, &problem)) {
                set_line_error(error, source, lineno, line, line_len, problem);
                return NULL;
            }
            blocks++;
            continue;
        }
        if (!parse_leaf(&c, &leaf, &problem)) {
            set_line_error(error, source, lineno, line, line_len, problem);
            return NULL;
        }
        /* Later CPU blocks are checked but not kept. */
        if (blocks <= 1)
            keep_leaf(leaves, positions, &leaf);
    }

    if (leaves->len == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: no CPUID leaves found in the `cpuid -r` text "
                    "(%" G_GSIZE_FORMAT " lines read)", source, lineno);
        return NULL;
    }

    /* Sorted, so that every insertion below is an append. */
    g_array_sort(leaves, leaf_sort_cmp);
    data = cs_cpuid_data_new();
    for (guint i = 0; i < leaves->len; i++)
        cs_cpuid_data_add_leaf(data, &g_array_index(leaves, CsCpuidLeaf, i));
    return g_steal_pointer(&data);
}
