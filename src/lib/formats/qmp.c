/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: QEMU's query-cpu-definitions reply (QMP JSON), parsed only
 *
 * A QMP transcript is a sequence of JSON documents (greeting, replies,
 * events). The text is cut into top-level documents by a small scanner
 * that only tracks strings and bracket depth, so that each document goes
 * to json-glib alone and a truncated last document is reported as such.
 * The scanner also bounds the nesting depth before json-glib (which
 * recurses) sees anything.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include <libcpusel/cs-error.h>
#include "core/cpu-model-list-private.h"

#define MAX_DEPTH 64

typedef struct {
    gsize start;
    gsize end;
    guint line;             /* line of the document's first byte */
} DocRange;

/* Cuts @text into top-level JSON values (objects or arrays). */
static gboolean
split_documents(const char *text, gsize len, const char *source, GArray *out,
                GError **error)
{
    gsize i = 0;
    guint line = 1;

    while (i < len) {
        DocRange r;
        guint depth = 0;
        gboolean in_string = FALSE, escape = FALSE;

        for (; i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
                           text[i] == '\n'); i++)
            line += text[i] == '\n';
        if (i >= len)
            break;
        if (text[i] != '{' && text[i] != '[') {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "'%s': line %u: expected a JSON object", source, line);
            return FALSE;
        }
        r.start = i;
        r.line = line;
        for (; i < len; i++) {
            char c = text[i];

            if (c == '\n') {
                line++;
            } else if (c == '\0') {
                g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                            "'%s': line %u: NUL byte in JSON text", source, line);
                return FALSE;
            }
            if (in_string) {
                if (escape)
                    escape = FALSE;
                else if (c == '\\')
                    escape = TRUE;
                else if (c == '"')
                    in_string = FALSE;
                continue;
            }
            if (c == '"') {
                in_string = TRUE;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                                "'%s': line %u: JSON nested more than %u levels deep",
                                source, line, MAX_DEPTH);
                    return FALSE;
                }
            } else if ((c == '}' || c == ']') && --depth == 0) {
                i++;
                break;
            }
        }
        if (depth > 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "'%s': truncated JSON: the document starting at line %u "
                        "ends before it is closed", source, r.line);
            return FALSE;
        }
        r.end = i;
        g_array_append_val(out, r);
    }
    return TRUE;
}

static gboolean
is_string(JsonNode *node)
{
    return node && JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == G_TYPE_STRING;
}

/* Whether @node is the "return" of query-cpu-definitions: a non-empty list
 * whose first entry is a CPU definition reporting unavailable features. */
static gboolean
is_cpu_definitions(JsonNode *node)
{
    JsonArray *list;
    JsonNode *first;
    JsonObject *def;

    if (!node || !JSON_NODE_HOLDS_ARRAY(node))
        return FALSE;
    list = json_node_get_array(node);
    if (json_array_get_length(list) == 0)
        return FALSE;
    first = json_array_get_element(list, 0);
    if (!JSON_NODE_HOLDS_OBJECT(first))
        return FALSE;
    def = json_node_get_object(first);
    return json_object_has_member(def, "name") &&
           json_object_has_member(def, "unavailable-features");
}

static gboolean
bad_member(const char *source, guint i, const char *member, const char *what,
           GError **error)
{
    g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                "'%s': CPU definition %u of the query-cpu-definitions reply: "
                "\"%s\" is not %s", source, i + 1, member, what);
    return FALSE;
}

static gboolean
read_definitions(JsonArray *defs, const char *source, CsCpuModelList *list,
                 GError **error)
{
    for (guint i = 0; i < json_array_get_length(defs); i++) {
        JsonNode *node = json_array_get_element(defs, i);
        JsonObject *def;
        JsonNode *name, *blockers, *deprecated, *alias;
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

        if (!JSON_NODE_HOLDS_OBJECT(node)) {
            g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                        "'%s': CPU definition %u of the query-cpu-definitions reply "
                        "is not an object", source, i + 1);
            return FALSE;
        }
        def = json_node_get_object(node);
        name = json_object_get_member(def, "name");
        blockers = json_object_get_member(def, "unavailable-features");
        deprecated = json_object_get_member(def, "deprecated");
        alias = json_object_get_member(def, "alias-of");
        if (!is_string(name) || !*json_node_get_string(name))
            return bad_member(source, i, "name", "a non-empty string", error);
        if (blockers && !JSON_NODE_HOLDS_NULL(blockers)) {
            JsonArray *a;

            if (!JSON_NODE_HOLDS_ARRAY(blockers))
                return bad_member(source, i, "unavailable-features",
                                  "a list of strings", error);
            a = json_node_get_array(blockers);
            for (guint k = 0; k < json_array_get_length(a); k++) {
                JsonNode *b = json_array_get_element(a, k);

                if (!is_string(b) || !*json_node_get_string(b))
                    return bad_member(source, i, "unavailable-features",
                                      "a list of strings", error);
                g_ptr_array_add(names, g_strdup(json_node_get_string(b)));
            }
        }
        if (deprecated && !(JSON_NODE_HOLDS_VALUE(deprecated) &&
                            json_node_get_value_type(deprecated) == G_TYPE_BOOLEAN))
            return bad_member(source, i, "deprecated", "a boolean", error);
        if (alias && !is_string(alias))
            return bad_member(source, i, "alias-of", "a string", error);
        g_ptr_array_add(names, NULL);
        cs_cpu_model_list_append(list, json_node_get_string(name),
                                 (char **) g_ptr_array_free(g_steal_pointer(&names), FALSE),
                                 deprecated && json_node_get_boolean(deprecated),
                                 alias ? json_node_get_string(alias) : NULL);
    }
    return TRUE;
}

CsCpuModelList *
cs_cpu_model_list_parse_qmp(const char *text, gsize len, const char *source,
                            GError **error)
{
    g_autoptr(GArray) docs = g_array_new(FALSE, FALSE, sizeof(DocRange));
    g_autoptr(JsonParser) reply = NULL;
    g_autoptr(CsCpuModelList) list = NULL;
    JsonObject *root;

    g_return_val_if_fail(text != NULL || len == 0, NULL);
    if (!source)
        source = "QMP reply";
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        /* a UTF-8 byte order mark */
        text += 3;
        len -= 3;
    }
    if (!split_documents(text, len, source, docs, error))
        return NULL;
    /* every document must be valid JSON, the reply is the first that fits */
    for (guint d = 0; d < docs->len; d++) {
        const DocRange *r = &g_array_index(docs, DocRange, d);
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) local = NULL;
        JsonNode *top, *ret;

        if (!json_parser_load_from_data(parser, text + r->start, r->end - r->start,
                                        &local)) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "'%s': invalid JSON in the document starting at line %u: %s",
                        source, r->line, local->message);
            return NULL;
        }
        if (reply)
            continue;
        top = json_parser_get_root(parser);
        if (!top || !JSON_NODE_HOLDS_OBJECT(top))
            continue;
        ret = json_object_get_member(json_node_get_object(top), "return");
        if (is_cpu_definitions(ret))
            reply = g_steal_pointer(&parser);
    }
    if (!reply) {
        g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                    "'%s': no query-cpu-definitions reply (a \"return\" list of CPU "
                    "definitions with \"unavailable-features\")", source);
        return NULL;
    }
    list = cs_cpu_model_list_new();
    root = json_node_get_object(json_parser_get_root(reply));
    if (!read_definitions(json_node_get_array(json_object_get_member(root, "return")),
                          source, list, error))
        return NULL;
    return g_steal_pointer(&list);
}

CsCpuModelList *
cs_cpu_model_list_load_qmp(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) local = NULL;
    gsize len = 0;

    g_return_val_if_fail(path != NULL, NULL);
    if (!g_file_get_contents(path, &text, &len, &local)) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", path,
                    local->message);
        return NULL;
    }
    return cs_cpu_model_list_parse_qmp(text, len, path, error);
}
