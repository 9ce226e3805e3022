/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsCpuModelList internals (never installed) */
#pragma once

#include <libcpusel/cs-hypervisor.h>

typedef struct {
    char *name;
    char **blockers;        /* NULL-terminated, never NULL */
    gboolean deprecated;
    char *alias_of;         /* or NULL */
} CsModelEntry;

struct _CsCpuModelList {
    GArray *entries;        /* CsModelEntry, in list order */
};

/* Returns: (transfer full) an empty list. */
CsCpuModelList *cs_cpu_model_list_new(void);
/* Appends a model; takes ownership of @blockers (NULL for none). */
void cs_cpu_model_list_append(CsCpuModelList *list, const char *name, char **blockers,
                              gboolean deprecated, const char *alias_of);
