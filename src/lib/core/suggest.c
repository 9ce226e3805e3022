/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: errors for unknown model and feature names, with the nearest
 * names of the map as suggestions */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "core/error-private.h"
#include "core/suggest-private.h"

#define SHOWN_MAX 64        /* characters of a user-supplied name shown */
#define SUGGEST_MAX 3

/* Edit distance of @a and @b, ASCII case folded; stops early (returns
 * @limit + 1) once it exceeds @limit. */
static guint
distance(const char *a, const char *b, guint limit)
{
    gsize la = strlen(a), lb = strlen(b);
    guint prev[SHOWN_MAX + 1], cur[SHOWN_MAX + 1];

    if (la > SHOWN_MAX || lb > SHOWN_MAX)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    for (guint j = 0; j <= lb; j++)
        prev[j] = j;
    for (guint i = 1; i <= la; i++) {
        guint row_min;

        cur[0] = row_min = i;
        for (guint j = 1; j <= lb; j++) {
            guint sub = prev[j - 1] + (g_ascii_tolower(a[i - 1]) != g_ascii_tolower(b[j - 1]));
            guint del = prev[j] + 1, ins = cur[j - 1] + 1;

            cur[j] = MIN(sub, MIN(del, ins));
            row_min = MIN(row_min, cur[j]);
        }
        if (row_min > limit)
            return limit + 1;
        memcpy(prev, cur, sizeof(guint) * (lb + 1));
    }
    return prev[lb];
}


/* " (did you mean 'A', 'B'?)" for the names of @names closest to @name, or
 * an empty string. */
static char *
suggestions(const CsNameIndex *names, guint n, const char *name)
{
    const char *best[SUGGEST_MAX] = { NULL };
    guint best_d[SUGGEST_MAX];
    gsize len = strlen(name);
    guint limit = len <= 4 ? 1 : len <= 12 ? 2 : 3;
    GString *s;

    if (len > SHOWN_MAX)
        return g_strdup("");
    for (guint k = 0; k < SUGGEST_MAX; k++)
        best_d[k] = G_MAXUINT;
    for (guint i = 0; i < n; i++) {
        guint d = distance(name, names[i].name, limit);

        if (d > limit)
            continue;
        for (guint k = 0; k < SUGGEST_MAX; k++) {
            if (d < best_d[k]) {
                memmove(&best[k + 1], &best[k], sizeof(best[0]) * (SUGGEST_MAX - 1 - k));
                memmove(&best_d[k + 1], &best_d[k], sizeof(best_d[0]) * (SUGGEST_MAX - 1 - k));
                best[k] = names[i].name;
                best_d[k] = d;
                break;
            }
        }
    }
    if (!best[0])
        return g_strdup("");
    s = g_string_new(" (did you mean ");
    for (guint k = 0; k < SUGGEST_MAX && best[k]; k++)
        g_string_append_printf(s, "%s'%s'", k ? ", " : "", best[k]);
    g_string_append(s, "?)");
    return g_string_free(s, FALSE);
}

gboolean
cs_unknown_model_error(const CsCpuMap *map, const char *name, GError **error)
{
    g_autofree char *shown = cs_shown(name);
    g_autofree char *hint = map ? suggestions(map->t.model_names, map->t.n_model_names,
                                              name) : g_strdup("");

    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_MODEL, "unknown CPU model '%s'%s",
                shown, hint);
    return FALSE;
}

gboolean
cs_unknown_feature_error(const CsCpuMap *map, const char *name, GError **error)
{
    g_autofree char *shown = cs_shown(name);
    g_autofree char *hint = map ? suggestions(map->t.feature_names,
                                              map->t.n_feature_names, name) :
                            g_strdup("");

    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_FEATURE, "unknown CPU feature '%s'%s",
                shown, hint);
    return FALSE;
}

gboolean
cs_cpu_map_check_model_list(const CsCpuMap *map, const char *const *entries,
                            GError **error)
{
    g_return_val_if_fail(map != NULL, FALSE);
    for (guint i = 0; entries && entries[i]; i++) {
        g_auto(GStrv) parts = g_strsplit(entries[i], ":", -1);

        if (!parts[0] || cs_cpu_map_lookup_model(map, parts[0]) < 0)
            return cs_unknown_model_error(map, parts[0] ? parts[0] : "", error);
        for (guint k = 1; parts[k]; k++) {
            if (cs_cpu_map_lookup_feature(map, parts[k]) < 0)
                return cs_unknown_feature_error(map, parts[k], error);
        }
    }
    return TRUE;
}
