/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel encode: a guest CPU as raw CPUID data per policy, or as the CPUID
 * masks of a CPUID-masking hypervisor
 *
 * --format xen prints xl.cfg's "cpuid" list: one "LEAF[,SUBLEAF]:reg=BITS"
 * string per register, BITS written from bit 31 down to bit 0 with xl.cfg's
 * characters: '1' the guest sees 1, '0' the guest sees 0, 'k' the guest sees
 * the host's bit, 'x' Xen's default (bits no CPU feature of the map uses).
 *
 * --format vmware prints .vmx "cpuid.LEAF.REG" masks, bit 31 first in groups
 * of four separated by ':', with VMware's characters: '1' set, '0' cleared,
 * 'R' the host must have the bit (and the guest sees it), 'r' the host must
 * not have it (the guest sees 0), 'H' the host's value, '-' the default.
 * VMware masks address sub-leaf 0 only; other sub-leaves are printed as
 * comments.
 *
 * Both give the guest: forced and required (model) features set, disabled
 * and forbidden ones cleared, optional ones as on the host, every other bit
 * of a known feature cleared, and the vendor string when the CPU names one.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

typedef enum {
    BIT_DEFAULT = 0,
    BIT_CLEAR,
    BIT_SET,
    BIT_REQUIRE,
    BIT_FORBID,
    BIT_HOST,
} BitKind;

static const char xen_chars[] = { 'x', '0', '1', '1', '0', 'k' };
static const char vmware_chars[] = { '-', '0', '1', 'R', 'r', 'H' };
static const char *const reg_names[] = { "eax", "ebx", "ecx", "edx" };

static guint32
reg_of(const CsCpuidLeaf *l, guint r)
{
    const guint32 v[] = { l->eax, l->ebx, l->ecx, l->edx };

    return v[r];
}

static guint32
leaf_reg(const CsCpuidData *data, guint32 leaf, guint32 sub, guint r)
{
    const CsCpuidLeaf *l = data ? cs_cpuid_data_get_leaf(data, leaf, sub) : NULL;

    return l ? reg_of(l, r) : 0;
}

/* The kind of each bit of one register (kinds[31 - b] for bit b, bit 31
 * first); FALSE when the register holds nothing to say. */
static gboolean
register_kinds(CsCpuidData *const *sets, const CsCpuidData *known, guint32 leaf,
               guint32 sub, guint r, BitKind kinds[32])
{
    guint32 k = leaf_reg(known, leaf, sub, r);
    guint32 forced = leaf_reg(sets[CS_ENCODE_FORCED], leaf, sub, r);
    guint32 req = leaf_reg(sets[CS_ENCODE_REQUIRED], leaf, sub, r);
    guint32 opt = leaf_reg(sets[CS_ENCODE_OPTIONAL], leaf, sub, r);
    guint32 dis = leaf_reg(sets[CS_ENCODE_DISABLED], leaf, sub, r);
    guint32 forbid = leaf_reg(sets[CS_ENCODE_FORBIDDEN], leaf, sub, r);
    guint32 vendor = leaf_reg(sets[CS_ENCODE_VENDOR], leaf, sub, r);
    gboolean vendor_leaf = leaf == 0 && sub == 0 && r != 0 &&
                           cs_cpuid_data_get_leaf(sets[CS_ENCODE_VENDOR], 0, 0);

    if (!k && !vendor_leaf)
        return FALSE;
    for (int b = 31; b >= 0; b--) {
        guint32 m = 1u << b;
        BitKind kind = BIT_DEFAULT;

        if (vendor_leaf)
            kind = (vendor & m) ? BIT_SET : BIT_CLEAR;
        else if (forbid & m)
            kind = BIT_FORBID;
        else if (dis & m)
            kind = BIT_CLEAR;
        else if (forced & m)
            kind = BIT_SET;
        else if (req & m)
            kind = BIT_REQUIRE;
        else if (opt & m)
            kind = BIT_HOST;
        else if (k & m)
            kind = BIT_CLEAR;
        kinds[31 - b] = kind;
    }
    return TRUE;
}

/* The characters of one register, bit 31 first; NULL when it holds
 * nothing to say. */
static char *
register_bits(CsCpuidData *const *sets, const CsCpuidData *known, guint32 leaf,
              guint32 sub, guint r, const char *chars)
{
    BitKind kinds[32];
    char *out;

    if (!register_kinds(sets, known, leaf, sub, r, kinds))
        return NULL;
    out = g_new0(char, 33);
    for (guint c = 0; c < 32; c++)
        out[c] = chars[kinds[c]];
    return out;
}

/* The bits of a known feature, and the vendor leaf when the CPU names one:
 * the registers the masks speak of. */
static CsCpuidData *
known_bits(const CsCpuMap *map, CsCpuidData *const *sets)
{
    CsCpuidData *known = cs_cpuid_data_new();

    for (guint i = 0; i < cs_cpu_map_get_n_features(map); i++) {
        g_autoptr(CsCpuidData) f = cs_cpu_map_feature_data(map, i);

        cs_cpuid_data_union(known, f);
    }
    if (cs_cpuid_data_get_leaf(sets[CS_ENCODE_VENDOR], 0, 0)) {
        CsCpuidLeaf zero = { 0 };

        if (!cs_cpuid_data_get_leaf(known, 0, 0))
            cs_cpuid_data_add_leaf(known, &zero);
    }
    return known;
}

/* The masks as JSON: one object per register with a mask of the bits of
 * each kind ("set", "clear", "require", "forbid", "host"; other bits keep
 * the hypervisor's default). */
static JsonNode *
masks_json(const CsCpuMap *map, CsCpuidData *const *sets)
{
    static const char *const kind_names[] = {
        [BIT_SET] = "set", [BIT_CLEAR] = "clear", [BIT_REQUIRE] = "require",
        [BIT_FORBID] = "forbid", [BIT_HOST] = "host",
    };
    g_autoptr(CsCpuidData) known = known_bits(map, sets);
    g_autoptr(JsonBuilder) b = json_builder_new();
    const CsCpuidLeaf *leaves;
    gsize n = 0;

    json_builder_begin_array(b);
    leaves = cs_cpuid_data_get_leaves(known, &n);
    for (gsize i = 0; i < n; i++) {
        for (guint r = 0; r < 4; r++) {
            BitKind kinds[32];
            guint32 masks[G_N_ELEMENTS(kind_names)] = { 0 };

            if (!register_kinds(sets, known, leaves[i].eax_in, leaves[i].ecx_in, r, kinds))
                continue;
            for (guint c = 0; c < 32; c++)
                masks[kinds[c]] |= 1u << (31 - c);
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "leaf");
            json_builder_add_int_value(b, leaves[i].eax_in);
            json_builder_set_member_name(b, "subleaf");
            json_builder_add_int_value(b, leaves[i].ecx_in);
            json_builder_set_member_name(b, "register");
            json_builder_add_string_value(b, reg_names[r]);
            for (guint k = BIT_CLEAR; k < G_N_ELEMENTS(kind_names); k++) {
                json_builder_set_member_name(b, kind_names[k]);
                json_builder_add_int_value(b, masks[k]);
            }
            json_builder_end_object(b);
        }
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static char *
format_masks(const CsCpuMap *map, CsCpuidData *const *sets, gboolean xen)
{
    g_autoptr(CsCpuidData) known = known_bits(map, sets);
    g_autoptr(GString) s = g_string_new(NULL);
    const CsCpuidLeaf *leaves;
    gsize n = 0;
    gboolean first = TRUE;

    if (xen)
        g_string_append(s, "cpuid = [\n");
    leaves = cs_cpuid_data_get_leaves(known, &n);
    for (gsize i = 0; i < n; i++) {
        g_autoptr(GString) entry = g_string_new(NULL);
        guint32 leaf = leaves[i].eax_in, sub = leaves[i].ecx_in;

        for (guint r = 0; r < 4; r++) {
            g_autofree char *bits = register_bits(sets, known, leaf, sub, r,
                                                  xen ? xen_chars : vmware_chars);

            if (!bits)
                continue;
            if (xen) {
                g_string_append_printf(entry, "%s%s=%s", entry->len ? "," : "",
                                       reg_names[r], bits);
            } else {
                g_autofree char *grouped = NULL;
                GString *g = g_string_new(NULL);

                for (guint c = 0; c < 32; c++) {
                    if (c && c % 4 == 0)
                        g_string_append_c(g, ':');
                    g_string_append_c(g, bits[c]);
                }
                grouped = g_string_free(g, FALSE);
                if (sub == 0)
                    g_string_append_printf(s, "cpuid.%x.%s = \"%s\"\n", leaf,
                                           reg_names[r], grouped);
                else
                    g_string_append_printf(s, "# cpuid.%x (sub-leaf %u).%s = \"%s\"\n",
                                           leaf, sub, reg_names[r], grouped);
            }
        }
        if (xen && entry->len) {
            if (sub)
                g_string_append_printf(s, "%s    \"0x%x,%u:%s\"", first ? "" : ",\n",
                                       leaf, sub, entry->str);
            else
                g_string_append_printf(s, "%s    \"0x%x:%s\"", first ? "" : ",\n", leaf,
                                       entry->str);
            first = FALSE;
        }
    }
    if (xen)
        g_string_append(s, first ? "]\n" : "\n]\n");
    return g_string_free(g_steal_pointer(&s), FALSE);
}

int
cmd_encode(int argc, char **argv)
{
    CliCommon common = { 0 };
    g_autofree char *format = NULL;
    gboolean mask_format;
    GOptionEntry entries[] = {
        { "format", 0, 0, G_OPTION_ARG_STRING, &format,
          "Output: xml (default: one <encoding> document holding a <set> per policy), "
          "xen, vmware, or sections (each set as '# NAME' and a <cpudata>)", "FORMAT" },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CPU - encode a CPU definition "
                                                         "as raw CPUID data");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    CsCpuidData *sets[CS_ENCODE_LAST] = { NULL };
    g_autoptr(GString) out = g_string_new(NULL);
    GError *error = NULL;
    int rc;

    if ((rc = cli_setup(ctx, entries, &common, &argc, &argv, "encode", 1, "expected exactly one CPU")) >= 0)
        return rc;
    if (format && strcmp(format, "xml") != 0 && strcmp(format, "xen") != 0 &&
        strcmp(format, "vmware") != 0 && strcmp(format, "sections") != 0) {
        g_autofree char *shown = cli_shown(format);

        cli_common_clear(&common);
        return cli_usage("encode", "unknown format '%s' (xml, xen, vmware or sections)",
                         shown);
    }
    mask_format = format && (strcmp(format, "xen") == 0 || strcmp(format, "vmware") == 0);
    if (common.json && format && strcmp(format, "sections") == 0) {
        cli_common_clear(&common);
        return cli_usage("encode", "--format sections is text; --json prints the sets");
    }
    if (!(map = cli_load_map(&common, &error)) ||
        !(def = cli_load_cpu(map, argv[1], &error)) ||
        !cs_cpu_encode(map, def, sets, &error)) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    if (common.json) {
        JsonBuilder *jb = cli_json_begin("encode");

        if (mask_format) {
            json_builder_set_member_name(jb, "format");
            json_builder_add_string_value(jb, format);
            json_builder_set_member_name(jb, "registers");
            json_builder_add_value(jb, masks_json(map, sets));
        } else {
            json_builder_set_member_name(jb, "sets");
            json_builder_begin_object(jb);
            for (guint i = 0; i < CS_ENCODE_LAST; i++) {
                json_builder_set_member_name(jb, cs_encode_set_to_string(i));
                json_builder_add_value(jb, cli_json_cpudata(sets[i]));
            }
            json_builder_end_object(jb);
        }
        for (guint i = 0; i < CS_ENCODE_LAST; i++)
            cs_cpuid_data_free(sets[i]);
        cli_common_clear(&common);
        return cli_json_finish(jb);
    } else if (mask_format) {
        g_autofree char *text = format_masks(map, sets, strcmp(format, "xen") == 0);

        g_string_append(out, text);
    } else if (format && strcmp(format, "sections") == 0) {
        for (guint i = 0; i < CS_ENCODE_LAST; i++) {
            g_autofree char *xml = cs_cpuid_data_format_xml(sets[i]);

            g_string_append_printf(out, "# %s\n%s", cs_encode_set_to_string(i), xml);
        }
    } else {
        /* one document: <encoding> holding a <set> per policy */
        g_string_append(out, "<encoding>\n");
        for (guint i = 0; i < CS_ENCODE_LAST; i++) {
            g_autofree char *xml = cs_cpuid_data_format_xml(sets[i]);
            g_auto(GStrv) lines = g_strsplit(xml, "\n", -1);

            g_string_append_printf(out, "  <set name='%s'>\n", cs_encode_set_to_string(i));
            for (guint l = 0; lines[l]; l++) {
                if (*lines[l])
                    g_string_append_printf(out, "    %s\n", lines[l]);
            }
            g_string_append(out, "  </set>\n");
        }
        g_string_append(out, "</encoding>\n");
    }
    for (guint i = 0; i < CS_ENCODE_LAST; i++)
        cs_cpuid_data_free(sets[i]);
    rc = cli_print(out->str);
    cli_common_clear(&common);
    return rc;
}
