/* libcpusel: CsCpuDef internals (never installed) */
#pragma once

#include <libcpusel/cs-cpu-def.h>
#include "name-hash.h"

typedef struct {
    char *name;
    CsFeaturePolicy policy;     /* CS_FEATURE_POLICY_NONE for host CPUs */
    guint32 hash;               /* cs_name_hash(name) */
} CsCpuFeature;

struct _CsCpuDef {
    CsCpuType type;
    CsCpuMode mode;
    CsCpuMatch match;
    CsCpuCheck check;
    int migratable;             /* -1 unset, 0 off, 1 on */
    char *arch;
    char *model;
    CsCpuFallback fallback;
    char *vendor_id;
    char *vendor;
    gboolean has_microcode;
    guint64 microcode;
    guint sig_family;           /* 0: no signature */
    guint sig_model;
    guint sig_stepping;
    guint sockets, dies, clusters, cores, threads;   /* 0: no topology */
    GArray *features;           /* CsCpuFeature */
    char *extra_xml;            /* other children kept verbatim (cache, numa, ...) */
};

/* Index of feature @name or -1. */
int cs_cpu_def_find_feature(const CsCpuDef *def, const char *name);
void cs_cpu_def_clear_features(CsCpuDef *def);
/* Appends without checking for duplicates. */
void cs_cpu_def_append_feature(CsCpuDef *def, const char *name, CsFeaturePolicy policy);
void cs_cpu_def_remove_feature_at(CsCpuDef *def, guint i);

#include <libxml/tree.h>
#include <libxml/xmlreader.h>
/* Parses one <cpu> element of a tree. */
CsCpuDef *cs_cpu_def_parse_node(const xmlNode *node, const char *source,
                                CsParseType type, GError **error);
/* Parses the <cpu> element at @reader's position, leaving the reader on its
 * last node (the streaming multi-CPU reader). When the XML is not
 * well-formed, returns NULL with *@out_xml_failed TRUE and @error unset:
 * the reader's error handler has the message. */
CsCpuDef *cs_cpu_def_parse_reader(xmlTextReaderPtr reader, const char *source,
                                  CsParseType type, gboolean *out_xml_failed,
                                  GError **error);
/* As cs_cpu_def_parse_xml() on a part of a document that starts after
 * @line_offset lines: messages give lines of the whole document. */
CsCpuDef *cs_cpu_def_parse_xml_at(const char *xml, gsize len, const char *source,
                                  CsParseType type, int line_offset, GError **error);
