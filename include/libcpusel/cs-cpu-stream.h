/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: a streaming reader of many host CPUs */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpu-def.h>

G_BEGIN_DECLS

/* A file holds a bare <cpu>, a capabilities document (<host><cpu>), any
 * document listing <cpu> elements (libvirt's <cpuTest>), raw <cpudata> XML
 * or `cpuid -r` text (decoded as a host CPU). Each <cpu> is parsed as a host
 * CPU; only one is in memory at a time. Threads: a stream is used by one
 * thread at a time; its map may be shared and must outlive it. Regular
 * files and pipes only (a FIFO the caller names is read as it comes, not
 * devices or directories); XML streams at any size, raw data must fit the
 * input size limit (cs-input.h). */
typedef struct _CsCpuStream CsCpuStream;

/* Returns: (transfer full) a reader of @path, or NULL with @error set. */
CS_EXPORT CsCpuStream *cs_cpu_stream_open_file(const CsCpuMap *map, const char *path,
                                               GError **error);
/* Reads from @len bytes of @buf (not copied: keep it alive). @source names
 * the input in errors. Returns: (transfer full) a reader or NULL. */
CS_EXPORT CsCpuStream *cs_cpu_stream_new_from_memory(const CsCpuMap *map,
                                                     const char *buf, gsize len,
                                                     const char *source,
                                                     GError **error);
/* Next CPU: TRUE with *@out_def (transfer full), TRUE with NULL at the end,
 * FALSE with @error on bad input. After FALSE the caller may call again: a
 * bad <cpu> in well-formed XML is skipped, anything worse ends the input. */
CS_EXPORT gboolean cs_cpu_stream_next(CsCpuStream *stream, CsCpuDef **out_def,
                                      GError **error);
/* The <uuid> of the capabilities document's <host> that holds the CPU last
 * returned (libvirt capabilities name a host by it). Returns: (transfer
 * none, valid until the next call) the text, or NULL when there is none. */
CS_EXPORT const char *cs_cpu_stream_get_host_uuid(const CsCpuStream *stream);
/* How many CPUs were returned so far. */
CS_EXPORT guint64 cs_cpu_stream_get_count(const CsCpuStream *stream);
/* Bytes consumed and total size (0 when unknown), for progress. */
CS_EXPORT void cs_cpu_stream_get_progress(const CsCpuStream *stream, guint64 *out_done,
                                          guint64 *out_total);
CS_EXPORT void cs_cpu_stream_free(CsCpuStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCpuStream, cs_cpu_stream_free)

G_END_DECLS
