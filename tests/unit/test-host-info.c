/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: /proc/cpuinfo parsing (host-info.c) on literal texts of several
 * architectures, plus sanity checks of what this machine reports. */
#include <string.h>

#include <libcpusel/cs-error.h>
#include <libcpusel/cs-host.h>

/* x86: a 2-CPU KVM guest on an AMD EPYC (flags cut short) */
static const char cpuinfo_x86[] =
    "processor\t: 0\n"
    "vendor_id\t: AuthenticAMD\n"
    "cpu family\t: 25\n"
    "model\t\t: 17\n"
    "model name\t: AMD EPYC\n"
    "stepping\t: 1\n"
    "microcode\t: 0x1000065\n"
    "cpu MHz\t\t: 2596.134\n"
    "fpu\t\t: yes\n"
    "flags\t\t: fpu vme de pse tsc msr pae sse4_1 sse4_2 avx2 avx512f\n"
    "bugs\t\t: sysret_ss_attrs null_seg spectre_v1\n"
    "power management:\n"
    "\n"
    "processor\t: 1\n"
    "vendor_id\t: AuthenticAMD\n"
    "model name\t: AMD EPYC\n"
    "microcode\t: 0x1000065\n"
    "flags\t\t: fpu vme de pse tsc msr pae sse4_1 sse4_2 avx2 avx512f\n"
    "\n";

/* aarch64: Neoverse-N1 */
static const char cpuinfo_aarch64[] =
    "processor\t: 0\n"
    "BogoMIPS\t: 50.00\n"
    "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp "
    "asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n"
    "CPU implementer\t: 0x41\n"
    "CPU architecture: 8\n"
    "CPU variant\t: 0x3\n"
    "CPU part\t: 0xd0c\n"
    "CPU revision\t: 1\n"
    "\n"
    "processor\t: 1\n"
    "BogoMIPS\t: 50.00\n"
    "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp "
    "asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n"
    "CPU implementer\t: 0x41\n"
    "\n";

/* s390x: IBM z15 */
static const char cpuinfo_s390x[] =
    "vendor_id       : IBM/S390\n"
    "# processors    : 2\n"
    "bogomips per cpu: 3241.00\n"
    "max thread id   : 0\n"
    "features\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs "
    "te vx vxd vxe gs vxe2 vxp sort dflt sie\n"
    "facilities      : 0 1 2 3 4 6 7 8 9 10 12 14 15 16 17 18 19 20\n"
    "cache0          : level=1 type=Data scope=Private size=128K "
    "line_size=256 associativity=8\n"
    "processor 0: version = FF,  identification = 0133E8,  machine = 8561\n"
    "processor 1: version = FF,  identification = 0133E8,  machine = 8561\n"
    "\n"
    "cpu number      : 0\n"
    "cpu MHz dynamic : 5200\n";

/* ppc64le: POWER9 guest */
static const char cpuinfo_ppc64le[] =
    "processor\t: 0\n"
    "cpu\t\t: POWER9 (architected), altivec supported\n"
    "clock\t\t: 2200.000000MHz\n"
    "revision\t: 2.2 (pvr 004e 1202)\n"
    "\n"
    "timebase\t: 512000000\n"
    "platform\t: pSeries\n";

/* riscv64: StarFive VisionFive 2 (JH7110), kernel 6.6 */
static const char cpuinfo_riscv64[] =
    "processor\t: 0\n"
    "hart\t\t: 1\n"
    "isa\t\t: rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_zbb\n"
    "mmu\t\t: sv39\n"
    "uarch\t\t: sifive,u74-mc\n"
    "mvendorid\t: 0x489\n"
    "\n";

/* armv7l: Raspberry Pi 2 */
static const char cpuinfo_armv7[] =
    "processor\t: 0\n"
    "model name\t: ARMv7 Processor rev 5 (v7l)\n"
    "BogoMIPS\t: 38.40\n"
    "Features\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva "
    "idivt vfpd32 lpae evtstrm\n"
    "CPU implementer\t: 0x41\n"
    "\n"
    "Hardware\t: BCM2835\n";

typedef struct {
    const char *name;
    const char *text;
    guint n_features;
    const char *first;
    const char *last;
    const char *absent;          /* a word of the text that is no feature */
} CpuinfoCase;

static const CpuinfoCase cpuinfo_cases[] = {
    { "x86", cpuinfo_x86, 11, "fpu", "avx512f", "spectre_v1" },
    { "aarch64", cpuinfo_aarch64, 17, "fp", "ssbs", "0x41" },
    { "s390x", cpuinfo_s390x, 20, "esan3", "sie", "facilities" },
    { "ppc64le", cpuinfo_ppc64le, 1, "altivec", "altivec", "POWER9" },
    { "riscv64", cpuinfo_riscv64, 12, "i", "zbb", "rv64imafdc" },
    { "armv7l", cpuinfo_armv7, 14, "half", "evtstrm", "ARMv7" },
};

static void
test_parse_features(gconstpointer user_data)
{
    const CpuinfoCase *c = user_data;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) features = cs_host_parse_cpuinfo_features(c->text, &error);

    g_assert_no_error(error);
    g_assert_nonnull(features);
    g_assert_cmpuint(g_strv_length(features), ==, c->n_features);
    g_assert_cmpstr(features[0], ==, c->first);
    g_assert_cmpstr(features[c->n_features - 1], ==, c->last);
    g_assert_false(g_strv_contains((const char *const *) features, c->absent));
}

static void
test_parse_features_riscv_split(void)
{
    static const char *const expected[] = {
        "i", "m", "a", "f", "d", "c",
        "zicntr", "zicsr", "zifencei", "zihpm", "zba", "zbb", NULL,
    };
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) features = NULL;

    features = cs_host_parse_cpuinfo_features(cpuinfo_riscv64, &error);
    g_assert_no_error(error);
    g_assert_true(g_strv_equal((const char *const *) features, expected));

    /* a multi-letter extension glued to the single letters */
    g_strfreev(features);
    features = cs_host_parse_cpuinfo_features("isa : rv32imaczicsr_sstc\n",
                                              &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(features), ==, 6);
    g_assert_cmpstr(features[4], ==, "zicsr");
    g_assert_cmpstr(features[5], ==, "sstc");
}

static void
test_parse_features_x86_first_block(void)
{
    static const char text[] =
        "processor : 0\nflags : a b c\n\nprocessor : 1\nflags : a b c d\n";
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) features = cs_host_parse_cpuinfo_features(text, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(features), ==, 3);
}

static void
test_parse_features_none(void)
{
    static const char *const texts[] = {
        "",
        "\n\n",
        "processor : 0\nvendor_id : Foo\n",
        "no colon at all\n",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) features = NULL;

        features = cs_host_parse_cpuinfo_features(texts[i], &error);
        g_assert_null(features);
        g_assert_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED);
    }
}

/* ---- this machine ------------------------------------------------------ */

static void
test_host_arch(void)
{
    g_autofree char *arch = cs_host_get_arch();

    g_assert_nonnull(arch);
    g_test_message("arch %s", arch);
#if defined(__x86_64__)
    g_assert_cmpstr(arch, ==, "x86_64");
#elif defined(__aarch64__)
    g_assert_cmpstr(arch, ==, "aarch64");
#elif defined(__s390x__)
    g_assert_cmpstr(arch, ==, "s390x");
#endif
}

static void
test_host_topology(void)
{
    g_autoptr(GError) error = NULL;
    CsTopology topo = { 0 };

    if (!g_file_test("/sys/devices/system/cpu", G_FILE_TEST_IS_DIR)) {
        g_test_skip("no /sys/devices/system/cpu");
        return;
    }
    g_assert_true(cs_host_get_topology(&topo, &error));
    g_assert_no_error(error);
    g_test_message("sockets=%u dies=%u cores=%u threads=%u",
                   topo.sockets, topo.dies, topo.cores, topo.threads);
    g_assert_cmpuint(topo.sockets, >=, 1);
    g_assert_cmpuint(topo.dies, >=, 1);
    g_assert_cmpuint(topo.cores, >=, 1);
    g_assert_cmpuint(topo.threads, >=, 1);
    g_assert_cmpuint(topo.sockets * topo.dies * topo.cores * topo.threads, >=,
                     1);
}

static void
test_host_cpuinfo(void)
{
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) features = NULL;
    g_autofree char *model = NULL;
    guint64 microcode = 0;

    if (!g_file_test("/proc/cpuinfo", G_FILE_TEST_EXISTS)) {
        g_test_skip("no /proc/cpuinfo");
        return;
    }
    features = cs_host_get_cpuinfo_features(&error);
    if (!features) {
        g_test_skip(error->message);
        return;
    }
    g_assert_no_error(error);
    model = cs_host_get_cpuinfo_model();
    g_test_message("%u features, model '%s'", g_strv_length(features),
                   model ? model : "(none)");
#if defined(__x86_64__) || defined(__i386__)
    g_assert_true(g_strv_contains((const char *const *) features, "fpu"));
    g_assert_nonnull(model);
    if (cs_host_get_microcode(&microcode, &error))
        g_test_message("microcode 0x%" G_GINT64_MODIFIER "x", microcode);
    else
        g_assert_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED);
#endif
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(cpuinfo_cases); i++) {
        g_autofree char *path = g_strdup_printf("/host-info/features/%s",
                                                cpuinfo_cases[i].name);

        g_test_add_data_func(path, &cpuinfo_cases[i], test_parse_features);
    }
    g_test_add_func("/host-info/features/riscv-split",
                    test_parse_features_riscv_split);
    g_test_add_func("/host-info/features/x86-first-block",
                    test_parse_features_x86_first_block);
    g_test_add_func("/host-info/features/none", test_parse_features_none);
    g_test_add_func("/host-info/host/arch", test_host_arch);
    g_test_add_func("/host-info/host/topology", test_host_topology);
    g_test_add_func("/host-info/host/cpuinfo", test_host_cpuinfo);
    return g_test_run();
}
