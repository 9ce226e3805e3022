/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the fleet's internals: the builder's record of each host,
 * shared by the builder, the planner and the plan (never installed) */
#pragma once

#include <libcpusel/cs-fleet.h>
#include "drivers/arch.h"
#include "core/psabi-private.h"

/* What the builder keeps of a host: a few bytes, whatever the fleet's size. */
typedef struct {
    const char *name;       /* in the builder's string chunk */
    const char *uuid;       /* its capabilities' <host><uuid>, or NULL */
    const char *reason;     /* NULL, or why it cannot join */
    guint32 cls;            /* CsHostClass id of a host that joined a group */
    gint16 model;           /* map index, -1 unknown */
    gint8 vendor;           /* effective vendor, -1 none */
    guint8 level;           /* 0..4; 0xff unknown */
    guint8 status;          /* CsHostStatus */
    guint16 group;
} CsFleetHost;

/* Plan mode keeps each distinct CPU data once: hosts hold the id of their
 * class, so that the plan can say which hosts lack what without keeping
 * the hosts (a fleet has few distinct CPUs; at worst a class per host). */
typedef struct {
    guint hash;
    guint n_words;
    CsWord vec[];
} CsHostClass;

/* Plan mode: the hosts of one arch and effective vendor, baselined
 * together. */
typedef struct {
    char *arch;
    int key_vendor;         /* map index, -1 none */
    CsVecBaseline *acc;
} CsFleetGroup;

struct _CsBaselineBuilder {
    const CsCpuMap *map;
    CsBaselineFlags flags;
    char **allowed;         /* the hypervisor's models, or NULL for all */
    gboolean plan;
    CsPsabiTable psabi;
    guint64 n;              /* hosts seen (including bad ones) */
    /* exact mode */
    GError *parse_error;    /* a CPU that could not be read: fails first */
    const CsArchDriver *driver; /* the driver of the CPUs' arch */
    CsBaselineAcc *acc;     /* its baseline of them */
    gboolean mixed;         /* CPUs of another driver came too: their
                             * arches differ, the baseline fails */
    /* plan mode: hosts are CPUID bit vectors (cs_arch_driver_cpuid()) */
    const CsVecBaselineOps *vec;
    GPtrArray *groups;      /* CsFleetGroup, keyed by (arch, effective vendor) */
    GArray *hosts;          /* CsFleetHost */
    GStringChunk *strings;
    GPtrArray *classes;     /* CsHostClass, by id */
    GHashTable *class_ids;  /* CsHostClass -> id + 1 */
    CsHostClass *probe;     /* lookup key */
};

/* How many hosts of a set have a model. */
typedef struct {
    guint16 model;
    guint64 n;
} CsModelCount;

/* A set of joined hosts that alone lack some features every other joined
 * host has: one host, or a group of them. All hosts of a class lack the
 * same features, so the set is the hosts whose class lacks @feature. */
typedef struct {
    int feature;            /* a map feature these hosts, and no other, lack */
    guint64 n_hosts;
    guint64 first_host;
    GArray *models;         /* CsModelCount, most hosts first */
    char **lacks;           /* the features these hosts, and no other, lack */
    char **gains;           /* what the baseline gains without them */
    CsCpuDef *baseline;     /* the baseline without them; NULL if not computed */
    const char *level;
} CsDragger;

/* A feature the baseline disables, and how many joined hosts lack it. */
typedef struct {
    char *name;
    int feature;            /* map index, -1 when the map has no bits for it */
    guint64 n_hosts;
    GArray *models;         /* CsModelCount, most hosts first */
} CsDisabled;

struct _CsFleetPlan {
    CsCpuDef *baseline;
    const char *level;
    char *arch;
    char *vendor;
    guint64 n_hosts;
    CsFleetHost *hosts;     /* owned copy of the builder's records */
    GStringChunk *strings;  /* taken from the builder */
    GPtrArray *classes;     /* CsHostClass, taken from the builder */
    const CsCpuMap *map;
    GArray *draggers;       /* CsDragger */
    GArray *disabled;       /* CsDisabled */
    guint64 level_count[5];
};

/* Clear functions of the plan's arrays of CsDragger and CsDisabled. */
void cs_dragger_clear(gpointer p);
void cs_disabled_clear(gpointer p);

/* Whether host @rec joined and its CPU lacks map feature @f. */
static inline gboolean
cs_fleet_host_lacks(const CsCpuMap *map, const GPtrArray *classes, const CsFleetHost *rec,
                    int f)
{
    const CsHostClass *c;

    if (rec->status != CS_HOST_JOINED || rec->cls == G_MAXUINT32 || f < 0)
        return FALSE;
    c = g_ptr_array_index(classes, rec->cls);
    return !cs_vec_has_feature(c->vec, &map->t.features[f]);
}
