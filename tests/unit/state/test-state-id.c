/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "state/state.h"

static void test_valid_ids(void **unused)
{
        const char *ok[] = {"a", "web-1", "A_b.c+d", "0123456789", "x..y"};
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                assert_int_equal(state_validate_id(ok[i], NULL), 0);
}

static void expect_refused(const char *id, const char *msg_part)
{
        struct modrun_error *err = NULL;
        assert_int_equal(state_validate_id(id, &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, msg_part));
        error_free(err);
}

static void test_invalid_ids(void **unused)
{
        expect_refused("", "empty");
        expect_refused(".", "invalid container ID \".\"");
        expect_refused("..", "invalid container ID \"..\"");
        expect_refused("a/b", "character '/' is not allowed");
        expect_refused("../etc", "character '/' is not allowed");
        expect_refused("sp ace", "character ' ' is not allowed");
        char big[1100];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        expect_refused(big, "1099 bytes, at most 1024");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_ids),
                cmocka_unit_test(test_invalid_ids),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
