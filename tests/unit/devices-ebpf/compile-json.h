/* SPDX-License-Identifier: Apache-2.0 */
/* For the devices-ebpf unit tests (include after cmocka.h): a rule list
 * given as JSON text, parsed, normalised and compiled, or the test fails. */
#pragma once

#include <json-c/json.h>
#include <stdlib.h>

#include "devices-ebpf.h"

struct prog {
        struct bpf_insn *insns;
        size_t n;
};

static inline struct prog compile_json(const char *text)
{
        struct json_object *j = text ? json_tokener_parse(text) : NULL;
        assert_true(!text || j);
        struct devbpf_rules rules;
        size_t index = 0;
        const char *why = NULL;
        assert_int_equal(devbpf_rules_parse(j, &rules, &index, &why), 0);
        json_object_put(j);
        devbpf_rules_normalize(&rules);
        struct prog p = {0};
        assert_int_equal(devbpf_compile(&rules, &p.insns, &p.n), 0);
        devbpf_rules_done(&rules);
        return p;
}
