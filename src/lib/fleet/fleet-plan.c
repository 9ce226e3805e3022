/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsFleetPlan, what the planner found (planner.c computes it):
 * the baseline, every host's status, what holds the baseline back and
 * which hosts lack each disabled feature */
#include "fleet/fleet-private.h"

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const host_status_names[] = { CS_HOST_STATUSES(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

const char *
cs_host_status_to_string(CsHostStatus status)
{
    return (guint) status < G_N_ELEMENTS(host_status_names) ?
           host_status_names[status] : NULL;
}

void
cs_dragger_clear(gpointer p)
{
    CsDragger *d = p;

    g_array_unref(d->models);
    g_strfreev(d->lacks);
    g_strfreev(d->gains);
    if (d->baseline)
        cs_cpu_def_free(d->baseline);
}

void
cs_disabled_clear(gpointer p)
{
    CsDisabled *d = p;

    g_free(d->name);
    g_array_unref(d->models);
}

void
cs_fleet_plan_free(CsFleetPlan *plan)
{
    if (!plan)
        return;
    if (plan->baseline)
        cs_cpu_def_free(plan->baseline);
    g_free(plan->arch);
    g_free(plan->vendor);
    g_free(plan->hosts);
    if (plan->strings)
        g_string_chunk_free(plan->strings);
    if (plan->classes)
        g_ptr_array_unref(plan->classes);
    if (plan->draggers)
        g_array_unref(plan->draggers);
    if (plan->disabled)
        g_array_unref(plan->disabled);
    g_free(plan);
}

const CsCpuDef *cs_fleet_plan_get_baseline(const CsFleetPlan *p) { return p->baseline; }
const char *cs_fleet_plan_get_level(const CsFleetPlan *p) { return p->level; }
const char *cs_fleet_plan_get_arch(const CsFleetPlan *p) { return p->arch; }
const char *cs_fleet_plan_get_vendor(const CsFleetPlan *p) { return p->vendor; }
guint64 cs_fleet_plan_get_n_hosts(const CsFleetPlan *p) { return p->n_hosts; }

#define HOST(p, i) (&(p)->hosts[(i)])

const char *
cs_fleet_plan_host_name(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->name;
}

CsHostStatus
cs_fleet_plan_host_status(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, CS_HOST_INVALID);
    return HOST(p, i)->status;
}

const char *
cs_fleet_plan_host_uuid(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->uuid;
}

const char *
cs_fleet_plan_host_reason(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->reason;
}

const char *
cs_fleet_plan_host_model(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->model >= 0 ? p->map->t.models[HOST(p, i)->model].name : NULL;
}

const char *
cs_fleet_plan_host_vendor(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->vendor >= 0 ? p->map->t.vendors[HOST(p, i)->vendor].name : NULL;
}

const char *
cs_fleet_plan_host_level(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->level <= 4 ? cs_psabi_names[HOST(p, i)->level] : NULL;
}

guint
cs_fleet_plan_get_n_draggers(const CsFleetPlan *p)
{
    return p->draggers->len;
}

#define DRAGGER(p, d) (&g_array_index((p)->draggers, CsDragger, (d)))

guint64
cs_fleet_plan_dragger_host(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, 0);
    return DRAGGER(p, d)->first_host;
}

guint64
cs_fleet_plan_dragger_n_hosts(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, 0);
    return DRAGGER(p, d)->n_hosts;
}

static guint64
next_lacking(const CsFleetPlan *p, int feature, guint64 from)
{
    for (guint64 h = from; h < p->n_hosts; h++) {
        if (cs_fleet_host_lacks(p->map, p->classes, HOST(p, h), feature))
            return h;
    }
    return p->n_hosts;
}

guint64
cs_fleet_plan_dragger_next_host(const CsFleetPlan *p, guint d, guint64 from)
{
    g_return_val_if_fail(d < p->draggers->len, p->n_hosts);
    return next_lacking(p, DRAGGER(p, d)->feature, MAX(from, DRAGGER(p, d)->first_host));
}

static const char *
model_at(const CsFleetPlan *p, const GArray *models, guint k, guint64 *out_n_hosts)
{
    const CsModelCount *mc;

    g_return_val_if_fail(k < models->len, NULL);
    mc = &g_array_index(models, CsModelCount, k);
    if (out_n_hosts)
        *out_n_hosts = mc->n;
    return p->map->t.models[mc->model].name;
}

guint
cs_fleet_plan_dragger_n_models(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, 0);
    return DRAGGER(p, d)->models->len;
}

const char *
cs_fleet_plan_dragger_model(const CsFleetPlan *p, guint d, guint k, guint64 *out_n_hosts)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return model_at(p, DRAGGER(p, d)->models, k, out_n_hosts);
}

const char *const *
cs_fleet_plan_dragger_lacks(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return (const char *const *) DRAGGER(p, d)->lacks;
}

const char *const *
cs_fleet_plan_dragger_gains(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return (const char *const *) DRAGGER(p, d)->gains;
}

const CsCpuDef *
cs_fleet_plan_dragger_baseline(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return DRAGGER(p, d)->baseline;
}

const char *
cs_fleet_plan_dragger_level(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return DRAGGER(p, d)->level;
}

guint
cs_fleet_plan_get_n_disabled(const CsFleetPlan *p)
{
    return p->disabled->len;
}

#define DISABLED(p, i) (&g_array_index((p)->disabled, CsDisabled, (i)))

const char *
cs_fleet_plan_disabled_feature(const CsFleetPlan *p, guint i)
{
    g_return_val_if_fail(i < p->disabled->len, NULL);
    return DISABLED(p, i)->name;
}

guint64
cs_fleet_plan_disabled_n_hosts(const CsFleetPlan *p, guint i)
{
    g_return_val_if_fail(i < p->disabled->len, 0);
    return DISABLED(p, i)->n_hosts;
}

guint
cs_fleet_plan_disabled_n_models(const CsFleetPlan *p, guint i)
{
    g_return_val_if_fail(i < p->disabled->len, 0);
    return DISABLED(p, i)->models->len;
}

const char *
cs_fleet_plan_disabled_model(const CsFleetPlan *p, guint i, guint k, guint64 *out_n_hosts)
{
    g_return_val_if_fail(i < p->disabled->len, NULL);
    return model_at(p, DISABLED(p, i)->models, k, out_n_hosts);
}

guint64
cs_fleet_plan_disabled_next_host(const CsFleetPlan *p, guint i, guint64 from)
{
    g_return_val_if_fail(i < p->disabled->len, p->n_hosts);
    return next_lacking(p, DISABLED(p, i)->feature, from);
}

guint64
cs_fleet_plan_get_level_count(const CsFleetPlan *p, guint level)
{
    g_return_val_if_fail(level <= 4, 0);
    return p->level_count[level];
}
