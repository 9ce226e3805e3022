/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: reading input files with a size limit
 *
 * Every file the library reads as a whole (a <cpudata> dump, `cpuid -r`
 * text, a <cpu> definition, each file of a cpu_map directory) goes through
 * cs_input_read_file(): it refuses what is not a regular file (devices such
 * as /dev/zero, directories, and FIFOs unless the caller allows pipes),
 * never blocks while opening, and stops reading past the size limit.
 *
 * The limit is CS_INPUT_MAX_DEFAULT (64 MiB) unless the environment
 * variable CPUSEL_MAX_INPUT gives another one: a number of bytes with an
 * optional K, M or G suffix (powers of 1024), e.g. CPUSEL_MAX_INPUT=512M.
 * A cpu_map directory counts as one input: its files together must fit.
 * The streaming reader of many host CPUs (cs_cpu_stream_open_file()) reads
 * XML of any size and applies the limit only to raw data it must decode. */
#pragma once

#include <libcpusel/cs-common.h>

G_BEGIN_DECLS

#define CS_INPUT_MAX_DEFAULT (G_GUINT64_CONSTANT(64) << 20)
#define CS_INPUT_MAX_ENV "CPUSEL_MAX_INPUT"

typedef enum {
    CS_INPUT_DEFAULT = 0,
    /* also read a FIFO or a pipe (e.g. /dev/stdin or a shell's <(command)):
     * for names a user gave explicitly */
    CS_INPUT_ALLOW_PIPE = 1 << 0,
    /* "-" means standard input, whatever it is */
    CS_INPUT_DASH_IS_STDIN = 1 << 1,
} CsInputFlags;

/* The size limit in force: CPUSEL_MAX_INPUT when set, else
 * CS_INPUT_MAX_DEFAULT. FALSE with @error when CPUSEL_MAX_INPUT is not a
 * valid size. Thread-safe (it reads the environment). */
CS_EXPORT gboolean cs_input_get_max_size(guint64 *out_max, GError **error);

/* Reads the whole file @path, of at most @max bytes (0: the limit in
 * force), NUL-terminated. Fails (CS_ERROR_IO) on a file that cannot be
 * read, is not a regular file (pipes when allowed by @flags aside) or is
 * larger than the limit.
 * @out_len: (optional) receives the length, without the NUL.
 * Returns: (transfer full) the contents, or NULL with @error set. */
/* Any thread may call it. */
CS_EXPORT char *cs_input_read_file(const char *path, guint64 max, CsInputFlags flags,
                                   gsize *out_len, GError **error);

G_END_DECLS
