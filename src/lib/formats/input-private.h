/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: bounded file reads, internals (never installed) */
#pragma once

#include <libcpusel/cs-input.h>

/* As cs_input_read_file(), naming the file @shown (already escaped for
 * messages) rather than @path. */
/* read(2) of at most @len bytes from @fd, waiting (poll) until there is
 * something to read or the end: for descriptors opened with O_NONBLOCK,
 * such as a FIFO, which then waits for its first writer rather than
 * seeing an end at once. Retries on EINTR. Returns: bytes read, 0 at the
 * end, -1 with errno set. */
gssize cs_input_read_some(int fd, void *buf, gsize len);

char *cs_input_read_file_as(const char *path, const char *shown, guint64 max,
                            CsInputFlags flags, gsize *out_len, GError **error);
