/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: common definitions
 *
 * Thread rules (each type's header says which case it is):
 * - Immutable objects (CsCpuMap, CsCompareReport, CsDecodeReport,
 *   CsFleetPlan): once returned, any number of threads may read one at
 *   once; a CsCpuMap is refcounted atomically (ref and unref anywhere),
 *   the others are freed by one thread when no other uses them.
 * - Values (CsCpuidData, CsCpuDef): a const object may be read from many
 *   threads at once, by every function that takes it as const (operations,
 *   getters, formatting). Modifying one (the setters, cs_cpu_update*(),
 *   cs_cpu_def_expand_features(), cs_cpuid_data_union() and the other
 *   in-place operations on their first argument, _free()) needs exclusive
 *   use: no other thread may touch that object meanwhile.
 * - Stateful objects (CsCpuStream, CsBaselineBuilder): one thread at a time
 *   (hand one over with the usual synchronisation); the map they read may
 *   be shared, and must outlive them.
 * - The library has no global mutable state. It initialises libxml2 once,
 *   safely, at its first parse (g_once, whichever thread comes first). An
 *   application that uses libxml2 too must not call xmlCleanupParser()
 *   while the library may parse. During a parse the library installs its
 *   own libxml2 error handlers for the calling thread (libxml2 keeps them
 *   per thread) and puts the previous ones back afterwards: it never lets
 *   libxml2 print, and leaves other threads' handlers alone.
 * - Error messages are one line; values taken from the input are escaped
 *   and cut (CS_ERROR domain, cs-error.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#if defined(CS_COMPILATION)
# define CS_EXPORT __attribute__((visibility("default")))
#else
# define CS_EXPORT
#endif

G_END_DECLS
