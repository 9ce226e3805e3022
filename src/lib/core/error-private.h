/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: how error messages show what the user gave (never installed)
 *
 * Every message is one line: a value taken from the input (a name, an
 * attribute, a file name) is shown with control characters, backslashes and
 * invalid UTF-8 escaped, and cut after CS_SHOWN_MAX characters. */
#pragma once

#include <glib.h>

/* Characters of an input value shown in a message before "...". */
#define CS_SHOWN_MAX 64

/* Returns: (transfer full) @s (@len bytes, or up to its NUL when -1) for a
 * message: escaped as above, at most @max characters (0: no limit) then
 * "...". NULL shows as "(null)". */
char *cs_shown_n(const char *s, gssize len, guint max);

/* Returns: (transfer full) cs_shown_n(@s, -1, CS_SHOWN_MAX). */
char *cs_shown(const char *s);

/* A file or input name for messages: @source itself when it needs no
 * escaping (no allocation, *@out_owned set to NULL), else an escaped copy
 * owned through *@out_owned. Never truncated. */
const char *cs_source_name(const char *source, char **out_owned);

/* Rewrites @message in place into one line: every run of white space that
 * holds a line break becomes one space, other control characters become
 * '?', trailing white space goes. Returns @message. */
char *cs_one_line(char *message);
