/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: facts about this machine besides CPUID: architecture (uname),
 * topology (sysfs), microcode, feature flags and model name (/proc/cpuinfo).
 * Everything that parses is a pure function of its text; the public getters
 * only read the files. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include <libcpusel/cs-error.h>
#include <libcpusel/cs-host.h>

#define SYSFS_CPU_DIR "/sys/devices/system/cpu"
#define PROC_CPUINFO "/proc/cpuinfo"

/* ---- architecture ------------------------------------------------------ */

/* uname(2) machine names that libvirt spells differently. */
static const struct {
    const char *machine;
    const char *arch;
} arch_aliases[] = {
    { "amd64", "x86_64" },
    { "i386", "i686" },
    { "i486", "i686" },
    { "i586", "i686" },
    { "i686", "i686" },
    { "i786", "i686" },
    { "arm64", "aarch64" },
    { "armv8b", "aarch64" },   /* big-endian aarch64 kernels report this */
    { "ppc64el", "ppc64le" },
    { "powerpc", "ppc" },
    { "powerpc64", "ppc64" },
    { "powerpc64le", "ppc64le" },
    { "loongarch", "loongarch64" },
};

char *
cs_host_get_arch(void)
{
    struct utsname u;

    if (uname(&u) < 0)
        return g_strdup("unknown");
    for (gsize i = 0; i < G_N_ELEMENTS(arch_aliases); i++) {
        if (g_str_equal(u.machine, arch_aliases[i].machine))
            return g_strdup(arch_aliases[i].arch);
    }
    /* x86_64, aarch64, armv6l, armv7l, ppc64, ppc64le, s390x, riscv64,
     * loongarch64, mips64, ... are libvirt's names already */
    return g_strdup(u.machine);
}

/* ---- topology ---------------------------------------------------------- */

/* Reads a small sysfs file holding one integer. */
static gboolean
read_sysfs_int(const char *path, gint64 *out_value)
{
    g_autofree char *text = NULL;
    char *end = NULL;
    gint64 v;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    g_strstrip(text);
    v = g_ascii_strtoll(text, &end, 10);
    if (end == text || *end != '\0')
        return FALSE;
    *out_value = v;
    return TRUE;
}

/* Number of bits set in a sysfs CPU mask ("00000000,00000003"). */
static guint
count_mask_bits(const char *mask)
{
    guint n = 0;

    for (const char *p = mask; *p; p++) {
        int v = g_ascii_xdigit_value(*p);

        if (v > 0)
            n += (guint) __builtin_popcount((unsigned) v);
    }
    return n;
}

static gboolean
cpu_is_online(const char *cpu_dir)
{
    g_autofree char *path = g_build_filename(cpu_dir, "online", NULL);
    gint64 online = 1;

    /* no "online" file: the CPU cannot be offlined (often cpu0) */
    if (!read_sysfs_int(path, &online))
        return TRUE;
    return online != 0;
}

static guint
max_count(GHashTable *counts)
{
    GHashTableIter iter;
    gpointer value = NULL;
    guint max = 0;

    g_hash_table_iter_init(&iter, counts);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        max = MAX(max, GPOINTER_TO_UINT(value));
    return max;
}

static void
count_distinct(GHashTable *seen, GHashTable *counts, char *key,
               const char *parent)
{
    if (g_hash_table_contains(seen, key)) {
        g_free(key);
        return;
    }
    g_hash_table_add(seen, key);
    g_hash_table_insert(counts, g_strdup(parent),
                        GUINT_TO_POINTER(GPOINTER_TO_UINT(
                            g_hash_table_lookup(counts, parent)) + 1));
}

/* sockets: distinct packages; dies: distinct dies per package; cores:
 * distinct cores per die; threads: siblings per core (maxima over the
 * machine, as libvirt reports them), over the online CPUs. */
static gboolean
read_topology(const char *root, CsTopology *out_topology, GError **error)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GHashTable) packages = NULL;
    g_autoptr(GHashTable) dies = NULL;
    g_autoptr(GHashTable) dies_per_package = NULL;
    g_autoptr(GHashTable) cores = NULL;
    g_autoptr(GHashTable) cores_per_die = NULL;
    g_autoptr(GError) local_error = NULL;
    const char *name;
    guint threads = 0;
    guint cpus = 0;

    if (!(dir = g_dir_open(root, 0, &local_error))) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO,
                    "cannot read the CPU topology from '%s': %s",
                    root, local_error->message);
        return FALSE;
    }
    packages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    dies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    dies_per_package = g_hash_table_new_full(g_str_hash, g_str_equal,
                                             g_free, NULL);
    cores = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cores_per_die = g_hash_table_new_full(g_str_hash, g_str_equal,
                                          g_free, NULL);

    while ((name = g_dir_read_name(dir))) {
        g_autofree char *cpu_dir = NULL;
        g_autofree char *topo = NULL;
        g_autofree char *path = NULL;
        g_autofree char *siblings = NULL;
        g_autofree char *package_key = NULL;
        g_autofree char *die_key = NULL;
        gint64 package = 0;
        gint64 die = 0;
        gint64 core = 0;

        if (!g_str_has_prefix(name, "cpu") || name[3] == '\0' ||
            strspn(name + 3, "0123456789") != strlen(name + 3))
            continue;
        cpu_dir = g_build_filename(root, name, NULL);
        topo = g_build_filename(cpu_dir, "topology", NULL);
        /* offline CPUs have no topology directory */
        if (!cpu_is_online(cpu_dir) ||
            !g_file_test(topo, G_FILE_TEST_IS_DIR))
            continue;

        path = g_build_filename(topo, "physical_package_id", NULL);
        if (!read_sysfs_int(path, &package))
            package = 0;
        g_free(path);
        path = g_build_filename(topo, "die_id", NULL);
        if (!read_sysfs_int(path, &die))
            die = 0;
        g_free(path);
        path = g_build_filename(topo, "core_id", NULL);
        if (!read_sysfs_int(path, &core)) {
            g_set_error(error, CS_ERROR, CS_ERROR_IO,
                        "cannot read the core ID of CPU '%s' from '%s'",
                        name, path);
            return FALSE;
        }
        g_free(path);
        path = g_build_filename(topo, "thread_siblings", NULL);
        if (g_file_get_contents(path, &siblings, NULL, NULL))
            threads = MAX(threads, count_mask_bits(g_strstrip(siblings)));

        package_key = g_strdup_printf("%" G_GINT64_FORMAT, package);
        die_key = g_strdup_printf("%s/%" G_GINT64_FORMAT, package_key, die);
        g_hash_table_add(packages, g_strdup(package_key));
        count_distinct(dies, dies_per_package, g_strdup(die_key), package_key);
        count_distinct(cores, cores_per_die,
                       g_strdup_printf("%s/%" G_GINT64_FORMAT, die_key, core),
                       die_key);
        cpus++;
    }
    if (cpus == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO,
                    "no online CPU with a topology found in '%s'", root);
        return FALSE;
    }
    out_topology->sockets = g_hash_table_size(packages);
    out_topology->dies = MAX(max_count(dies_per_package), 1);
    out_topology->cores = MAX(max_count(cores_per_die), 1);
    out_topology->threads = MAX(threads, 1);
    return TRUE;
}

gboolean
cs_host_get_topology(CsTopology *out_topology, GError **error)
{
    g_return_val_if_fail(out_topology != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    return read_topology(SYSFS_CPU_DIR, out_topology, error);
}

/* ---- /proc/cpuinfo ----------------------------------------------------- */

static gboolean
read_cpuinfo(char **out_text, GError **error)
{
    g_autoptr(GError) local_error = NULL;

    if (!g_file_get_contents(PROC_CPUINFO, out_text, NULL, &local_error)) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s",
                    PROC_CPUINFO, local_error->message);
        return FALSE;
    }
    return TRUE;
}

/* Splits "key<blanks>: value" lines; returns: (transfer full) the value of
 * the first line whose key is @key (compared ignoring case when @nocase),
 * stripped, or NULL. With @first_block, stops at the first blank line that
 * follows some content (the end of the first processor's block). */
static gboolean
is_blank_line(const char *line)
{
    for (; *line; line++) {
        if (!g_ascii_isspace(*line))
            return FALSE;
    }
    return TRUE;
}

static char *
cpuinfo_lookup(const char *text, const char *key, gboolean nocase,
               gboolean first_block)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gboolean seen_content = FALSE;

    for (gsize i = 0; lines[i]; i++) {
        const char *colon = strchr(lines[i], ':');
        g_autofree char *k = NULL;
        gboolean match;

        if (is_blank_line(lines[i])) {
            if (seen_content && first_block)
                break;
            continue;
        }
        seen_content = TRUE;
        if (!colon)
            continue;
        k = g_strstrip(g_strndup(lines[i], (gsize) (colon - lines[i])));
        if (nocase)
            match = g_ascii_strcasecmp(k, key) == 0;
        else
            match = g_str_equal(k, key);
        if (match)
            return g_strstrip(g_strdup(colon + 1));
    }
    return NULL;
}

/* Appends @name unless already present. */
static void
add_feature(GPtrArray *features, GHashTable *seen, const char *name,
            gsize len)
{
    char *copy;

    if (len == 0)
        return;
    copy = g_strndup(name, len);
    if (g_hash_table_contains(seen, copy)) {
        g_free(copy);
        return;
    }
    g_hash_table_add(seen, copy);
    g_ptr_array_add(features, g_strdup(copy));
}

static void
add_words(GPtrArray *features, GHashTable *seen, const char *value)
{
    g_auto(GStrv) words = g_strsplit_set(value, " \t", -1);

    for (gsize i = 0; words[i]; i++)
        add_feature(features, seen, words[i], strlen(words[i]));
}

/* RISC-V "isa : rv64imafdc_zicntr_zicsr_zifencei": the single-letter
 * extensions (i, m, a, f, d, c) then the multi-letter ones (zicntr, ...). */
static void
add_riscv_isa(GPtrArray *features, GHashTable *seen, const char *isa)
{
    g_autofree char *lower = g_ascii_strdown(isa, -1);
    g_auto(GStrv) parts = NULL;
    const char *p = lower;

    if (g_str_has_prefix(p, "rv32") || g_str_has_prefix(p, "rv64"))
        p += 4;
    else if (g_str_has_prefix(p, "rv128"))
        p += 5;
    parts = g_strsplit(p, "_", -1);
    for (gsize i = 0; parts[i]; i++) {
        const char *s = parts[i];

        if (i > 0) {
            add_feature(features, seen, s, strlen(s));
            continue;
        }
        /* single letters, possibly followed by a multi-letter name */
        for (; *s; s++) {
            if (*s == 's' || *s == 'x' || *s == 'z') {
                add_feature(features, seen, s, strlen(s));
                break;
            }
            if (g_ascii_isalpha(*s))
                add_feature(features, seen, s, 1);
        }
    }
}

/* PowerPC "cpu : POWER9 (architected), altivec supported": the
 * "<name> supported" items after the model. */
static void
add_ppc_cpu(GPtrArray *features, GHashTable *seen, const char *cpu)
{
    g_auto(GStrv) items = g_strsplit(cpu, ",", -1);

    for (gsize i = 1; items[i]; i++) {
        g_autofree char *item = g_strstrip(g_strdup(items[i]));

        if (g_str_has_suffix(item, " supported")) {
            gsize len = strlen(item) - strlen(" supported");

            while (len > 0 && g_ascii_isspace(item[len - 1]))
                len--;
            add_feature(features, seen, item, len);
        }
    }
}

char **
cs_host_parse_cpuinfo_features(const char *text, GError **error)
{
    g_autoptr(GPtrArray) features = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen = NULL;
    g_autofree char *value = NULL;

    g_return_val_if_fail(text != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if ((value = cpuinfo_lookup(text, "flags", FALSE, FALSE)) ||      /* x86 */
        (value = cpuinfo_lookup(text, "Features", FALSE, FALSE)) ||   /* arm */
        (value = cpuinfo_lookup(text, "features", FALSE, FALSE))) {   /* s390 */
        add_words(features, seen, value);
    } else if ((value = cpuinfo_lookup(text, "isa", FALSE, FALSE))) {
        add_riscv_isa(features, seen, value);
    } else if ((value = cpuinfo_lookup(text, "cpu", FALSE, FALSE))) {
        add_ppc_cpu(features, seen, value);
    } else {
        g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                    "no CPU feature list ('flags', 'Features', 'features', "
                    "'isa' or 'cpu') found in the cpuinfo text");
        return NULL;
    }
    g_ptr_array_add(features, NULL);
    return (char **) g_ptr_array_free(g_steal_pointer(&features), FALSE);
}

char **
cs_host_get_cpuinfo_features(GError **error)
{
    g_autofree char *text = NULL;

    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (!read_cpuinfo(&text, error))
        return NULL;
    return cs_host_parse_cpuinfo_features(text, error);
}

gboolean
cs_host_get_microcode(guint64 *out_version, GError **error)
{
    g_autofree char *text = NULL;
    g_autofree char *value = NULL;
    char *end = NULL;
    guint64 version;

    g_return_val_if_fail(out_version != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (!read_cpuinfo(&text, error))
        return FALSE;
    if (!(value = cpuinfo_lookup(text, "microcode", FALSE, TRUE))) {
        g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                    "no microcode revision in '%s'", PROC_CPUINFO);
        return FALSE;
    }
    errno = 0;
    version = g_ascii_strtoull(value, &end, 16);
    if (end == value || *end != '\0' || errno != 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "invalid microcode revision '%s' in '%s'",
                    value, PROC_CPUINFO);
        return FALSE;
    }
    *out_version = version;
    return TRUE;
}

char *
cs_host_parse_cpuinfo_model(const char *text)
{
    /* x86 and most others; mips; ppc; riscv */
    static const char *const keys[] = { "model name", "cpu model", "cpu", "uarch" };
    g_autofree char *implementer = NULL;
    g_autofree char *part = NULL;

    g_return_val_if_fail(text != NULL, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
        g_autofree char *value = cpuinfo_lookup(text, keys[i], TRUE, TRUE);
        char *comma;

        if (!value || value[0] == '\0')
            continue;
        /* ppc: "POWER9 (architected), altivec supported": the model is
         * "POWER9" (the parenthesis says it runs in a compatibility mode) */
        if (g_str_equal(keys[i], "cpu")) {
            if ((comma = strchr(value, ',')))
                *comma = '\0';
            if ((comma = strstr(value, " (")))
                *comma = '\0';
        }
        return g_strstrip(g_steal_pointer(&value));
    }
    /* s390x prints its machine type in each CPU's block */
    {
        g_autofree char *machine = cpuinfo_lookup(text, "machine", FALSE, FALSE);

        if (machine && *machine)
            return g_steal_pointer(&machine);
    }
    /* ARM kernels name no model, only the implementer and part numbers */
    implementer = cpuinfo_lookup(text, "CPU implementer", FALSE, TRUE);
    part = cpuinfo_lookup(text, "CPU part", FALSE, TRUE);
    if (implementer && part && *implementer && *part)
        return g_strdup_printf("%s-%s", implementer, part);
    return NULL;
}

char *
cs_host_get_cpuinfo_model(void)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(PROC_CPUINFO, &text, NULL, NULL))
        return NULL;
    return cs_host_parse_cpuinfo_model(text);
}
