/* libcpusel: a streaming reader of many host CPUs. One <cpu> element at a
 * time is expanded from an xmlTextReader, parsed and handed out; the reader
 * frees what it has passed, so memory stays flat whatever the file's size.
 * Raw data (<cpudata> XML or `cpuid -r` text) is decoded as a host CPU. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <libxml/xmlreader.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-baseline.h>
#include <libcpusel/cs-ops.h>
#include "cpu-def-private.h"

struct _CsCpuStream {
    const CsCpuMap *map;
    char *source;
    char *path;             /* NULL when reading memory */
    const char *buf;        /* memory input */
    gsize len;
    xmlTextReaderPtr reader;
    char *xml_error;        /* first message from libxml2 */
    gboolean skip_subtree;  /* the last <cpu> was expanded: step over it */
    gboolean raw;           /* the input is raw data, not yet decoded */
    gboolean done;
    guint64 count;          /* CPUs returned */
    guint64 seen;           /* <cpu> elements met */
    guint64 total;
};

static void
reader_error(void *arg, xmlErrorPtr e)
{
    CsCpuStream *s = arg;

    if (!s->xml_error && e && e->message) {
        if (e->line > 0)
            s->xml_error = g_strdup_printf("%s:%d: malformed XML: %s", s->source, e->line,
                                           e->message);
        else
            s->xml_error = g_strdup_printf("%s: malformed XML: %s", s->source,
                                           e->message);
        g_strstrip(s->xml_error);
    }
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

void
cs_cpu_stream_free(CsCpuStream *s)
{
    if (!s)
        return;
    if (s->reader)
        xmlFreeTextReader(s->reader);
    g_free(s->xml_error);
    g_free(s->source);
    g_free(s->path);
    g_free(s);
}

static const int reader_options = XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                                  XML_PARSE_COMPACT;

static CsCpuStream *
stream_start(CsCpuStream *s, const char *head, gsize head_len, GError **error)
{
    g_autoptr(CsCpuStream) owned = s;

    if (!looks_like_xml(head, head_len)) {
        s->raw = TRUE;
        return g_steal_pointer(&owned);
    }
    if (s->path)
        s->reader = xmlReaderForFile(s->path, NULL, reader_options);
    else if (s->len <= G_MAXINT)
        s->reader = xmlReaderForMemory(s->buf, (int) s->len, s->source, NULL,
                                       reader_options);
    if (!s->reader) {
        g_set_error(error, CS_ERROR, s->path ? CS_ERROR_IO : CS_ERROR_PARSE,
                    "%s: cannot read the XML input", s->source);
        return NULL;
    }
    xmlTextReaderSetStructuredErrorHandler(s->reader, reader_error, s);
    return g_steal_pointer(&owned);
}

CsCpuStream *
cs_cpu_stream_open_file(const CsCpuMap *map, const char *path, GError **error)
{
    CsCpuStream *s;
    char head[512];
    gsize n;
    FILE *f;
    struct stat st;

    g_return_val_if_fail(map != NULL && path != NULL, NULL);
    if (!(f = fopen(path, "rb"))) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                    g_strerror(errno));
        return NULL;
    }
    n = fread(head, 1, sizeof(head), f);
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(f);
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': not a file", path);
        return NULL;
    }
    fclose(f);
    s = g_new0(CsCpuStream, 1);
    s->map = map;
    s->source = g_strdup(path);
    s->path = g_strdup(path);
    s->total = S_ISREG(st.st_mode) ? (guint64) st.st_size : 0;
    return stream_start(s, head, n, error);
}

CsCpuStream *
cs_cpu_stream_new_from_memory(const CsCpuMap *map, const char *buf, gsize len,
                              const char *source, GError **error)
{
    CsCpuStream *s;

    g_return_val_if_fail(map != NULL && (buf != NULL || len == 0), NULL);
    if (len > G_MAXINT) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: input too large",
                    source ? source : "(input)");
        return NULL;
    }
    s = g_new0(CsCpuStream, 1);
    s->map = map;
    s->source = g_strdup(source ? source : "(input)");
    s->buf = buf ? buf : "";
    s->len = len;
    s->total = len;
    return stream_start(s, s->buf, len, error);
}

guint64
cs_cpu_stream_get_count(const CsCpuStream *s)
{
    return s->count;
}

void
cs_cpu_stream_get_progress(const CsCpuStream *s, guint64 *out_done, guint64 *out_total)
{
    long done = 0;

    if (s->reader && !s->done)
        done = xmlTextReaderByteConsumed(s->reader);
    else if (s->done)
        done = (long) s->total;
    if (out_done)
        *out_done = done > 0 ? (guint64) done : 0;
    if (out_total)
        *out_total = s->total;
}

/* Decodes raw data (the whole input) as a host CPU. */
static CsCpuDef *
decode_raw(CsCpuStream *s, GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;

    if (s->path)
        data = cs_cpuid_data_load_file(s->path, error);
    else if (looks_like_xml(s->buf, s->len))
        data = cs_cpuid_data_parse_xml(s->buf, s->len, s->source, error);
    else
        data = cs_cpuid_data_parse_cpuid_r(s->buf, s->len, s->source, error);
    if (!data)
        return NULL;
    return cs_cpu_decode(s->map, data, CS_DECODE_HOST, error);
}

static gboolean
stream_fail(CsCpuStream *s, GError **error, const char *fallback)
{
    s->done = TRUE;
    g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s",
                s->xml_error ? s->xml_error : fallback);
    return FALSE;
}

gboolean
cs_cpu_stream_next(CsCpuStream *s, CsCpuDef **out_def, GError **error)
{
    int ret;

    g_return_val_if_fail(s != NULL && out_def != NULL, FALSE);
    *out_def = NULL;
    if (s->done)
        return TRUE;
    if (s->raw) {
        CsCpuDef *def = decode_raw(s, error);

        s->raw = FALSE;
        s->done = TRUE;
        if (!def)
            return FALSE;
        s->count++;
        *out_def = def;
        return TRUE;
    }

    for (;;) {
        const char *name;
        int type;

        if (s->skip_subtree) {
            s->skip_subtree = FALSE;
            ret = xmlTextReaderNext(s->reader);
        } else {
            ret = xmlTextReaderRead(s->reader);
        }
        if (ret < 0 || s->xml_error) {
            g_autofree char *msg = g_strdup_printf("%s: malformed XML", s->source);

            return stream_fail(s, error, msg);
        }
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
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            g_autofree char *msg = g_strdup_printf("%s: DOCTYPE declarations are not "
                                                   "allowed", s->source);

            s->done = TRUE;
            g_set_error_literal(error, CS_ERROR, CS_ERROR_PARSE, msg);
            return FALSE;
        }
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        name = (const char *) xmlTextReaderConstLocalName(s->reader);
        if (!name)
            continue;
        if (xmlTextReaderDepth(s->reader) == 0 && strcmp(name, "cpudata") == 0) {
            /* raw data: decode the whole input */
            CsCpuDef *def;

            xmlFreeTextReader(s->reader);
            s->reader = NULL;
            s->done = TRUE;
            if (!(def = decode_raw(s, error)))
                return FALSE;
            s->count++;
            *out_def = def;
            return TRUE;
        }
        if (strcmp(name, "cpu") == 0) {
            xmlNode *node = xmlTextReaderExpand(s->reader);
            CsCpuDef *def;

            if (!node || s->xml_error) {
                g_autofree char *msg = g_strdup_printf("%s: malformed XML", s->source);

                return stream_fail(s, error, msg);
            }
            s->skip_subtree = TRUE;
            s->seen++;
            /* a bad <cpu> in well-formed XML: the caller may go on */
            if (!(def = cs_cpu_def_parse_node(node, s->source, CS_PARSE_HOST, error)))
                return FALSE;
            s->count++;
            *out_def = def;
            return TRUE;
        }
    }
}
