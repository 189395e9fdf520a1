/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/idmap/diag.c: is the rootfs owner mapped, can the container's
 * root search a directory (FIELD-NOTES #3), given stat results and maps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "idmap.h"

static struct idmap_entry ue[] = { { 0, 100000, 65536 } };
static struct idmap_entry ge[] = { { 0, 100000, 65536 } };
static const struct idmap_set uids = { "uidMappings", ue, 1 }, gids = { "gidMappings", ge, 1 };

static struct idmap_stat dir(uint32_t uid, uint32_t gid, unsigned perm)
{
        return (struct idmap_stat){ .uid = uid, .gid = gid, .mode = S_IFDIR | perm };
}

static void test_owner(void **unused)
{
        struct idmap_stat st = dir(0, 0, 0755);
        assert_int_equal(idmap_diag_owner(&st, &uids, &gids), IDMAP_OWNER_UID_UNMAPPED);
        st = dir(100000, 100000, 0755);
        assert_int_equal(idmap_diag_owner(&st, &uids, &gids), IDMAP_OWNER_OK);
        st = dir(165535, 100000, 0700); /* the last mapped uid */
        assert_int_equal(idmap_diag_owner(&st, &uids, &gids), IDMAP_OWNER_OK);
        st = dir(165536, 100000, 0755);
        assert_int_equal(idmap_diag_owner(&st, &uids, &gids), IDMAP_OWNER_UID_UNMAPPED);
        st = dir(100000, 0, 0755);
        assert_int_equal(idmap_diag_owner(&st, &uids, &gids), IDMAP_OWNER_GID_UNMAPPED);
}

static void test_root_of(void **unused)
{
        struct idmap_root r = idmap_root_of(&uids, &gids);
        assert_true(r.uid_mapped && r.gid_mapped);
        assert_int_equal(r.uid, 100000);
        assert_int_equal(r.gid, 100000);
        struct idmap_entry only[] = { { 1000, 1000, 1 } };
        struct idmap_set u2 = { "uidMappings", only, 1 };
        r = idmap_root_of(&u2, &gids);
        assert_false(r.uid_mapped);
}

static enum idmap_search_verdict search(struct idmap_stat st, const char **cls)
{
        struct idmap_root r = idmap_root_of(&uids, &gids);
        return idmap_diag_search(&st, &r, &uids, &gids, cls);
}

static void test_search(void **unused)
{
        const char *cls = NULL;
        /* host root's 0755 and 0711 directories: the x bit for others */
        assert_int_equal(search(dir(0, 0, 0755), &cls), IDMAP_SEARCH_OK_OTHER);
        assert_string_equal(cls, "other");
        assert_int_equal(search(dir(0, 0, 0711), NULL), IDMAP_SEARCH_OK_OTHER);
        /* a 0700 (or 0750) directory of host root: denied, the caps do not apply */
        assert_int_equal(search(dir(0, 0, 0700), &cls), IDMAP_SEARCH_DENIED);
        assert_string_equal(cls, "other");
        assert_int_equal(search(dir(0, 0, 0750), NULL), IDMAP_SEARCH_DENIED);
        /* owned by the container's root: the owner's bits */
        assert_int_equal(search(dir(100000, 0, 0700), &cls), IDMAP_SEARCH_OK_OWNER);
        assert_string_equal(cls, "owner");
        /* group of the container's root: the group's bits, even when others may */
        assert_int_equal(search(dir(0, 100000, 0710), &cls), IDMAP_SEARCH_OK_GROUP);
        assert_string_equal(cls, "group");
        assert_int_equal(search(dir(0, 100000, 0701), &cls), IDMAP_SEARCH_DENIED);
        assert_string_equal(cls, "group");
        /* mapped owner and group (another container user): CAP_DAC_READ_SEARCH */
        assert_int_equal(search(dir(100001, 100001, 0700), NULL), IDMAP_SEARCH_OK_CAPABLE);
        /* mapped owner, unmapped group: no capability, others' bits */
        assert_int_equal(search(dir(100001, 0, 0700), NULL), IDMAP_SEARCH_DENIED);
        /* not a directory */
        struct idmap_stat f = { .uid = 0, .gid = 0, .mode = S_IFREG | 0755 };
        assert_int_equal(search(f, NULL), IDMAP_SEARCH_DENIED);
}

static void test_search_unmapped_root(void **unused)
{
        /* container uid 0 not mapped: it is "other" to everything */
        struct idmap_entry only[] = { { 1000, 1000, 1 } };
        struct idmap_set u2 = { "uidMappings", only, 1 }, g2 = { "gidMappings", only, 1 };
        struct idmap_root r = idmap_root_of(&u2, &g2);
        const char *cls = NULL;
        struct idmap_stat st = dir(1000, 1000, 0700);
        assert_int_equal(idmap_diag_search(&st, &r, &u2, &g2, &cls), IDMAP_SEARCH_DENIED);
        assert_string_equal(cls, "other");
        st = dir(1000, 1000, 0701);
        assert_int_equal(idmap_diag_search(&st, &r, &u2, &g2, &cls), IDMAP_SEARCH_OK_OTHER);
}

static void parents_are(const char *path, int n, const char *const *want)
{
        char *got[IDMAP_MAX_DEPTH] = { 0 };
        assert_int_equal(idmap_parents(path, got, IDMAP_MAX_DEPTH), n);
        for (int i = 0; i < n; i++) {
                assert_string_equal(got[i], want[i]);
                free(got[i]);
        }
}

static void test_parents(void **unused)
{
        parents_are("/tmp/x/bundle/rootfs", 4, (const char *const[]){ "/", "/tmp", "/tmp/x", "/tmp/x/bundle" });
        parents_are("/rootfs", 1, (const char *const[]){ "/" });
        parents_are("/", 0, NULL);
        parents_are("/a//b/", 2, (const char *const[]){ "/", "/a" });
        char *got[2] = { 0 };
        assert_int_equal(idmap_parents("rel/path", got, 2), -EINVAL);
        assert_int_equal(idmap_parents("/a/b/c/d", got, 2), 2); /* capped */
        assert_string_equal(got[0], "/");
        assert_string_equal(got[1], "/a");
        free(got[0]);
        free(got[1]);
}

static void test_umask(void **unused)
{
        assert_true(idmap_diag_umask_ok(0022));
        assert_true(idmap_diag_umask_ok(0027 & ~07)); /* 0020 */
        assert_false(idmap_diag_umask_ok(0077));
        assert_false(idmap_diag_umask_ok(0027));
        assert_false(idmap_diag_umask_ok(0001));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_owner),   cmocka_unit_test(test_root_of),
                cmocka_unit_test(test_search),  cmocka_unit_test(test_search_unmapped_root),
                cmocka_unit_test(test_parents), cmocka_unit_test(test_umask),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
