/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: streaming reader internals (never installed) */
#pragma once

#include <libcpusel/cs-cpu-stream.h>

/* As cs_cpu_stream_next(), but *@out_def stays owned by the stream: valid
 * until the next call, or, when *@out_stable is TRUE, until the stream is
 * freed (the same pointer then always means the same CPU). */
gboolean cs_cpu_stream_next_borrowed(CsCpuStream *stream, const CsCpuDef **out_def,
                                     gboolean *out_stable, GError **error);

/* As cs_cpu_stream_new_from_memory(), through libxml2's xmlTextReader
 * instead of the scanner (what pipes and non-UTF-8 inputs use). */
CsCpuStream *cs_cpu_stream_new_from_memory_reader(const CsCpuMap *map, const char *buf,
                                                  gsize len, const char *source,
                                                  GError **error);
