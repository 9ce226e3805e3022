/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsDomainCaps, the CPU part of a host's domain capabilities: a
 * value (fleet/domcaps.c computes it, formats/domcaps-format.c prints it) */
#include "core/domain-caps-private.h"
#include "core/cpu-def-private.h"

static void
model_clear(gpointer p)
{
    CsDomCapsModel *m = p;

    g_free(m->blockers);
}

void
cs_domain_caps_free(CsDomainCaps *caps)
{
    if (!caps)
        return;
    if (caps->host_model)
        cs_cpu_def_free(caps->host_model);
    g_array_unref(caps->models);
    g_string_chunk_free(caps->strings);
    g_free(caps);
}

CsDomainCaps *
cs_domain_caps_alloc(void)
{
    CsDomainCaps *caps = g_new0(CsDomainCaps, 1);

    caps->models = g_array_new(FALSE, TRUE, sizeof(CsDomCapsModel));
    g_array_set_clear_func(caps->models, model_clear);
    caps->strings = g_string_chunk_new(256);
    return caps;
}

#define MODEL(caps, i) (&g_array_index((caps)->models, CsDomCapsModel, (i)))

const CsCpuDef *
cs_domain_caps_get_host_model(const CsDomainCaps *caps)
{
    g_return_val_if_fail(caps != NULL, NULL);
    return caps->host_model;
}

guint
cs_domain_caps_get_n_models(const CsDomainCaps *caps)
{
    g_return_val_if_fail(caps != NULL, 0);
    return caps->models->len;
}

const char *
cs_domain_caps_model_name(const CsDomainCaps *caps, guint i)
{
    g_return_val_if_fail(caps != NULL && i < caps->models->len, NULL);
    return MODEL(caps, i)->name;
}

gboolean
cs_domain_caps_model_usable(const CsDomainCaps *caps, guint i)
{
    g_return_val_if_fail(caps != NULL && i < caps->models->len, FALSE);
    return MODEL(caps, i)->usable;
}

gboolean
cs_domain_caps_model_deprecated(const CsDomainCaps *caps, guint i)
{
    g_return_val_if_fail(caps != NULL && i < caps->models->len, FALSE);
    return MODEL(caps, i)->deprecated;
}

const char *
cs_domain_caps_model_vendor(const CsDomainCaps *caps, guint i)
{
    g_return_val_if_fail(caps != NULL && i < caps->models->len, NULL);
    return MODEL(caps, i)->vendor;
}

const char *
cs_domain_caps_model_canonical(const CsDomainCaps *caps, guint i)
{
    g_return_val_if_fail(caps != NULL && i < caps->models->len, NULL);
    return MODEL(caps, i)->canonical;
}

const char *const *
cs_domain_caps_model_blockers(const CsDomainCaps *caps, guint i)
{
    g_return_val_if_fail(caps != NULL && i < caps->models->len, NULL);
    return (const char *const *) MODEL(caps, i)->blockers;
}
