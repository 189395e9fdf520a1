/* SPDX-License-Identifier: Apache-2.0 */
/* The commands: name, function, option table and help, in `modrun --help`'s
 * order. */
#include <string.h>

#include "commands.h"

const struct cli_command cli_commands[] = {
        {"create", cmd_create, cli_create_options, "[options] ID",
         "create a container from a bundle; its process waits for `start`"},
        {"start", cmd_start, cli_no_options, "ID", "run the user process of a created container"},
        {"run", cmd_run, cli_run_options, "[options] ID", "create and start a container (and wait for it unless --detach)"},
        {"exec", cmd_exec, cli_exec_options, "[options] ID [COMMAND [ARG...]]",
         "run a new process in a running container", true},
        {"ps", cmd_ps, cli_ps_options, "[--format table|json] ID [PS ARGS...]",
         "list the processes of a container", true},
        {"pause", cmd_pause, cli_no_options, "ID", "freeze every process of a container"},
        {"resume", cmd_resume, cli_no_options, "ID", "thaw a paused container"},
        {"update", cmd_update, cli_update_options, "[options] ID", "change the resources of a running container"},
        {"events", cmd_events, cli_events_options, "[--stats] [--interval DURATION] ID",
         "print the statistics and OOM events of a container (once with --stats, else until it stops)"},
        {"state", cmd_state, cli_no_options, "ID", "print the state of a container as JSON"},
        {"kill", cmd_kill, cli_kill_options, "[--all] ID [SIGNAL]",
         "send a signal (default SIGTERM) to the container's init, or --all processes"},
        {"delete", cmd_delete, cli_delete_options, "[--force] ID", "delete a stopped container (--force: kill it first)"},
        {"list", cmd_list, cli_list_options, "[--quiet] [--format table|json]", "list the containers under --root"},
        {"spec", cmd_spec, cli_spec_options, "[--bundle DIR] [--rootless]", "write a default config.json into the bundle"},
        {"features", cmd_features, cli_no_options, "", "print what this runtime supports, and its plugins, as JSON"},
        {"plugins", cmd_plugins, cli_plugins_options, "[--format table|json]",
         "list the plugins found, and why any would be refused"},
        {"help", NULL, cli_no_options, "[COMMAND]", "print the help of modrun or of a command"},
        {"checkpoint", cmd_checkpoint, cli_checkpoint_options, "[options] ID",
         "save a running container's processes into image files (CRIU; docs/checkpoint.md)"},
        {"restore", cmd_restore, cli_restore_options, "[options] ID",
         "start a container from the images of `checkpoint` (and wait for it unless --detach)"},
};
const size_t cli_n_commands = ELEMENTSOF(cli_commands);

const struct cli_command *cli_command_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(cli_commands); i++)
                if (streq(cli_commands[i].name, name))
                        return &cli_commands[i];
        return NULL;
}
