/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsDomainCaps internals, filled by fleet/domcaps.c (never
 * installed) */
#pragma once

#include <libcpusel/cs-hypervisor.h>

typedef struct {
    const char *name;           /* owned by the map or the model list */
    gboolean usable;
    gboolean deprecated;
    const char *vendor;         /* owned by the map */
    const char *canonical;      /* owned by the map, or in strings */
    const char **blockers;      /* sorted, never NULL; the names are owned by
                                 * the map or in strings */
} CsDomCapsModel;

struct _CsDomainCaps {
    CsCpuDef *host_model;       /* NULL: not supported */
    GArray *models;             /* CsDomCapsModel */
    GStringChunk *strings;      /* names and aliases taken from a model list */
};

/* Returns: (transfer full) capabilities without a host-model CPU or
 * models. */
CsDomainCaps *cs_domain_caps_alloc(void);
