/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: config.json text -> config_parse(), then the lookups
 * and the default device rules on what was parsed. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-common.h"
#include "oci/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_dup(data, size);
        if (!text)
                return 0;
        struct oci_config *cfg = NULL;
        struct modrun_error *err = NULL;
        int r = config_parse(text, size, &cfg, &err);
        if (r < 0) {
                /* every failure explains itself */
                if (!err || !err->msg)
                        abort();
        } else {
                if (err)
                        abort();
                (void)config_annotation(cfg, "org.opencontainers.image.os");
                for (int t = 0; t < _OCI_NS_MAX; t++)
                        (void)config_namespace(cfg, (enum oci_ns_type)t);
                (void)config_add_default_device_rules(cfg);
                config_free(cfg);
        }
        error_free(err);
        free(text);
        return 0;
}
