/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: whole-file reads with a size limit, regular files only */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-input.h>
#include "core/error-private.h"
#include "formats/input-private.h"

/* Largest limit accepted: reads allocate limit + 1 bytes. */
#define MAX_LIMIT (G_MAXSIZE / 4)
/* First buffer size when the size is not known in advance (pipes). */
#define PIPE_CHUNK (64u << 10)

gboolean
cs_input_get_max_size(guint64 *out_max, GError **error)
{
    const char *v = g_getenv(CS_INPUT_MAX_ENV);
    guint64 n = 0, unit = 1;
    const char *p;

    g_return_val_if_fail(out_max != NULL, FALSE);
    if (!v) {
        *out_max = CS_INPUT_MAX_DEFAULT;
        return TRUE;
    }
    for (p = v; g_ascii_isdigit(*p); p++) {
        if (n > (G_MAXUINT64 - 9) / 10) {
            p = v;      /* overflow: refused below */
            break;
        }
        n = n * 10 + (guint64) (*p - '0');
    }
    if (p != v) {
        switch (g_ascii_toupper(*p)) {
        case 'K': unit = G_GUINT64_CONSTANT(1) << 10; p++; break;
        case 'M': unit = G_GUINT64_CONSTANT(1) << 20; p++; break;
        case 'G': unit = G_GUINT64_CONSTANT(1) << 30; p++; break;
        default: break;
        }
    }
    if (p == v || *p || n == 0 || n > MAX_LIMIT / unit) {
        g_autofree char *shown = cs_shown(v);

        g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                    "invalid %s '%s': expected a size in bytes, optionally with a "
                    "K, M or G suffix", CS_INPUT_MAX_ENV, shown);
        return FALSE;
    }
    *out_max = n * unit;
    return TRUE;
}

/* Returns: (transfer full) @max in words ("64 MiB", "1000 bytes"). */
static char *
size_words(guint64 max)
{
    if (max >= (1u << 30) && max % (1u << 30) == 0)
        return g_strdup_printf("%" G_GUINT64_FORMAT " GiB", max >> 30);
    if (max >= (1u << 20) && max % (1u << 20) == 0)
        return g_strdup_printf("%" G_GUINT64_FORMAT " MiB", max >> 20);
    if (max >= (1u << 10) && max % (1u << 10) == 0)
        return g_strdup_printf("%" G_GUINT64_FORMAT " KiB", max >> 10);
    return g_strdup_printf("%" G_GUINT64_FORMAT " bytes", max);
}

static void
set_too_large(GError **error, const char *shown, guint64 max)
{
    g_autofree char *words = size_words(max);

    g_set_error(error, CS_ERROR, CS_ERROR_TOO_LARGE,
                "cannot read '%s': larger than the input size limit of %s "
                "(%s raises it)", shown, words, CS_INPUT_MAX_ENV);
}

static void
set_errno(GError **error, const char *shown, int err)
{
    g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", shown,
                g_strerror(err));
}

gssize
cs_input_read_some(int fd, void *buf, gsize len)
{
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        /* a FIFO opened without blocking reads as ended until a writer
         * comes: wait for data or a hang-up first */
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        n = read(fd, buf, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        return n;
    }
}

/* Reads @fd to its end into a NUL-terminated buffer; more than @max bytes
 * fail. @hint: the expected size (0: unknown). */
static char *
read_all(int fd, const char *shown, guint64 max, guint64 hint, gsize *out_len,
         GError **error)
{
    gsize cap = hint && hint <= max ? (gsize) hint + 1 : MIN(PIPE_CHUNK, (gsize) max + 1);
    gsize len = 0;
    g_autofree char *buf = g_malloc(cap + 1);

    for (;;) {
        gssize n;

        if (len == cap) {
            if ((guint64) len > max) {
                set_too_large(error, shown, max);
                return NULL;
            }
            cap = (gsize) MIN((guint64) cap * 2, max + 1);
            buf = g_realloc(buf, cap + 1);
        }
        if ((n = cs_input_read_some(fd, buf + len, cap - len)) < 0) {
            set_errno(error, shown, errno);
            return NULL;
        }
        if (n == 0)
            break;
        len += (gsize) n;
    }
    if ((guint64) len > max) {
        set_too_large(error, shown, max);
        return NULL;
    }
    buf[len] = '\0';
    if (out_len)
        *out_len = len;
    return g_steal_pointer(&buf);
}

static const char *
kind_of(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO or pipe";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a special file";
}

char *
cs_input_read_file(const char *path, guint64 max, CsInputFlags flags, gsize *out_len,
                   GError **error)
{
    g_autofree char *owned_name = NULL;

    g_return_val_if_fail(path != NULL, NULL);
    return cs_input_read_file_as(path, cs_source_name(path, &owned_name), max, flags,
                                 out_len, error);
}

char *
cs_input_read_file_as(const char *path, const char *shown, guint64 max,
                      CsInputFlags flags, gsize *out_len, GError **error)
{
    struct stat st;
    char *ret = NULL;
    int fd;

    g_return_val_if_fail(path != NULL, NULL);
    if (max == 0 && !cs_input_get_max_size(&max, error))
        return NULL;
    max = MIN(max, (guint64) MAX_LIMIT);

    if ((flags & CS_INPUT_DASH_IS_STDIN) && strcmp(path, "-") == 0) {
        if (fstat(STDIN_FILENO, &st) != 0) {
            set_errno(error, "(standard input)", errno);
            return NULL;
        }
        if (S_ISDIR(st.st_mode)) {
            set_errno(error, "(standard input)", EISDIR);
            return NULL;
        }
        return read_all(STDIN_FILENO, "(standard input)", max,
                        S_ISREG(st.st_mode) ? (guint64) st.st_size : 0, out_len, error);
    }

    if (!*path) {
        set_errno(error, shown, ENOENT);
        return NULL;
    }
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
        set_errno(error, shown, errno);
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        set_errno(error, shown, errno);
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        set_errno(error, shown, EISDIR);
        close(fd);
        return NULL;
    }
    if (S_ISFIFO(st.st_mode) && (flags & CS_INPUT_ALLOW_PIPE)) {
        /* a pipe the user named: read it (waiting for a writer as any
         * reader would) through the descriptor already open */
        ret = read_all(fd, shown, max, 0, out_len, error);
        close(fd);
        return ret;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO,
                    "cannot read '%s': not a regular file (%s)", shown, kind_of(st.st_mode));
        close(fd);
        return NULL;
    }
    if ((guint64) st.st_size > max) {
        set_too_large(error, shown, max);
        close(fd);
        return NULL;
    }
    /* back to blocking reads (a regular file never waits anyway) */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    ret = read_all(fd, shown, max, (guint64) st.st_size, out_len, error);
    close(fd);
    return ret;
}
