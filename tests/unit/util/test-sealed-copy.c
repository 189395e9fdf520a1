/* SPDX-License-Identifier: Apache-2.0 */
/* sealed_copy() and elf_extent(): a copy of an ELF file holds what the
 * kernel and ld.so load and still runs; anything else is copied whole;
 * malformed headers never shorten a copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/elf-extent.h"
#include "util/sealed-copy.h"

#define RUN_EXIT_ARG "--exit-42"

extern char **environ;

static char *read_all(int fd, size_t *len)
{
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        char *buf = malloc((size_t)st.st_size + 1);
        assert_non_null(buf);
        assert_int_equal(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
        *len = (size_t)st.st_size;
        return buf;
}

/* This test's own executable: a PIE built with debug information */
static void test_copy_of_elf(void **state)
{
        (void)state;
        int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        assert_true(src >= 0);
        size_t size, len;
        char *file = read_all(src, &size);
        struct modrun_error *err = NULL;
        int mfd = sealed_copy(src, "test-copy", "the test", &err);
        assert_true(mfd >= 0);
        char *copy = read_all(mfd, &len);

        elf_ehdr eh;
        memcpy(&eh, file, sizeof(eh));
        unsigned long want = elf_extent(file, size, size);
        assert_int_equal(len, want);
        if (eh.e_shoff >= want) { /* an unstripped build: cut before the section headers */
                assert_true(len < size);
                elf_ehdr ch;
                memcpy(&ch, copy, sizeof(ch));
                assert_int_equal(ch.e_shoff, 0);
                assert_int_equal(ch.e_shnum, 0);
                assert_int_equal(ch.e_shstrndx, SHN_UNDEF);
                ch.e_shoff = eh.e_shoff;
                ch.e_shnum = eh.e_shnum;
                ch.e_shstrndx = eh.e_shstrndx;
                assert_memory_equal(&ch, &eh, sizeof(eh));
        }
        assert_memory_equal(copy + sizeof(eh), file + sizeof(eh), len - sizeof(eh));
        /* every segment's bytes are in the copy */
        const elf_phdr *ph = (const elf_phdr *)(file + eh.e_phoff);
        for (unsigned i = 0; i < eh.e_phnum; i++)
                assert_true(ph[i].p_offset + ph[i].p_filesz <= len);
        assert_int_equal(fcntl(mfd, F_GET_SEALS) & SEALED_COPY_SEALS, SEALED_COPY_SEALS);

        /* and it runs: the kernel maps it, ld.so links it */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char *argv[] = {"test-sealed-copy", RUN_EXIT_ARG, NULL};
                fexecve(mfd, argv, environ);
                _exit(127);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 42);
        free(copy);
        free(file);
        close(mfd);
        close(src);
}

/* a file that is not ELF is copied whole */
static void test_copy_of_text(void **state)
{
        (void)state;
        char text[5000];
        for (size_t i = 0; i < sizeof(text); i++)
                text[i] = (char)('a' + i % 26);
        memcpy(text, "\177ELF", 4); /* the magic alone does not make a header */
        int src = memfd_create("src", MFD_CLOEXEC);
        assert_true(src >= 0);
        assert_int_equal(write(src, text, sizeof(text)), (ssize_t)sizeof(text));
        struct modrun_error *err = NULL;
        int mfd = sealed_copy(src, "test-copy", "the text", &err);
        if (mfd < 0)
                fail_msg("%s", err->msg);
        size_t len;
        char *copy = read_all(mfd, &len);
        assert_int_equal(len, sizeof(text));
        assert_memory_equal(copy, text, sizeof(text));
        free(copy);
        close(mfd);
        close(src);
}

struct fake {
        elf_ehdr eh;
        elf_phdr ph[3];
};

static void fake_init(struct fake *f)
{
        memset(f, 0, sizeof(*f));
        memcpy(f->eh.e_ident, ELFMAG, SELFMAG);
        f->eh.e_ident[EI_CLASS] = ELF_CLASS_NATIVE;
        f->eh.e_phoff = sizeof(elf_ehdr);
        f->eh.e_phentsize = sizeof(elf_phdr);
        f->eh.e_phnum = 3;
        f->ph[0] = (elf_phdr){.p_type = PT_LOAD, .p_offset = 0, .p_filesz = 1000};
        f->ph[1] = (elf_phdr){.p_type = PT_LOAD, .p_offset = 4096, .p_filesz = 5000};
        f->ph[2] = (elf_phdr){.p_type = PT_GNU_STACK};
}

static void test_extent(void **state)
{
        (void)state;
        struct fake f;
        fake_init(&f);
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 9096);
        assert_int_equal(elf_extent(&f, sizeof(f), 9096), 9096);
        /* a segment beyond the file, or reaching past it: the whole file */
        assert_int_equal(elf_extent(&f, sizeof(f), 9000), 9000);
        f.ph[1].p_offset = ~0UL - 10;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        /* program headers not within what was read */
        fake_init(&f);
        assert_int_equal(elf_extent(&f, sizeof(f) - 1, 20000), 20000);
        f.eh.e_phnum = PN_XNUM;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        fake_init(&f);
        f.eh.e_phoff = 1u << 20;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        fake_init(&f);
        f.eh.e_phoff = 3; /* misaligned */
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        /* not this machine's class, another entry size, no magic */
        fake_init(&f);
        f.eh.e_ident[EI_CLASS] = ELF_CLASS_NATIVE == ELFCLASS64 ? ELFCLASS32 : ELFCLASS64;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        fake_init(&f);
        f.eh.e_phentsize = sizeof(elf_phdr) + 8;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        fake_init(&f);
        f.eh.e_ident[EI_MAG3] = 'G';
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        assert_int_equal(elf_extent(&f, 10, 20000), 20000);
        /* no segment with bytes: the headers alone */
        fake_init(&f);
        f.ph[0].p_filesz = f.ph[1].p_filesz = 0;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), sizeof(f));
        /* every type counts: ld.so reads a PT_NOTE at its offset */
        fake_init(&f);
        f.ph[2] = (elf_phdr){.p_type = PT_NOTE, .p_offset = 10000, .p_filesz = 100};
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 10100);
        /* a PT_LOAD of .bss alone: the page at its offset is mapped from
         * the file; one with no memory either is nothing */
        fake_init(&f);
        f.ph[2] = (elf_phdr){.p_type = PT_LOAD, .p_offset = 12345, .p_memsz = 4096};
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 12345);
        f.ph[2].p_memsz = 0;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 9096);
        f.ph[2] = (elf_phdr){.p_type = PT_LOAD, .p_offset = 30000, .p_memsz = 4096};
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        /* no program headers, or program headers over the ELF header */
        fake_init(&f);
        f.eh.e_phnum = 0;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
        fake_init(&f);
        f.eh.e_phoff = 0;
        assert_int_equal(elf_extent(&f, sizeof(f), 20000), 20000);
}

int main(int argc, char **argv)
{
        if (argc == 2 && strcmp(argv[1], RUN_EXIT_ARG) == 0)
                return 42;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_copy_of_elf),
                cmocka_unit_test(test_copy_of_text),
                cmocka_unit_test(test_extent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
