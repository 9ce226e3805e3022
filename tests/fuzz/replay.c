/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays fuzz corpora without libFuzzer: calls LLVMFuzzerTestOneInput() on
 * every file of the directories (or on the files) given on the command
 * line, in name order, each in a buffer of exactly its size so that
 * sanitizers catch reads past the end. Linked with one fuzz target; a crash
 * or abort() of the target fails the test.
 *
 *   fuzz-replay-NAME DIR|FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
replay_file(const char *path)
{
    g_autofree char *contents = NULL;
    g_autoptr(GError) error = NULL;
    gsize len = 0;
    uint8_t *exact;

    if (!g_file_get_contents(path, &contents, &len, &error)) {
        fprintf(stderr, "replay: %s\n", error->message);
        return FALSE;
    }
    /* malloc(0) may return NULL; keep one byte but pass size 0 */
    exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    memcpy(exact, contents, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return TRUE;
}

static int
path_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int
main(int argc, char **argv)
{
    guint n = 0, failed = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            g_autoptr(GError) error = NULL;
            g_autoptr(GDir) dir = g_dir_open(argv[i], 0, &error);
            const char *name;

            if (!dir) {
                fprintf(stderr, "replay: %s\n", error->message);
                return 1;
            }
            while ((name = g_dir_read_name(dir)))
                g_ptr_array_add(files, g_build_filename(argv[i], name, NULL));
            g_ptr_array_sort(files, path_cmp);
        } else {
            g_ptr_array_add(files, g_strdup(argv[i]));
        }
        for (guint k = 0; k < files->len; k++) {
            const char *path = g_ptr_array_index(files, k);

            if (g_file_test(path, G_FILE_TEST_IS_DIR))
                continue;
            if (!replay_file(path))
                failed++;
            n++;
        }
    }
    printf("replayed %u inputs, %u unreadable\n", n, failed);
    return failed || n == 0 ? 1 : 0;
}
