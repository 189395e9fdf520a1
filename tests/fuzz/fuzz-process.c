/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: process.json text (`exec --process FILE`) ->
 * config_parse_process_json(). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-common.h"
#include "oci/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_dup(data, size);
        if (!text)
                return 0;
        struct oci_process proc = {0};
        struct modrun_error *err = NULL;
        int r = config_parse_process_json(text, size, "process.json", &proc, &err);
        if (r < 0) {
                if (!err || !err->msg)
                        abort();
        } else {
                if (err || !proc.cwd || !proc.args || !proc.args[0])
                        abort();
                config_process_done(&proc);
        }
        error_free(err);
        free(text);
        return 0;
}
