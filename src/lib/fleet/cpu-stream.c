/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: a streaming reader of many host CPUs.
 *
 * The input is scanned (not parsed) for the outermost <cpu> elements: the
 * scanner checks the structure around them (tags nest, attributes are
 * quoted, no DOCTYPE) and hands each <cpu> element's bytes to libxml2 on its
 * own. Identical elements (a fleet repeats a few configurations) are parsed
 * once: a bounded cache maps their bytes to the parsed definition. Regular
 * files are mapped and the pages behind the cursor are dropped, so memory
 * stays flat whatever the size. Inputs the scanner does not handle (pipes,
 * other encodings than UTF-8) go through libxml2's xmlTextReader, one
 * expanded <cpu> at a time. Raw data (<cpudata> XML or `cpuid -r` text) is
 * decoded as a host CPU.
 *
 * It is a reader of hosts rather than a format: each <cpu> goes to
 * formats/'s parser and raw data to the decoder, so it sits in fleet/.
 * Why this file is long (~1,040 lines): the scanner, the xmlTextReader
 * fallback and the cache share the stream's state, its positions and its
 * error reporting. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <libxml/xmlreader.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-input.h>
#include <libcpusel/cs-baseline.h>
#include <libcpusel/cs-ops.h>
#include "formats/cpu-def-xml-private.h"
#include "cpu-stream-private.h"
#include "core/error-private.h"
#include "formats/input-private.h"
#include "formats/xml-util.h"

/* At most this many distinct <cpu> elements are kept parsed. */
#define CACHE_MAX 1024
/* A mapped file gives back the pages behind the cursor every this many bytes. */
#define DROP_STEP (8u << 20)
/* Files up to this size are read at once rather than mapped. */
#define SMALL_FILE (1u << 20)

typedef enum {
    MODE_FAST,      /* the scanner */
    MODE_READER,    /* libxml2's xmlTextReader */
    MODE_RAW,       /* raw data, not yet decoded */
} StreamMode;

typedef struct {
    const char *name;
    gsize len;
} OpenTag;

typedef struct {
    guint64 hash;
    gsize len;
    char *bytes;
} CacheKey;

struct _CsCpuStream {
    const CsCpuMap *map;
    char *source;
    char *path;             /* NULL when reading memory */
    StreamMode mode;
    gboolean done;
    guint64 count;          /* CPUs returned */
    guint64 seen;           /* <cpu> elements met */
    guint64 total;
    CsCpuDef *current;      /* the last CPU handed out, when not cached */
    char *host_uuid;        /* <uuid> of the capabilities <host> being read */
    int host_depth;         /* reader: depth of that <host>, -1 outside one */

    /* MODE_FAST */
    const char *data;
    gsize size;
    gsize pos;
    gpointer mapped;        /* munmap() on free */
    char *owned;            /* a small file's contents */
    gsize dropped;
    gsize line_pos;         /* line_at(): the line of this offset ... */
    guint line_no;          /* ... is this */
    GArray *stack;          /* OpenTag */
    gboolean root_seen;
    GHashTable *cache;      /* CacheKey -> CsCpuDef */

    /* MODE_READER */
    int fd;
    xmlTextReaderPtr reader;
    CsXmlErrors errs;
    gboolean skip_subtree;
    char head[512];
    gsize head_len;
    gsize head_pos;
};

static guint
cache_key_hash(gconstpointer p)
{
    return (guint) ((const CacheKey *) p)->hash;
}

static gboolean
cache_key_equal(gconstpointer pa, gconstpointer pb)
{
    const CacheKey *a = pa;
    const CacheKey *b = pb;

    return a->hash == b->hash && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static void
cache_key_free(gpointer p)
{
    CacheKey *k = p;

    g_free(k->bytes);
    g_free(k);
}

static guint64
hash_bytes(const char *p, gsize len)
{
    guint64 h = 0xcbf29ce484222325ull;
    gsize i = 0;

    /* FNV-1a over 8-byte words, then the tail */
    for (; i + 8 <= len; i += 8) {
        guint64 w;

        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ (guchar) p[i]) * 0x100000001b3ull;
    return h;
}

void
cs_cpu_stream_free(CsCpuStream *s)
{
    if (!s)
        return;
    if (s->reader)
        xmlFreeTextReader(s->reader);
    if (s->fd >= 0)
        close(s->fd);
    if (s->mapped)
        munmap(s->mapped, s->size);
    if (s->stack)
        g_array_unref(s->stack);
    if (s->cache)
        g_hash_table_unref(s->cache);
    if (s->current)
        cs_cpu_def_free(s->current);
    g_free(s->owned);
    g_free(s->host_uuid);
    cs_xml_errors_clear(&s->errs);
    g_free(s->source);
    g_free(s->path);
    g_free(s);
}

static gboolean
looks_like_xml(const char *buf, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        if (g_ascii_isspace(buf[i]))
            continue;
        return buf[i] == '<';
    }
    return FALSE;
}

/* TRUE when the scanner can read a document starting with @head: UTF-8
 * (or ASCII), which an XML declaration may say. */
static gboolean
fast_ok(const char *head, gsize len)
{
    const char *end;
    g_autofree char *decl = NULL;
    const char *enc;

    if (len >= 2 && ((guchar) head[0] == 0xfe || (guchar) head[0] == 0xff ||
                     head[0] == 0 || head[1] == 0))
        return FALSE;   /* UTF-16 or UTF-32 */
    if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0) {
        head += 3;
        len -= 3;
    }
    if (len < 5 || memcmp(head, "<?xml", 5) != 0)
        return TRUE;
    if (!(end = g_strstr_len(head, len, "?>")))
        return FALSE;
    decl = g_strndup(head, end - head);
    if (!(enc = strstr(decl, "encoding")))
        return TRUE;
    enc += strlen("encoding");
    while (*enc == ' ' || *enc == '=' || *enc == '\'' || *enc == '"' || *enc == '\t')
        enc++;
    return g_ascii_strncasecmp(enc, "utf-8", 5) == 0 ||
           g_ascii_strncasecmp(enc, "utf8", 4) == 0 ||
           g_ascii_strncasecmp(enc, "us-ascii", 8) == 0;
}

static CsCpuStream *
stream_new(const CsCpuMap *map, const char *source)
{
    CsCpuStream *s = g_new0(CsCpuStream, 1);
    g_autofree char *owned = NULL;

    s->map = map;
    s->source = g_strdup(cs_source_name(source, &owned));
    s->line_no = 1;
    s->fd = -1;
    s->host_depth = -1;
    return s;
}

static void
fast_init(CsCpuStream *s)
{
    s->mode = MODE_FAST;
    s->stack = g_array_new(FALSE, FALSE, sizeof(OpenTag));
    s->cache = g_hash_table_new_full(cache_key_hash, cache_key_equal, cache_key_free,
                                     (GDestroyNotify) cs_cpu_def_free);
    if (s->size >= 3 && memcmp(s->data, "\xef\xbb\xbf", 3) == 0)
        s->pos = 3;
}

/* ---- libxml2's reader (pipes, other encodings) -------------------------- */

/* Reads from the file, first replaying the bytes already read to detect
 * the kind of input. */
static int
reader_read(void *ctx, char *buf, int len)
{
    CsCpuStream *s = ctx;
    ssize_t n;

    if (s->head_pos < s->head_len) {
        gsize k = MIN((gsize) len, s->head_len - s->head_pos);

        memcpy(buf, s->head + s->head_pos, k);
        s->head_pos += k;
        return (int) k;
    }
    /* the descriptor may be a FIFO opened without blocking */
    n = cs_input_read_some(s->fd, buf, len);
    return n < 0 ? -1 : (int) n;
}

static int
reader_close(void *ctx)
{
    return 0;
}

static const int reader_options = XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                                  XML_PARSE_COMPACT;

static gboolean
reader_init(CsCpuStream *s, const char *mem, gsize len, GError **error)
{
    s->mode = MODE_READER;
    cs_xml_errors_begin(&s->errs);
    if (mem)
        s->reader = xmlReaderForMemory(mem, (int) len, NULL, NULL, reader_options);
    else
        s->reader = xmlReaderForIO(reader_read, reader_close, s, NULL, NULL,
                                   reader_options);
    cs_xml_errors_end(&s->errs);
    if (!s->reader) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "%s: cannot read the XML input",
                    s->source);
        return FALSE;
    }
    xmlTextReaderSetStructuredErrorHandler(s->reader, cs_xml_errors_handler, &s->errs);
    return TRUE;
}

/* ---- Opening ------------------------------------------------------------ */

/* Whether the document in @head (its first bytes) has <cpudata> as its
 * root element, after an optional BOM, XML declaration, comments and white
 * space. */
static gboolean
root_is_cpudata(const char *head, gsize len)
{
    const char *p = head, *end = head + len;

    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end) {
        const char *close;

        if (g_ascii_isspace(*p)) {
            p++;
        } else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            if (!(close = g_strstr_len(p + 4, end - p - 4, "-->")))
                return FALSE;
            p = close + 3;
        } else if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
            if (!(close = g_strstr_len(p + 2, end - p - 2, "?>")))
                return FALSE;
            p = close + 2;
        } else {
            return end - p > 8 && memcmp(p, "<cpudata", 8) == 0 &&
                   (g_ascii_isspace(p[8]) || p[8] == '>' || p[8] == '/');
        }
    }
    return FALSE;
}

/* Reads the rest of a pipe after the head already read, within the input
 * size limit, into s->owned (s->data, s->size). */
static gboolean
slurp_pipe(CsCpuStream *s, const char *path, GError **error)
{
    guint64 max = 0;
    GString *buf;
    char chunk[65536];
    gssize n;

    if (!cs_input_get_max_size(&max, error))
        return FALSE;
    buf = g_string_new_len(s->head, s->head_len);
    while ((n = cs_input_read_some(s->fd, chunk, sizeof(chunk))) > 0) {
        if (max && buf->len + (guint64) n > max) {
            g_autofree char *owned = NULL;

            g_string_free(buf, TRUE);
            g_set_error(error, CS_ERROR, CS_ERROR_IO,
                        "%s: raw CPU data larger than the input limit (%" G_GUINT64_FORMAT
                        " bytes; CPUSEL_MAX_INPUT raises it)", cs_source_name(path, &owned),
                        max);
            return FALSE;
        }
        g_string_append_len(buf, chunk, n);
    }
    if (n < 0) {
        g_string_free(buf, TRUE);
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", s->source,
                    g_strerror(errno));
        return FALSE;
    }
    s->size = s->total = buf->len;
    s->owned = g_string_free(buf, FALSE);
    s->data = s->owned;
    return TRUE;
}

CsCpuStream *
cs_cpu_stream_open_file(const CsCpuMap *map, const char *path, GError **error)
{
    g_autoptr(CsCpuStream) s = NULL;
    struct stat st;
    ssize_t n;

    g_return_val_if_fail(map != NULL && path != NULL, NULL);
    s = stream_new(map, path);
    s->path = g_strdup(path);
    path = s->source;   /* as messages show it */
    /* O_NONBLOCK: opening a FIFO must not wait before it is known to be one */
    if ((s->fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 ||
        fstat(s->fd, &st) != 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                    g_strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                    g_strerror(EISDIR));
        return NULL;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO,
                    "cannot read '%s': not a regular file or a pipe", path);
        return NULL;
    }
    if (S_ISREG(st.st_mode)) {
        fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) & ~O_NONBLOCK);
        s->total = st.st_size;
        s->size = st.st_size;
        if (s->size <= SMALL_FILE) {
            /* small: one read() is cheaper than mapping */
            gsize got = 0;

            s->owned = g_malloc(s->size + 1);
            while (got < s->size) {
                ssize_t r = read(s->fd, s->owned + got, s->size - got);

                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0) {
                    g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                                r < 0 ? g_strerror(errno) : "file truncated");
                    return NULL;
                }
                got += r;
            }
            s->owned[s->size] = '\0';
            s->data = s->owned;
        } else if ((s->mapped = mmap(NULL, s->size, PROT_READ, MAP_PRIVATE, s->fd, 0)) ==
                   MAP_FAILED) {
            s->mapped = NULL;
            g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                        g_strerror(errno));
            return NULL;
        } else {
            s->data = s->mapped;
        }
        if (!looks_like_xml(s->data, s->size)) {
            s->mode = MODE_RAW;
        } else if (fast_ok(s->data, MIN(s->size, 512))) {
            fast_init(s);
        } else {
            if (s->mapped)
                munmap(s->mapped, s->size);
            s->mapped = NULL;
            g_clear_pointer(&s->owned, g_free);
            s->data = NULL;
            if (lseek(s->fd, 0, SEEK_SET) != 0) {
                g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                            g_strerror(errno));
                return NULL;
            }
            if (!reader_init(s, NULL, 0, error))
                return NULL;
        }
        if (s->mode != MODE_READER) {
            close(s->fd);
            s->fd = -1;
        }
        return g_steal_pointer(&s);
    }
    /* a pipe or device: read through libxml2 */
    n = cs_input_read_some(s->fd, s->head, sizeof(s->head));
    if (n < 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                    g_strerror(errno));
        return NULL;
    }
    s->head_len = n;
    if (!looks_like_xml(s->head, s->head_len) || root_is_cpudata(s->head, s->head_len)) {
        /* raw data from a pipe: one host, read whole within the input limit */
        if (!slurp_pipe(s, path, error))
            return NULL;
        if (!looks_like_xml(s->data, s->size))
            s->mode = MODE_RAW;
        else if (!reader_init(s, s->data, s->size, error))
            return NULL;
        return g_steal_pointer(&s);
    }
    if (!reader_init(s, NULL, 0, error))
        return NULL;
    return g_steal_pointer(&s);
}

static CsCpuStream *
new_from_memory(const CsCpuMap *map, const char *buf, gsize len, const char *source,
                gboolean use_reader, GError **error)
{
    g_autoptr(CsCpuStream) s = NULL;

    g_return_val_if_fail(map != NULL && (buf != NULL || len == 0), NULL);
    s = stream_new(map, source ? source : "(input)");
    if (len > G_MAXINT) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: input too large", s->source);
        return NULL;
    }
    s->data = buf ? buf : "";
    s->size = len;
    s->total = len;
    if (!looks_like_xml(s->data, len))
        s->mode = MODE_RAW;
    else if (!use_reader && fast_ok(s->data, MIN(len, 512)))
        fast_init(s);
    else if (!reader_init(s, s->data, len, error))
        return NULL;
    return g_steal_pointer(&s);
}

CsCpuStream *
cs_cpu_stream_new_from_memory(const CsCpuMap *map, const char *buf, gsize len,
                              const char *source, GError **error)
{
    return new_from_memory(map, buf, len, source, FALSE, error);
}

CsCpuStream *
cs_cpu_stream_new_from_memory_reader(const CsCpuMap *map, const char *buf, gsize len,
                                     const char *source, GError **error)
{
    return new_from_memory(map, buf, len, source, TRUE, error);
}

const char *
cs_cpu_stream_get_host_uuid(const CsCpuStream *s)
{
    g_return_val_if_fail(s != NULL, NULL);
    return s->host_uuid;
}

guint64
cs_cpu_stream_get_count(const CsCpuStream *s)
{
    return s->count;
}

void
cs_cpu_stream_get_progress(const CsCpuStream *s, guint64 *out_done, guint64 *out_total)
{
    guint64 done = 0;

    if (s->done) {
        done = s->total;
    } else if (s->mode == MODE_FAST) {
        done = s->pos;
    } else if (s->reader) {
        long c = xmlTextReaderByteConsumed(s->reader);

        done = c > 0 ? (guint64) c : 0;
    }
    if (out_done)
        *out_done = done;
    if (out_total)
        *out_total = s->total;
}

/* Decodes raw data (the whole input) as a host CPU. */
static CsCpuDef *
decode_raw(CsCpuStream *s, GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;
    guint64 max = 0;

    s->done = TRUE;
    /* raw data is parsed whole: a file of it must fit the input limit */
    if (s->path && s->data) {
        if (!cs_input_get_max_size(&max, error))
            return NULL;
        if (s->size > max) {
            g_set_error(error, CS_ERROR, CS_ERROR_TOO_LARGE,
                        "cannot read '%s': raw CPU data larger than the input size limit "
                        "(%s raises it)", s->source, CS_INPUT_MAX_ENV);
            return NULL;
        }
    }
    if (s->data && looks_like_xml(s->data, s->size))
        data = cs_cpuid_data_parse_xml(s->data, s->size, s->source, error);
    else if (s->data)
        data = cs_cpuid_data_parse_cpuid_r(s->data, s->size, s->source, error);
    else
        data = cs_cpuid_data_load_file(s->path, error);
    if (!data)
        return NULL;
    return cs_cpu_decode(s->map, data, CS_DECODE_HOST, error);
}

/* ---- The scanner -------------------------------------------------------- */

/* Line of offset @pos; counts on from the last offset asked (the scanner
 * only goes forward), so that a whole input is counted once. */
static guint
line_at(CsCpuStream *s, gsize pos)
{
    const char *p;
    const char *end = s->data + MIN(pos, s->size);

    if (pos < s->line_pos) {
        s->line_pos = 0;
        s->line_no = 1;
    }
    p = s->data + s->line_pos;
    while ((p = memchr(p, '\n', end - p))) {
        s->line_no++;
        p++;
    }
    s->line_pos = MIN(pos, s->size);
    return s->line_no;
}

static gboolean
scan_fail(CsCpuStream *s, gsize pos, const char *what, GError **error)
{
    s->done = TRUE;
    g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s:%u: malformed XML: %s", s->source,
                line_at(s, pos), what);
    return FALSE;
}

static inline gboolean
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline gboolean
is_name_char(char c)
{
    return !is_space(c) && c != '/' && c != '>' && c != '=' && c != '<' && c != '\'' &&
           c != '"' && c != '\0';
}

/* Finds @needle from @pos; returns the offset just after it, 0 if absent. */
static gsize
find_after(const CsCpuStream *s, gsize pos, const char *needle)
{
    gsize nlen = strlen(needle);
    const char *p = s->data + pos;
    const char *end = s->data + s->size;

    while (p + nlen <= end) {
        const char *q = memchr(p, needle[0], end - p);

        if (!q || q + nlen > end)
            return 0;
        if (memcmp(q, needle, nlen) == 0)
            return q - s->data + nlen;
        p = q + 1;
    }
    return 0;
}

/* Checks text content between tags: character and entity references must
 * be complete; outside the root only white space may appear. */
static gboolean
scan_text(CsCpuStream *s, gsize from, gsize to, GError **error)
{
    const char *p = s->data + from;
    const char *end = s->data + to;

    if (s->stack->len == 0) {
        for (; p < end; p++) {
            if (!is_space(*p))
                return scan_fail(s, p - s->data, "text outside the root element", error);
        }
        return TRUE;
    }
    while ((p = memchr(p, '&', end - p))) {
        static const char *const ents[] = { "lt;", "gt;", "amp;", "apos;", "quot;" };
        const char *semi = memchr(p, ';', end - p);
        gboolean ok = FALSE;

        if (semi && p[1] == '#') {
            const char *q = p + 2;

            if (*q == 'x')
                q++;
            ok = q < semi;
            for (; q < semi; q++)
                ok = ok && g_ascii_isxdigit(*q);
        } else if (semi) {
            for (guint i = 0; i < G_N_ELEMENTS(ents); i++)
                ok = ok || ((gsize) (semi - p) == strlen(ents[i]) &&
                            memcmp(p + 1, ents[i], strlen(ents[i])) == 0);
        }
        if (!ok)
            return scan_fail(s, p - s->data, "undefined entity or bad reference", error);
        p = semi + 1;
    }
    return TRUE;
}

/* Scans a start or end tag at @pos ('<'): its name and where it ends.
 * Returns FALSE on a malformed tag. */
static gboolean
scan_tag(CsCpuStream *s, gsize pos, gboolean *out_end_tag, const char **out_name,
         gsize *out_len, gboolean *out_empty, gsize *out_after, GError **error)
{
    const char *p = s->data + pos + 1;
    const char *end = s->data + s->size;
    const char *name;

    *out_end_tag = p < end && *p == '/';
    if (*out_end_tag)
        p++;
    name = p;
    while (p < end && is_name_char(*p))
        p++;
    if (p == name)
        return scan_fail(s, pos, "a tag without a name", error);
    *out_name = name;
    *out_len = p - name;
    *out_empty = FALSE;
    for (;;) {
        gboolean spaced = FALSE;

        while (p < end && is_space(*p)) {
            p++;
            spaced = TRUE;
        }
        if (p >= end)
            return scan_fail(s, pos, "unterminated tag", error);
        if (*p == '>') {
            *out_after = p + 1 - s->data;
            return TRUE;
        }
        if (*p == '/' && !*out_end_tag && p + 1 < end && p[1] == '>') {
            *out_empty = TRUE;
            *out_after = p + 2 - s->data;
            return TRUE;
        }
        if (*out_end_tag || !spaced || !is_name_char(*p))
            return scan_fail(s, p - s->data, "bad tag", error);
        /* an attribute: name = 'value' */
        while (p < end && is_name_char(*p))
            p++;
        while (p < end && is_space(*p))
            p++;
        if (p >= end || *p != '=')
            return scan_fail(s, p - s->data, "attribute without a value", error);
        p++;
        while (p < end && is_space(*p))
            p++;
        if (p >= end || (*p != '\'' && *p != '"'))
            return scan_fail(s, p - s->data, "unquoted attribute value", error);
        {
            const char *q = memchr(p + 1, *p, end - p - 1);

            if (!q || memchr(p + 1, '<', q - p - 1))
                return scan_fail(s, p - s->data, "bad attribute value", error);
            p = q + 1;
        }
    }
}

/* Skips a comment, CDATA section or processing instruction at @pos;
 * returns the offset after it, 0 on error. 1 is never a valid answer. */
static gsize
scan_special(CsCpuStream *s, gsize pos, GError **error)
{
    const char *p = s->data + pos;
    gsize left = s->size - pos;
    gsize after;

    if (left >= 4 && memcmp(p, "<!--", 4) == 0) {
        if (!(after = find_after(s, pos + 4, "-->"))) {
            scan_fail(s, pos, "unterminated comment", error);
            return 0;
        }
        /* as XML (and libxml2, which reads pipes): no "--" inside, and no
         * '-' right before the end */
        if (g_strstr_len(s->data + pos + 4, after - 3 - (pos + 4), "--") ||
            (after - 3 > pos + 4 && s->data[after - 4] == '-')) {
            scan_fail(s, pos, "'--' inside a comment", error);
            return 0;
        }
        return after;
    }
    if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
        if (s->stack->len == 0) {
            scan_fail(s, pos, "CDATA outside the root element", error);
            return 0;
        }
        if (!(after = find_after(s, pos + 9, "]]>")))
            scan_fail(s, pos, "unterminated CDATA section", error);
        return after;
    }
    if (left >= 2 && p[1] == '!') {
        if (left >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0) {
            s->done = TRUE;
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s: DOCTYPE declarations are not allowed", s->source);
        } else {
            scan_fail(s, pos, "bad markup declaration", error);
        }
        return 0;
    }
    /* <? ... ?> */
    if (!(after = find_after(s, pos + 2, "?>")))
        scan_fail(s, pos, "unterminated processing instruction", error);
    return after;
}

static gboolean
name_is(const char *name, gsize len, const char *what)
{
    return len == strlen(what) && memcmp(name, what, len) == 0;
}

/* From the start tag of a <cpu> at @pos (ending at @after), finds the end
 * of the element. Returns FALSE on a malformed element. */
static gboolean
scan_cpu_end(CsCpuStream *s, gsize pos, gsize after, gsize *out_end, GError **error)
{
    guint nest = 1;
    gsize q = after;

    while (nest) {
        const char *lt = memchr(s->data + q, '<', s->size - q);
        gsize at;
        gboolean end_tag, empty;
        const char *name;
        gsize len, next;

        if (!lt)
            return scan_fail(s, pos, "the <cpu> element is not closed", error);
        at = lt - s->data;
        if (at + 1 < s->size && (s->data[at + 1] == '!' || s->data[at + 1] == '?')) {
            if (!(q = scan_special(s, at, error)))
                return FALSE;
            continue;
        }
        if (!scan_tag(s, at, &end_tag, &name, &len, &empty, &next, error))
            return FALSE;
        if (name_is(name, len, "cpu")) {
            if (end_tag)
                nest--;
            else if (!empty)
                nest++;
        }
        q = next;
    }
    *out_end = q;
    return TRUE;
}

/* Parses the bytes of one <cpu> element (cached when seen before). Sets
 * *@out_cached when the definition belongs to the cache. */
static CsCpuDef *
parse_cpu_bytes(CsCpuStream *s, gsize from, gsize to, gboolean *out_cached,
                GError **error)
{
    CacheKey key = { .hash = hash_bytes(s->data + from, to - from), .len = to - from,
                     .bytes = (char *) s->data + from };
    CsCpuDef *def;

    *out_cached = FALSE;
    if ((def = g_hash_table_lookup(s->cache, &key))) {
        *out_cached = TRUE;
        return def;
    }
    /* the <cpu> parser's fast path reads plain definitions without
     * libxml2; messages of the other one name lines of the whole input */
    if (!(def = cs_cpu_def_parse_xml_at(s->data + from, to - from, s->source,
                                        CS_PARSE_HOST, (int) line_at(s, from) - 1, error)))
        return NULL;
    if (g_hash_table_size(s->cache) < CACHE_MAX) {
        CacheKey *k = g_new(CacheKey, 1);

        *k = key;
        k->bytes = g_memdup2(s->data + from, to - from);
        g_hash_table_insert(s->cache, k, def);
        *out_cached = TRUE;
    }
    return def;
}

static void
drop_behind(CsCpuStream *s)
{
    long page = sysconf(_SC_PAGESIZE);
    gsize upto;

    if (!s->mapped || s->pos - s->dropped < DROP_STEP || page <= 0)
        return;
    upto = s->pos & ~((gsize) page - 1);
    if (upto > s->dropped) {
        madvise((char *) s->mapped + s->dropped, upto - s->dropped, MADV_DONTNEED);
        s->dropped = upto;
    }
}

/* Keeps the text of a <host>'s <uuid> starting at @from (plain text only:
 * the scanner checks it like any other text afterwards). */
static void
fast_host_uuid(CsCpuStream *s, gsize from)
{
    const char *lt = memchr(s->data + from, '<', s->size - from);
    const char *p = s->data + from;
    const char *end;

    g_clear_pointer(&s->host_uuid, g_free);
    if (!lt)
        return;
    end = lt;
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    if (p < end && !memchr(p, '&', end - p))
        s->host_uuid = g_strndup(p, end - p);
}

/* The next <cpu> of a scanned input: TRUE with *@out_def (borrowed) or NULL
 * at the end. */
static gboolean
fast_next(CsCpuStream *s, const CsCpuDef **out_def, gboolean *out_stable, GError **error)
{
    for (;;) {
        const char *lt = memchr(s->data + s->pos, '<', s->size - s->pos);
        gsize at, after;
        gboolean end_tag, empty;
        const char *name;
        gsize len;

        drop_behind(s);
        if (!lt) {
            if (!scan_text(s, s->pos, s->size, error))
                return FALSE;
            s->done = TRUE;
            if (s->stack->len)
                return scan_fail(s, s->size, "unexpected end of the document", error);
            if (!s->root_seen)
                return scan_fail(s, s->size, "no root element", error);
            if (s->seen == 0) {
                g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                            "%s: the document holds no <cpu> element", s->source);
                return FALSE;
            }
            return TRUE;
        }
        at = lt - s->data;
        if (!scan_text(s, s->pos, at, error))
            return FALSE;
        if (at + 1 < s->size && (s->data[at + 1] == '!' || s->data[at + 1] == '?')) {
            if (!(s->pos = scan_special(s, at, error)))
                return FALSE;
            continue;
        }
        if (!scan_tag(s, at, &end_tag, &name, &len, &empty, &after, error))
            return FALSE;
        if (end_tag) {
            OpenTag *top;

            if (s->stack->len == 0)
                return scan_fail(s, at, "closing tag without an opening one", error);
            top = &g_array_index(s->stack, OpenTag, s->stack->len - 1);
            if (top->len != len || memcmp(top->name, name, len) != 0)
                return scan_fail(s, at, "mismatched closing tag", error);
            g_array_set_size(s->stack, s->stack->len - 1);
            if (name_is(name, len, "host"))
                g_clear_pointer(&s->host_uuid, g_free);
            s->pos = after;
            continue;
        }
        if (name_is(name, len, "host")) {
            g_clear_pointer(&s->host_uuid, g_free);
        } else if (name_is(name, len, "uuid") && !empty && s->stack->len &&
                   name_is(g_array_index(s->stack, OpenTag, s->stack->len - 1).name,
                           g_array_index(s->stack, OpenTag, s->stack->len - 1).len,
                           "host")) {
            fast_host_uuid(s, after);
        }
        if (s->stack->len == 0) {
            if (s->root_seen)
                return scan_fail(s, at, "extra content after the root element", error);
            s->root_seen = TRUE;
            if (name_is(name, len, "cpudata")) {
                s->mode = MODE_RAW;
                return TRUE;    /* the caller decodes */
            }
        }
        if (name_is(name, len, "cpu")) {
            gsize end = after;
            gboolean cached;
            CsCpuDef *def;

            if (!empty && !scan_cpu_end(s, at, after, &end, error))
                return FALSE;
            s->pos = end;
            s->seen++;
            if (!(def = parse_cpu_bytes(s, at, end, &cached, error)))
                return FALSE;   /* a bad <cpu>: the caller may go on */
            if (!cached)
                s->current = def;
            *out_def = def;
            *out_stable = cached;
            return TRUE;
        }
        if (!empty) {
            OpenTag t = { name, len };

            g_array_append_val(s->stack, t);
        }
        s->pos = after;
    }
}

static gboolean
reader_fail(CsCpuStream *s, GError **error)
{
    s->done = TRUE;
    cs_xml_errors_set(&s->errs, s->source,
                      s->reader ? xmlTextReaderGetParserLineNumber(s->reader) : 0, error);
    return FALSE;
}

static gboolean
reader_next(CsCpuStream *s, const CsCpuDef **out_def, GError **error)
{
    for (;;) {
        const char *name;
        int ret, type;

        if (s->skip_subtree) {
            s->skip_subtree = FALSE;
            ret = xmlTextReaderNext(s->reader);
        } else {
            ret = xmlTextReaderRead(s->reader);
        }
        if (ret < 0 || s->errs.message)
            return reader_fail(s, error);
        if (ret == 0) {
            s->done = TRUE;
            if (s->seen == 0) {
                g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                            "%s: the document holds no <cpu> element", s->source);
                return FALSE;
            }
            return TRUE;
        }
        type = xmlTextReaderNodeType(s->reader);
        if (type == XML_READER_TYPE_END_ELEMENT &&
            xmlTextReaderDepth(s->reader) == s->host_depth) {
            g_clear_pointer(&s->host_uuid, g_free);
            s->host_depth = -1;
            continue;
        }
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            s->done = TRUE;
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s: DOCTYPE declarations are not allowed", s->source);
            return FALSE;
        }
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        if (!(name = (const char *) xmlTextReaderConstLocalName(s->reader)))
            continue;
        if (xmlTextReaderDepth(s->reader) == 0 && strcmp(name, "cpudata") == 0) {
            if (s->data) {
                s->mode = MODE_RAW;     /* in memory: the caller decodes it */
                return TRUE;
            }
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s: a <cpudata> dump behind a long prologue cannot be read "
                        "from a pipe; give it as a file", s->source);
            s->done = TRUE;
            return FALSE;
        }
        if (strcmp(name, "host") == 0) {
            g_clear_pointer(&s->host_uuid, g_free);
            s->host_depth = xmlTextReaderIsEmptyElement(s->reader) ? -1 :
                            xmlTextReaderDepth(s->reader);
            continue;
        }
        if (strcmp(name, "uuid") == 0 && s->host_depth >= 0 &&
            xmlTextReaderDepth(s->reader) == s->host_depth + 1) {
            xmlChar *text = xmlTextReaderReadString(s->reader);

            g_clear_pointer(&s->host_uuid, g_free);
            if (text) {
                g_autofree char *copy = g_strstrip(g_strdup((const char *) text));

                if (*copy)
                    s->host_uuid = g_steal_pointer(&copy);
                xmlFree(text);
            }
            continue;
        }
        if (strcmp(name, "cpu") == 0) {
            gboolean xml_failed = FALSE;
            g_autoptr(GError) local = NULL;

            s->seen++;
            s->current = cs_cpu_def_parse_reader(s->reader, s->source, CS_PARSE_HOST,
                                                 &xml_failed, &local);
            if (xml_failed || s->errs.message) {
                g_clear_pointer(&s->current, cs_cpu_def_free);
                return reader_fail(s, error);
            }
            if (!s->current) {
                g_propagate_error(error, g_steal_pointer(&local));
                return FALSE;
            }
            *out_def = s->current;
            return TRUE;
        }
    }
}

gboolean
cs_cpu_stream_next_borrowed(CsCpuStream *s, const CsCpuDef **out_def,
                            gboolean *out_stable, GError **error)
{
    gboolean stable = FALSE;

    g_return_val_if_fail(s != NULL && out_def != NULL, FALSE);
    *out_def = NULL;
    if (s->current)
        g_clear_pointer(&s->current, cs_cpu_def_free);
    if (!s->done && s->mode == MODE_FAST &&
        !fast_next(s, out_def, &stable, error))
        return FALSE;
    if (!s->done && s->mode == MODE_READER) {
        gboolean ok;

        /* libxml2 reports encoding errors to the thread, not the reader */
        cs_xml_errors_begin(&s->errs);
        ok = reader_next(s, out_def, error);
        cs_xml_errors_end(&s->errs);
        if (!ok)
            return FALSE;
    }
    if (!s->done && s->mode == MODE_RAW) {
        if (!(s->current = decode_raw(s, error)))
            return FALSE;
        *out_def = s->current;
    }
    if (*out_def)
        s->count++;
    if (out_stable)
        *out_stable = stable;
    return TRUE;
}

gboolean
cs_cpu_stream_next(CsCpuStream *s, CsCpuDef **out_def, GError **error)
{
    const CsCpuDef *def = NULL;
    gboolean stable = FALSE;

    g_return_val_if_fail(s != NULL && out_def != NULL, FALSE);
    *out_def = NULL;
    if (!cs_cpu_stream_next_borrowed(s, &def, &stable, error))
        return FALSE;
    if (!def)
        return TRUE;
    if (!stable && def == s->current) {
        *out_def = g_steal_pointer(&s->current);
        return TRUE;
    }
    *out_def = cs_cpu_def_copy(def);
    return TRUE;
}
