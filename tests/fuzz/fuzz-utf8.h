/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the fuzz targets that compare the fast readers with libxml2:
 * whether appending a UTF-8 comment to @data keeps it one UTF-8 document. */
#pragma once

#include <stdint.h>
#include <string.h>
#include <glib.h>

/* TRUE for ASCII input without NUL bytes (libxml2 takes those for UTF-16 or
 * UTF-32) whose XML declaration, if any, names no encoding or UTF-8 (not
 * UTF-7 or Latin-1, say, which the appended comment would not be in). */
static inline gboolean
fuzz_stays_utf8(const uint8_t *data, size_t size)
{
    const char *end;
    const char *enc;
    g_autofree char *decl = NULL;

    for (size_t i = 0; i < size; i++) {
        if (data[i] >= 0x80 || data[i] == 0)
            return FALSE;
    }
    if (size < 5 || memcmp(data, "<?xml", 5) != 0)
        return TRUE;
    if (!(end = g_strstr_len((const char *) data, size, "?>")))
        return FALSE;
    decl = g_strndup((const char *) data, end - (const char *) data);
    if (!(enc = strstr(decl, "encoding")))
        return TRUE;
    enc += strlen("encoding");
    enc += strspn(enc, " \t\r\n=");
    if (*enc == '\'' || *enc == '"')
        enc++;
    return g_ascii_strncasecmp(enc, "utf-8", 5) == 0 && (enc[5] == '\'' || enc[5] == '"');
}
