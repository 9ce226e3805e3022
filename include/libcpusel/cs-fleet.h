/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the fleet planner: what a set of hosts shares, which hosts
 * cannot join, what holds the baseline back */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-cpu-def.h>
#include <libcpusel/cs-baseline.h>

G_BEGIN_DECLS

#define CS_HOST_STATUSES(X) \
    X(CS_HOST_JOINED,       "joined") \
    X(CS_HOST_OTHER_VENDOR, "other-vendor") \
    X(CS_HOST_OTHER_ARCH,   "other-arch") \
    X(CS_HOST_INVALID,      "invalid")

#define CS_ENUM_VALUE(id, name) id,
typedef enum { CS_HOST_STATUSES(CS_ENUM_VALUE) CS_HOST_STATUS_LAST } CsHostStatus;
#undef CS_ENUM_VALUE
CS_EXPORT const char *cs_host_status_to_string(CsHostStatus status);

/* A fleet plan. Threads: immutable, any number may read one at once; freed
 * by one thread when no other uses it. */
typedef struct _CsFleetPlan CsFleetPlan;

/* Computes the plan of a builder made with CS_BASELINE_BUILD_PLAN (call it
 * instead of _finish()). Returns: (transfer full) the plan, or NULL with
 * @error when no host can join or their CPUs share nothing. */
CS_EXPORT CsFleetPlan *cs_baseline_builder_plan(CsBaselineBuilder *builder,
                                                GError **error);
CS_EXPORT void cs_fleet_plan_free(CsFleetPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsFleetPlan, cs_fleet_plan_free)

/* Returns: (transfer none) the baseline of the hosts that joined. */
CS_EXPORT const CsCpuDef *cs_fleet_plan_get_baseline(const CsFleetPlan *plan);
/* Returns: (transfer none) the baseline's psABI level. */
CS_EXPORT const char *cs_fleet_plan_get_level(const CsFleetPlan *plan);
/* Arch and vendor of the hosts that joined (vendor may be NULL). */
CS_EXPORT const char *cs_fleet_plan_get_arch(const CsFleetPlan *plan);
CS_EXPORT const char *cs_fleet_plan_get_vendor(const CsFleetPlan *plan);

CS_EXPORT guint64 cs_fleet_plan_get_n_hosts(const CsFleetPlan *plan);
/* Per host, in input order. Returns: (transfer none). */
CS_EXPORT const char *cs_fleet_plan_host_name(const CsFleetPlan *plan, guint64 i);
/* The <uuid> of the host's capabilities document, or NULL. */
CS_EXPORT const char *cs_fleet_plan_host_uuid(const CsFleetPlan *plan, guint64 i);
CS_EXPORT CsHostStatus cs_fleet_plan_host_status(const CsFleetPlan *plan, guint64 i);
/* Why the host cannot join (NULL when it joined). */
CS_EXPORT const char *cs_fleet_plan_host_reason(const CsFleetPlan *plan, guint64 i);
/* The map's name of the host's model (the map's own string: one pointer
 * per model), NULL when unknown; its vendor's likewise. */
CS_EXPORT const char *cs_fleet_plan_host_model(const CsFleetPlan *plan, guint64 i);
CS_EXPORT const char *cs_fleet_plan_host_vendor(const CsFleetPlan *plan, guint64 i);
/* psABI level of the host ("x86-64-v3"...), NULL for an invalid host. */
CS_EXPORT const char *cs_fleet_plan_host_level(const CsFleetPlan *plan, guint64 i);

/* What holds the baseline back: sets of joined hosts that alone lack some
 * features every other joined host has ("draggers"). A set is one host, or
 * a group of hosts when several lack the same features (a group is at most
 * half of the hosts that join: more would be most of the fleet, not what
 * holds it back). Smallest sets first, then those lacking more. */
CS_EXPORT guint cs_fleet_plan_get_n_draggers(const CsFleetPlan *plan);
/* How many hosts set @d holds. */
CS_EXPORT guint64 cs_fleet_plan_dragger_n_hosts(const CsFleetPlan *plan, guint d);
/* Host index (for the cs_fleet_plan_host_*() getters) of the first host of
 * set @d. */
CS_EXPORT guint64 cs_fleet_plan_dragger_host(const CsFleetPlan *plan, guint d);
/* The first host of set @d whose index is @from or more, or
 * cs_fleet_plan_get_n_hosts() when there is none:
 *   for (h = next(plan, d, 0); h < n_hosts; h = next(plan, d, h + 1)) */
CS_EXPORT guint64 cs_fleet_plan_dragger_next_host(const CsFleetPlan *plan, guint d,
                                                  guint64 from);
/* The models of the hosts of set @d, most hosts first: model @k (0 ..
 * n_models - 1) and in *@out_n_hosts how many of these hosts have it. */
CS_EXPORT guint cs_fleet_plan_dragger_n_models(const CsFleetPlan *plan, guint d);
CS_EXPORT const char *cs_fleet_plan_dragger_model(const CsFleetPlan *plan, guint d,
                                                  guint k, guint64 *out_n_hosts);
/* Returns: (transfer none) NULL-terminated features that the hosts of set
 * @d, and no other host, lack. */
CS_EXPORT const char *const *cs_fleet_plan_dragger_lacks(const CsFleetPlan *plan, guint d);
/* Returns: (transfer none) NULL-terminated features the baseline without
 * these hosts has and the baseline does not (empty: leaving them out
 * changes nothing, e.g. with CS_BASELINE_MIGRATABLE when they lack only
 * features that do not migrate). */
CS_EXPORT const char *const *cs_fleet_plan_dragger_gains(const CsFleetPlan *plan, guint d);
/* Returns: (transfer none) the baseline without these hosts, or NULL if it
 * was not computed (more than a few thousand sets). */
CS_EXPORT const CsCpuDef *cs_fleet_plan_dragger_baseline(const CsFleetPlan *plan, guint d);
CS_EXPORT const char *cs_fleet_plan_dragger_level(const CsFleetPlan *plan, guint d);

/* The features the baseline disables (its model has them, some joined
 * hosts lack them), in the baseline's order, with the hosts lacking each. */
CS_EXPORT guint cs_fleet_plan_get_n_disabled(const CsFleetPlan *plan);
/* Returns: (transfer none) the name of disabled feature @i. */
CS_EXPORT const char *cs_fleet_plan_disabled_feature(const CsFleetPlan *plan, guint i);
/* How many joined hosts lack disabled feature @i. */
CS_EXPORT guint64 cs_fleet_plan_disabled_n_hosts(const CsFleetPlan *plan, guint i);
/* The models of the hosts lacking disabled feature @i, most hosts first. */
CS_EXPORT guint cs_fleet_plan_disabled_n_models(const CsFleetPlan *plan, guint i);
CS_EXPORT const char *cs_fleet_plan_disabled_model(const CsFleetPlan *plan, guint i,
                                                   guint k, guint64 *out_n_hosts);
/* The first host lacking disabled feature @i whose index is @from or more,
 * or cs_fleet_plan_get_n_hosts() when there is none. */
CS_EXPORT guint64 cs_fleet_plan_disabled_next_host(const CsFleetPlan *plan, guint i,
                                                   guint64 from);

/* Host count of each psABI level among joined hosts: @level 0 = "none",
 * 1..4 = v1..v4. */
CS_EXPORT guint64 cs_fleet_plan_get_level_count(const CsFleetPlan *plan, guint level);

G_END_DECLS
