/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsCpuidData, raw CPUID leaves and MSRs; pure data */
#include "cpuid-data-private.h"

CsCpuidData *
cs_cpuid_data_new(void)
{
    CsCpuidData *data = g_new0(CsCpuidData, 1);

    data->leaves = g_array_new(FALSE, FALSE, sizeof(CsCpuidLeaf));
    data->msrs = g_array_new(FALSE, FALSE, sizeof(CsMsr));
    return data;
}

CsCpuidData *
cs_cpuid_data_new_from_leaves(const CsCpuidLeaf *leaves, gsize n_leaves)
{
    CsCpuidData *data = cs_cpuid_data_new();

    for (gsize i = 0; i < n_leaves; i++)
        cs_cpuid_data_add_leaf(data, &leaves[i]);
    return data;
}

CsCpuidData *
cs_cpuid_data_copy(const CsCpuidData *data)
{
    CsCpuidData *copy;

    g_return_val_if_fail(data != NULL, NULL);
    copy = cs_cpuid_data_new();
    g_array_append_vals(copy->leaves, data->leaves->data, data->leaves->len);
    g_array_append_vals(copy->msrs, data->msrs->data, data->msrs->len);
    return copy;
}

void
cs_cpuid_data_free(CsCpuidData *data)
{
    if (!data)
        return;
    g_array_unref(data->leaves);
    g_array_unref(data->msrs);
    g_free(data);
}

static int
leaf_cmp(guint32 a_in, guint32 a_sub, guint32 b_in, guint32 b_sub)
{
    if (a_in != b_in)
        return a_in < b_in ? -1 : 1;
    if (a_sub != b_sub)
        return a_sub < b_sub ? -1 : 1;
    return 0;
}

/* Index of the leaf, or -(insertion point) - 1. */
static gssize
find_leaf(const CsCpuidData *data, guint32 eax_in, guint32 ecx_in)
{
    gssize lo = 0;
    gssize hi = (gssize) data->leaves->len - 1;

    while (lo <= hi) {
        gssize mid = lo + (hi - lo) / 2;
        const CsCpuidLeaf *l = &g_array_index(data->leaves, CsCpuidLeaf, mid);
        int c = leaf_cmp(l->eax_in, l->ecx_in, eax_in, ecx_in);

        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -lo - 1;
}

static gssize
find_msr(const CsCpuidData *data, guint32 index)
{
    gssize lo = 0;
    gssize hi = (gssize) data->msrs->len - 1;

    while (lo <= hi) {
        gssize mid = lo + (hi - lo) / 2;
        guint32 cur = g_array_index(data->msrs, CsMsr, mid).index;

        if (cur == index)
            return mid;
        if (cur < index)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -lo - 1;
}

void
cs_cpuid_data_add_leaf(CsCpuidData *data, const CsCpuidLeaf *leaf)
{
    gssize pos;

    g_return_if_fail(data != NULL && leaf != NULL);
    /* dumps list leaves in order: appending is the common case */
    if (data->leaves->len == 0 ||
        leaf_cmp(g_array_index(data->leaves, CsCpuidLeaf, data->leaves->len - 1).eax_in,
                 g_array_index(data->leaves, CsCpuidLeaf, data->leaves->len - 1).ecx_in,
                 leaf->eax_in, leaf->ecx_in) < 0) {
        g_array_append_vals(data->leaves, leaf, 1);
        return;
    }
    pos = find_leaf(data, leaf->eax_in, leaf->ecx_in);
    if (pos >= 0) {
        CsCpuidLeaf *l = &g_array_index(data->leaves, CsCpuidLeaf, pos);

        l->eax |= leaf->eax;
        l->ebx |= leaf->ebx;
        l->ecx |= leaf->ecx;
        l->edx |= leaf->edx;
    } else {
        g_array_insert_val(data->leaves, -pos - 1, *leaf);
    }
}

void
cs_cpuid_data_add_msr(CsCpuidData *data, const CsMsr *msr)
{
    gssize pos;

    g_return_if_fail(data != NULL && msr != NULL);
    pos = find_msr(data, msr->index);
    if (pos >= 0) {
        CsMsr *m = &g_array_index(data->msrs, CsMsr, pos);

        m->eax |= msr->eax;
        m->edx |= msr->edx;
    } else {
        g_array_insert_val(data->msrs, -pos - 1, *msr);
    }
}

const CsCpuidLeaf *
cs_cpuid_data_get_leaf(const CsCpuidData *data, guint32 eax_in, guint32 ecx_in)
{
    gssize pos;

    g_return_val_if_fail(data != NULL, NULL);
    pos = find_leaf(data, eax_in, ecx_in);
    return pos >= 0 ? &g_array_index(data->leaves, CsCpuidLeaf, pos) : NULL;
}

const CsMsr *
cs_cpuid_data_get_msr(const CsCpuidData *data, guint32 index)
{
    gssize pos;

    g_return_val_if_fail(data != NULL, NULL);
    pos = find_msr(data, index);
    return pos >= 0 ? &g_array_index(data->msrs, CsMsr, pos) : NULL;
}

const CsCpuidLeaf *
cs_cpuid_data_get_leaves(const CsCpuidData *data, gsize *out_n)
{
    g_return_val_if_fail(data != NULL, NULL);
    if (out_n)
        *out_n = data->leaves->len;
    return (const CsCpuidLeaf *) data->leaves->data;
}

const CsMsr *
cs_cpuid_data_get_msrs(const CsCpuidData *data, gsize *out_n)
{
    g_return_val_if_fail(data != NULL, NULL);
    if (out_n)
        *out_n = data->msrs->len;
    return (const CsMsr *) data->msrs->data;
}

static gboolean
leaf_is_zero(const CsCpuidLeaf *l)
{
    return !(l->eax | l->ebx | l->ecx | l->edx);
}

static gboolean
msr_is_zero(const CsMsr *m)
{
    return !(m->eax | m->edx);
}

void
cs_cpuid_data_union(CsCpuidData *data, const CsCpuidData *other)
{
    g_return_if_fail(data != NULL && other != NULL);
    for (guint i = 0; i < other->leaves->len; i++) {
        const CsCpuidLeaf *l = &g_array_index(other->leaves, CsCpuidLeaf, i);

        if (!leaf_is_zero(l))
            cs_cpuid_data_add_leaf(data, l);
    }
    for (guint i = 0; i < other->msrs->len; i++) {
        const CsMsr *m = &g_array_index(other->msrs, CsMsr, i);

        if (!msr_is_zero(m))
            cs_cpuid_data_add_msr(data, m);
    }
}

void
cs_cpuid_data_intersect(CsCpuidData *data, const CsCpuidData *other)
{
    g_return_if_fail(data != NULL && other != NULL);
    for (guint i = 0; i < data->leaves->len; i++) {
        CsCpuidLeaf *l = &g_array_index(data->leaves, CsCpuidLeaf, i);
        const CsCpuidLeaf *o = cs_cpuid_data_get_leaf(other, l->eax_in, l->ecx_in);

        l->eax &= o ? o->eax : 0;
        l->ebx &= o ? o->ebx : 0;
        l->ecx &= o ? o->ecx : 0;
        l->edx &= o ? o->edx : 0;
    }
    for (guint i = 0; i < data->msrs->len; i++) {
        CsMsr *m = &g_array_index(data->msrs, CsMsr, i);
        const CsMsr *o = cs_cpuid_data_get_msr(other, m->index);

        m->eax &= o ? o->eax : 0;
        m->edx &= o ? o->edx : 0;
    }
}

void
cs_cpuid_data_subtract(CsCpuidData *data, const CsCpuidData *other)
{
    g_return_if_fail(data != NULL && other != NULL);
    for (guint i = 0; i < data->leaves->len; i++) {
        CsCpuidLeaf *l = &g_array_index(data->leaves, CsCpuidLeaf, i);
        const CsCpuidLeaf *o = cs_cpuid_data_get_leaf(other, l->eax_in, l->ecx_in);

        if (!o)
            continue;
        l->eax &= ~o->eax;
        l->ebx &= ~o->ebx;
        l->ecx &= ~o->ecx;
        l->edx &= ~o->edx;
    }
    for (guint i = 0; i < data->msrs->len; i++) {
        CsMsr *m = &g_array_index(data->msrs, CsMsr, i);
        const CsMsr *o = cs_cpuid_data_get_msr(other, m->index);

        if (!o)
            continue;
        m->eax &= ~o->eax;
        m->edx &= ~o->edx;
    }
}

gboolean
cs_cpuid_data_is_empty(const CsCpuidData *data)
{
    g_return_val_if_fail(data != NULL, TRUE);
    for (guint i = 0; i < data->leaves->len; i++) {
        if (!leaf_is_zero(&g_array_index(data->leaves, CsCpuidLeaf, i)))
            return FALSE;
    }
    for (guint i = 0; i < data->msrs->len; i++) {
        if (!msr_is_zero(&g_array_index(data->msrs, CsMsr, i)))
            return FALSE;
    }
    return TRUE;
}

gboolean
cs_cpuid_data_is_subset(const CsCpuidData *data, const CsCpuidData *subset)
{
    g_return_val_if_fail(data != NULL && subset != NULL, FALSE);
    for (guint i = 0; i < subset->leaves->len; i++) {
        const CsCpuidLeaf *s = &g_array_index(subset->leaves, CsCpuidLeaf, i);
        const CsCpuidLeaf *d;

        if (leaf_is_zero(s))
            continue;
        d = cs_cpuid_data_get_leaf(data, s->eax_in, s->ecx_in);
        if (!d || (d->eax & s->eax) != s->eax || (d->ebx & s->ebx) != s->ebx ||
            (d->ecx & s->ecx) != s->ecx || (d->edx & s->edx) != s->edx)
            return FALSE;
    }
    for (guint i = 0; i < subset->msrs->len; i++) {
        const CsMsr *s = &g_array_index(subset->msrs, CsMsr, i);
        const CsMsr *d;

        if (msr_is_zero(s))
            continue;
        d = cs_cpuid_data_get_msr(data, s->index);
        if (!d || (d->eax & s->eax) != s->eax || (d->edx & s->edx) != s->edx)
            return FALSE;
    }
    return TRUE;
}

gboolean
cs_cpuid_data_equal(const CsCpuidData *a, const CsCpuidData *b)
{
    return cs_cpuid_data_is_subset(a, b) && cs_cpuid_data_is_subset(b, a);
}

void
cs_cpuid_data_append_unsorted_leaf(CsCpuidData *data, const CsCpuidLeaf *leaf)
{
    g_array_append_vals(data->leaves, leaf, 1);
}

void
cs_cpuid_data_append_unsorted_msr(CsCpuidData *data, const CsMsr *msr)
{
    g_array_append_vals(data->msrs, msr, 1);
}

static int
leaf_sort_cmp(gconstpointer a, gconstpointer b)
{
    const CsCpuidLeaf *x = a, *y = b;

    return leaf_cmp(x->eax_in, x->ecx_in, y->eax_in, y->ecx_in);
}

static int
msr_sort_cmp(gconstpointer a, gconstpointer b)
{
    const CsMsr *x = a, *y = b;

    return x->index < y->index ? -1 : x->index > y->index;
}

void
cs_cpuid_data_sort_merge(CsCpuidData *data)
{
    guint out = 0;

    g_array_sort(data->leaves, leaf_sort_cmp);
    for (guint i = 0; i < data->leaves->len; i++) {
        CsCpuidLeaf *l = &g_array_index(data->leaves, CsCpuidLeaf, i);
        CsCpuidLeaf *o = out ? &g_array_index(data->leaves, CsCpuidLeaf, out - 1) : NULL;

        if (o && o->eax_in == l->eax_in && o->ecx_in == l->ecx_in) {
            o->eax |= l->eax;
            o->ebx |= l->ebx;
            o->ecx |= l->ecx;
            o->edx |= l->edx;
        } else {
            g_array_index(data->leaves, CsCpuidLeaf, out++) = *l;
        }
    }
    g_array_set_size(data->leaves, out);
    out = 0;
    g_array_sort(data->msrs, msr_sort_cmp);
    for (guint i = 0; i < data->msrs->len; i++) {
        CsMsr *m = &g_array_index(data->msrs, CsMsr, i);
        CsMsr *o = out ? &g_array_index(data->msrs, CsMsr, out - 1) : NULL;

        if (o && o->index == m->index) {
            o->eax |= m->eax;
            o->edx |= m->edx;
        } else {
            g_array_index(data->msrs, CsMsr, out++) = *m;
        }
    }
    g_array_set_size(data->msrs, out);
}

void
cs_cpuid_leaf_mask_apic_ids(CsCpuidLeaf *leaf)
{
    switch (leaf->eax_in) {
    case 0x1:
        leaf->ebx &= 0x00ffffff;        /* initial APIC ID */
        break;
    case 0xb:
    case 0x1f:
    case 0x80000026:
        leaf->edx = 0;                  /* x2APIC ID */
        break;
    case 0x8000001e:
        leaf->eax = 0;                  /* extended APIC ID */
        leaf->ebx &= 0xffffff00;        /* compute unit / core ID */
        leaf->ecx &= 0xffffff00;        /* node ID */
        break;
    default:
        break;
    }
}
