/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: `cpuid -r` text import (cpuid-text.c) and host CPUID reading
 * (cpuid-host.c).
 *
 * Fixtures are tests/data/cpuid-r/NAME.txt with NAME.xml beside them, the
 * reference conversion (`cpuid2xml --from-cpuid NAME.txt --no-comment`); see
 * the README there. Run with G_TEST_SRCDIR set to the tests/ directory. */
#include <stdio.h>
#include <string.h>

#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-error.h>

/* Parses exactly @len bytes from a buffer that holds nothing more (so that
 * the sanitizers catch any read past the end). */
static CsCpuidData *
parse_exact(const char *text, gsize len, const char *source, GError **error)
{
    g_autofree char *copy = g_malloc(len ? len : 1);

    memcpy(copy, text, len);
    return cs_cpuid_data_parse_cpuid_r(copy, len, source, error);
}

static char *
fixture_path(const char *name, const char *ext)
{
    g_autofree char *file = g_strconcat(name, ext, NULL);

    return g_test_build_filename(G_TEST_DIST, "data", "cpuid-r", file, NULL);
}

/* Reads the leaves of the oracle's <cpudata> output (one element a line). */
static GArray *
load_oracle_xml(const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GArray *leaves = g_array_new(FALSE, FALSE, sizeof(CsCpuidLeaf));

    g_assert_true(g_file_get_contents(path, &text, NULL, &error));
    g_assert_no_error(error);
    lines = g_strsplit(text, "\n", -1);
    for (gsize i = 0; lines[i]; i++) {
        CsCpuidLeaf l = { 0 };

        if (!strstr(lines[i], "<cpuid "))
            continue;
        g_assert_cmpint(sscanf(lines[i],
                               " <cpuid eax_in='0x%x' ecx_in='0x%x' eax='0x%x'"
                               " ebx='0x%x' ecx='0x%x' edx='0x%x'/>",
                               &l.eax_in, &l.ecx_in, &l.eax, &l.ebx, &l.ecx,
                               &l.edx), ==, 6);
        g_array_append_val(leaves, l);
    }
    return leaves;
}

static CsCpuidData *
load_fixture(const char *name)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = fixture_path(name, ".txt");
    g_autofree char *text = NULL;
    gsize len = 0;
    CsCpuidData *data;

    g_assert_true(g_file_get_contents(path, &text, &len, &error));
    data = parse_exact(text, len, path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(data);
    return data;
}

static void
assert_leaf(const CsCpuidData *data, guint32 eax_in, guint32 ecx_in,
            guint32 eax, guint32 ebx, guint32 ecx, guint32 edx)
{
    const CsCpuidLeaf *l = cs_cpuid_data_get_leaf(data, eax_in, ecx_in);

    g_assert_nonnull(l);
    g_assert_cmphex(l->eax, ==, eax);
    g_assert_cmphex(l->ebx, ==, ebx);
    g_assert_cmphex(l->ecx, ==, ecx);
    g_assert_cmphex(l->edx, ==, edx);
}

/* ---- fixtures: equal to the reference conversion, leaf by leaf ---------- */

static void
test_fixture_matches_oracle(gconstpointer user_data)
{
    const char *name = user_data;
    g_autoptr(CsCpuidData) data = load_fixture(name);
    g_autofree char *xml = fixture_path(name, ".xml");
    g_autoptr(GArray) expected = load_oracle_xml(xml);
    const CsCpuidLeaf *leaves;
    gsize n = 0;

    leaves = cs_cpuid_data_get_leaves(data, &n);
    g_assert_cmpuint(n, ==, expected->len);
    for (gsize i = 0; i < n; i++) {
        const CsCpuidLeaf *e = &g_array_index(expected, CsCpuidLeaf, i);

        g_assert_cmphex(leaves[i].eax_in, ==, e->eax_in);
        g_assert_cmphex(leaves[i].ecx_in, ==, e->ecx_in);
        g_assert_cmphex(leaves[i].eax, ==, e->eax);
        g_assert_cmphex(leaves[i].ebx, ==, e->ebx);
        g_assert_cmphex(leaves[i].ecx, ==, e->ecx);
        g_assert_cmphex(leaves[i].edx, ==, e->edx);
    }
    cs_cpuid_data_get_msrs(data, &n);
    g_assert_cmpuint(n, ==, 0);
}

static void
test_real_machine(void)
{
    g_autoptr(CsCpuidData) data = load_fixture("amd-epyc-kvm");
    gsize n = 0;

    cs_cpuid_data_get_leaves(data, &n);
    g_assert_cmpuint(n, ==, 85);
    /* "AuthenticAMD", family 25 model 17 */
    assert_leaf(data, 0x0, 0x0, 0x0000001c, 0x68747541, 0x444d4163, 0x69746e65);
    assert_leaf(data, 0x1, 0x0, 0x00a10f11, 0x01020800, 0xfffa3203, 0x178bfbff);
    assert_leaf(data, 0x7, 0x1, 0x00000020, 0, 0, 0);
    assert_leaf(data, 0xd, 0xc, 0x00000018, 0, 0x00000001, 0);
    assert_leaf(data, 0x8000001d, 0x3, 0x00004163, 0x03c0003f, 0x00007fff,
                0x00000001);
    /* every range printed is kept, all-zero leaves too */
    assert_leaf(data, 0x20000000, 0x0, 0, 0, 0, 0);
    assert_leaf(data, 0x40000000, 0x0, 0x40000001, 0x4b4d564b, 0x564b4d56,
                0x0000004d);
    assert_leaf(data, 0x40000100, 0x0, 0, 0, 0, 0);
    assert_leaf(data, 0x80860000, 0x0, 0, 0, 0, 0);
    assert_leaf(data, 0xc0000000, 0x0, 0, 0, 0, 0);
    /* the APIC IDs are not masked on import */
    assert_leaf(data, 0xb, 0x2, 0, 0, 0x00000002, 0x00000001);
}

static void
test_multi_cpu_first_block(void)
{
    g_autoptr(CsCpuidData) data = load_fixture("multi-cpu");
    gsize n = 0;

    cs_cpuid_data_get_leaves(data, &n);
    g_assert_cmpuint(n, ==, 16);
    /* CPU 0's APIC IDs, not CPU 1's or CPU 2's */
    assert_leaf(data, 0x1, 0x0, 0x000206a7, 0x00100800, 0x1fbae3ff, 0xbfebfbff);
    assert_leaf(data, 0xb, 0x1, 0x00000004, 0x00000008, 0x00000201, 0);
    /* the terminating sub-leaf printed by cpuid is kept */
    assert_leaf(data, 0x4, 0x4, 0, 0, 0, 0);
    /* leaves only CPU 1 has are not */
    g_assert_null(cs_cpuid_data_get_leaf(data, 0x80000009, 0));
}

static void
test_ranges(void)
{
    g_autoptr(CsCpuidData) data = load_fixture("ranges");

    assert_leaf(data, 0x20000000, 0x0, 0, 0, 0, 0);
    assert_leaf(data, 0x40000001, 0x0, 0x01007efb, 0, 0, 0);
    assert_leaf(data, 0x80860001, 0x0, 0x00000543, 0, 0, 0x0000000f);
    assert_leaf(data, 0xc0000001, 0x0, 0, 0, 0, 0x000033cc);
    assert_leaf(data, 0xc0000004, 0x0, 0, 0, 0, 0);
    g_assert_null(cs_cpuid_data_get_leaf(data, 0xc0000002, 0));
}

/* ---- accepted variations ----------------------------------------------- */

typedef struct {
    const char *name;
    const char *text;
    gsize len;                  /* 0: strlen(text) */
    guint32 eax_in;             /* a leaf to look at */
    guint32 ecx_in;
    guint32 ebx;                /* its expected EBX */
    gsize n_leaves;
} GoodCase;

static const GoodCase good_cases[] = {
    { "no-header",
      "0x00000000 0x00: eax=0x00000001 ebx=0x11111111 ecx=0x0 edx=0x0\n",
      0, 0x0, 0x0, 0x11111111, 1 },
    { "crlf",
      "CPU:\r\n   0x00000001 0x00: eax=0x1 ebx=0x22 ecx=0x3 edx=0x4\r\n\r\n",
      0, 0x1, 0x0, 0x22, 1 },
    { "tabs-comments-blank-lines",
      "# cpuid -r of a test box\n\n\tCPU 0:\t\n"
      "\t0x00000007\t0x01:\teax=0x0\tebx=0xABCDEF01\tecx=0x0\tedx=0x0\t\n",
      0, 0x7, 0x1, 0xabcdef01, 1 },
    { "no-final-newline",
      "CPU 0:\n   0x00000000 0x00: eax=0x0 ebx=0x5 ecx=0x0 edx=0x0",
      0, 0x0, 0x0, 0x5, 1 },
    { "duplicate-last-wins",
      "   0x00000001 0x00: eax=0x0 ebx=0xff ecx=0x0 edx=0x0\n"
      "   0x00000001 0x00: eax=0x0 ebx=0x01 ecx=0x0 edx=0x0\n",
      0, 0x1, 0x0, 0x01, 1 },
    { "leading-zeros",
      "   0x0000000000000001 0x0000: eax=0x0 ebx=0x000000000042 ecx=0x0 edx=0x0\n",
      0, 0x1, 0x0, 0x42, 1 },
    { "wide-subleaf",
      "   0x0000000d 0x3f: eax=0x0 ebx=0x9 ecx=0x0 edx=0x0\n"
      "   0x0000000d 0xffffffff: eax=0x0 ebx=0x7 ecx=0x0 edx=0x0\n",
      0, 0xd, 0xffffffff, 0x7, 2 },
    { "len-stops-before-garbage",
      "   0x00000001 0x00: eax=0x0 ebx=0x33 ecx=0x0 edx=0x0\n\x01 GARBAGE",
      53, 0x1, 0x0, 0x33, 1 },
};

static void
test_good(gconstpointer user_data)
{
    const GoodCase *c = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    gsize len = c->len ? c->len : strlen(c->text);
    const CsCpuidLeaf *l;
    gsize n = 0;

    data = parse_exact(c->text, len, c->name, &error);
    g_assert_no_error(error);
    g_assert_nonnull(data);
    cs_cpuid_data_get_leaves(data, &n);
    g_assert_cmpuint(n, ==, c->n_leaves);
    l = cs_cpuid_data_get_leaf(data, c->eax_in, c->ecx_in);
    g_assert_nonnull(l);
    g_assert_cmphex(l->ebx, ==, c->ebx);
}

/* ---- hostile input ----------------------------------------------------- */

typedef struct {
    const char *name;           /* also the source given to the parser */
    const char *text;
    gsize len;                  /* 0: strlen(text) */
    const char *line;           /* ":N:" the message must name, or NULL */
    const char *shown;          /* the offending text as quoted, or NULL */
    const char *problem;        /* part of the explanation */
} BadCase;

#define LEAF0 "   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 " \
              "ecx=0x6c65746e edx=0x49656e69\n"

static const BadCase bad_cases[] = {
    { "truncated-line",
      "CPU 0:\n" LEAF0 "   0x00000001 0x00: eax=0x000206a7 ebx=0x0010",
      0, ":3:", "ebx=0x0010'", "the line ends before 'ecx='" },
    { "cut-mid-prefix",
      LEAF0 "   0x00000001 0x00: eax=0", 0, ":2:", "eax=0'",
      "starting with '0x'" },
    { "bad-hex-digit",
      "   0x0000000g 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n", 0, ":1:",
      "0x0000000g 0x00", "followed by unexpected characters" },
    { "bad-hex-register",
      LEAF0 "   0x00000001 0x00: eax=0xZZ ebx=0x0 ecx=0x0 edx=0x0\n", 0, ":2:",
      "eax=0xZZ", "expected hexadecimal digits" },
    { "no-0x-prefix",
      "   0x00000001 0x00: eax=12345678 ebx=0x0 ecx=0x0 edx=0x0\n", 0, ":1:",
      "eax=12345678", "starting with '0x'" },
    { "missing-register",
      "   0x00000001 0x00: eax=0x0 ebx=0x0 edx=0x0\n", 0, ":1:",
      "ebx=0x0 edx=0x0", "expected 'ecx='" },
    { "registers-out-of-order",
      "   0x00000001 0x00: ebx=0x0 eax=0x0 ecx=0x0 edx=0x0\n", 0, ":1:",
      "ebx=0x0 eax", "expected 'eax='" },
    { "missing-colon",
      "   0x00000001 0x00 eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n", 0, ":1:",
      "0x00 eax", "expected ':' after the sub-leaf" },
    { "missing-subleaf",
      "   0x00000001: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n", 0, ":1:",
      "0x00000001:", "starting with '0x'" },
    { "huge-register",
      "   0x00000001 0x00: eax=0x100000000 ebx=0x0 ecx=0x0 edx=0x0\n", 0,
      ":1:", "eax=0x100000000", "does not fit in 32 bits" },
    { "huge-leaf",
      "   0xffffffffffffffffffffffff 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n",
      0, ":1:", "0xffffffffffffffffffff", "does not fit in 32 bits" },
    { "trailing-text",
      "   0x00000001 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0 esx=0x1\n", 0,
      ":1:", "edx=0x0 esx=0x1", "unexpected text after 'edx'" },
    { "bad-header",
      "CPU zero:\n" LEAF0, 0, ":1:", "CPU zero:", "'CPU <n>:' header" },
    { "no-blank-between-registers",
      "   0x00000001 0x00: eax=0x0ebx=0x0 ecx=0x0 edx=0x0\n", 0, ":1:",
      "eax=0x0ebx", "followed by unexpected characters" },
    { "glued-register",
      "   0x00000001 0x00:eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n", 0, ":1:",
      "0x00:eax", "expected a blank before a register" },
    { "prose",
      "This is not the output of cpuid.\n", 0, ":1:", "This is not",
      "starting with '0x'" },
    { "binary-garbage",
      "\xff\xfe\x01\x02garbage\x7f\n", 0, ":1:",
      "\\xff\\xfe\\x01\\x02garbage\\x7f", "starting with '0x'" },
    { "nul-byte",
      LEAF0 "   0x00000001 0x00: eax=0x0\0 ebx=0x0 ecx=0x0 edx=0x0\n",
      sizeof(LEAF0) - 1 + 53, ":2:", "eax=0x0\\x00 ebx", "NUL byte" },
    { "nul-in-comment",
      "# \0\n" LEAF0, 4 + sizeof(LEAF0) - 1, ":1:", "# \\x00", "NUL byte" },
    { "error-in-later-block",
      "CPU 0:\n" LEAF0 "CPU 1:\n   0x00000000 0x00: eax=0x0000000d\n", 0,
      ":4:", "eax=0x0000000d'", "the line ends before 'ebx='" },
    { "long-line-cut",
      "   0x00000001 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0 "
      "0123456789012345678901234567890123456789012345678901234567890123456789\n",
      0, ":1:", "56789...'", "unexpected text after 'edx'" },
    { "no-leaves-empty", "", 0, NULL, NULL, "no CPUID leaves" },
    { "no-leaves-headers",
      "CPU 0:\n\n# nothing\n", 0, NULL, NULL, "no CPUID leaves" },
    { "no-leaves-in-first-block",
      "CPU 0:\nCPU 1:\n" LEAF0, 0, NULL, NULL, "no CPUID leaves" },
};

static void
test_bad(gconstpointer user_data)
{
    const BadCase *c = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    gsize len = c->len ? c->len : strlen(c->text);

    data = parse_exact(c->text, len, c->name, &error);
    g_assert_null(data);
    g_assert_error(error, CS_ERROR, CS_ERROR_PARSE);
    g_test_message("%s", error->message);
    g_assert_true(g_str_has_prefix(error->message, c->name));
    if (c->line)
        g_assert_nonnull(strstr(error->message, c->line));
    if (c->shown)
        g_assert_nonnull(strstr(error->message, c->shown));
    g_assert_nonnull(strstr(error->message, c->problem));
}

static void
test_null_source(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) data = NULL;

    data = cs_cpuid_data_parse_cpuid_r("junk", 4, NULL, &error);
    g_assert_null(data);
    g_assert_error(error, CS_ERROR, CS_ERROR_PARSE);
    g_assert_true(g_str_has_prefix(error->message, "(input):1:"));
}

/* ---- this machine ------------------------------------------------------ */

static void
test_host(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new_from_host(&error);
#if defined(__x86_64__) || defined(__i386__)
    const CsCpuidLeaf *leaf0;
    const CsCpuidLeaf *leaf1;
    char vendor[13];

    g_assert_no_error(error);
    g_assert_nonnull(data);
    leaf0 = cs_cpuid_data_get_leaf(data, 0x0, 0);
    leaf1 = cs_cpuid_data_get_leaf(data, 0x1, 0);
    g_assert_nonnull(leaf0);
    g_assert_nonnull(leaf1);
    g_assert_cmphex(leaf0->eax, >=, 1);
    memcpy(vendor, &leaf0->ebx, 4);
    memcpy(vendor + 4, &leaf0->edx, 4);
    memcpy(vendor + 8, &leaf0->ecx, 4);
    vendor[12] = '\0';
    g_test_message("vendor '%s', signature 0x%08x", vendor, leaf1->eax);
    for (gsize i = 0; i < 12; i++)
        g_assert_true(g_ascii_isprint(vendor[i]));
    /* the initial APIC ID is masked */
    g_assert_cmphex(leaf1->ebx >> 24, ==, 0);
    /* every basic leaf up to the maximum is there */
    g_assert_nonnull(cs_cpuid_data_get_leaf(data, MIN(leaf0->eax, 0xff), 0));
#else
    g_assert_null(data);
    g_assert_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED);
#endif
}

static void
test_host_stable(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCpuidData) a = cs_cpuid_data_new_from_host(&error);
    g_autoptr(CsCpuidData) b = NULL;
    const CsCpuidLeaf *la;
    const CsCpuidLeaf *lb;
    gsize na = 0;
    gsize nb = 0;

    if (!a) {
        g_test_skip(error->message);
        return;
    }
    b = cs_cpuid_data_new_from_host(&error);
    g_assert_no_error(error);
    la = cs_cpuid_data_get_leaves(a, &na);
    lb = cs_cpuid_data_get_leaves(b, &nb);
    g_assert_cmpuint(na, ==, nb);
    for (gsize i = 0; i < na; i++) {
        g_assert_cmphex(la[i].eax_in, ==, lb[i].eax_in);
        g_assert_cmphex(la[i].ecx_in, ==, lb[i].ecx_in);
    }
}

int
main(int argc, char **argv)
{
    static const char *const fixtures[] = {
        "amd-epyc-kvm", "multi-cpu", "ranges",
    };

    g_test_init(&argc, &argv, NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(fixtures); i++) {
        g_autofree char *path = g_strdup_printf("/cpuid-text/oracle/%s",
                                                fixtures[i]);

        g_test_add_data_func(path, fixtures[i], test_fixture_matches_oracle);
    }
    g_test_add_func("/cpuid-text/real-machine", test_real_machine);
    g_test_add_func("/cpuid-text/multi-cpu", test_multi_cpu_first_block);
    g_test_add_func("/cpuid-text/ranges", test_ranges);
    for (gsize i = 0; i < G_N_ELEMENTS(good_cases); i++) {
        g_autofree char *path = g_strdup_printf("/cpuid-text/good/%s",
                                                good_cases[i].name);

        g_test_add_data_func(path, &good_cases[i], test_good);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *path = g_strdup_printf("/cpuid-text/bad/%s",
                                                bad_cases[i].name);

        g_test_add_data_func(path, &bad_cases[i], test_bad);
    }
    g_test_add_func("/cpuid-text/null-source", test_null_source);
    g_test_add_func("/cpuid-host/leaves", test_host);
    g_test_add_func("/cpuid-host/stable", test_host_stable);
    return g_test_run();
}
