/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel update: a guest CPU updated against a host CPU */
#include <stdio.h>
#include "cli.h"

int
cmd_update(int argc, char **argv)
{
    CliCommon common = { 0 };
    gboolean migratable = FALSE;
    g_autofree char *removed = NULL;
    int removed_policy = CS_FEATURE_DISABLE;
    GOptionEntry entries[] = {
        { "migratable-host", 0, 0, G_OPTION_ARG_NONE, &migratable,
          "Drop the host's features that block migration first", NULL },
        { "removed-policy", 0, 0, G_OPTION_ARG_STRING, &removed,
          "Policy for features the guest's model lost (default: disable, as libvirt "
          "for a new domain)", "force|require|optional|disable|forbid" },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST GUEST - update a guest "
                                                         "CPU against a host CPU");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    GError *error = NULL;
    int rc;

    if ((rc = cli_setup(ctx, entries, &common, &argc, &argv, "update", 2, "expected HOST and GUEST")) >= 0)
        return rc;
    if (removed && (removed_policy = cs_feature_policy_from_string(removed)) < 0) {
        g_autofree char *shown = cli_shown(removed);

        cli_common_clear(&common);
        return cli_usage("update", "invalid --removed-policy '%s' (expected force, "
                         "require, optional, disable or forbid)", shown);
    }
    if (!(map = cli_load_map(&common, &error)) ||
        !(host = cli_load_cpu(map, argv[1], &error)) ||
        !(guest = cli_load_cpu(map, argv[2], &error)) ||
        !cs_cpu_update_full(map, guest, host,
                            migratable ? CS_UPDATE_MIGRATABLE_HOST : CS_UPDATE_DEFAULT,
                            removed_policy, &error)) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    if (common.json) {
        JsonBuilder *b = cli_json_begin("update");

        json_builder_set_member_name(b, "cpu");
        json_builder_add_value(b, cli_json_cpu_def(guest));
        rc = cli_json_finish(b);
    } else {
        g_autofree char *xml = cs_cpu_def_format_xml_full(guest, 0, cs_cpu_map_get_format_flags(map));

        rc = cli_print(xml);
    }
    cli_common_clear(&common);
    return rc;
}
