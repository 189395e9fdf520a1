/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How much of an executable or shared object a process uses: the ELF
 * header, the program headers and each segment's bytes in the file. The
 * kernel's loader and ld.so read nothing else; what follows them in an
 * unstripped file (section headers, symbol tables, debug information:
 * three quarters of meson's default debugoptimized build) is left out of
 * the sealed copies the runtime executes and maps (sealed-copy.c, the
 * launcher), which then hold no section headers (e_shoff, e_shnum and
 * e_shstrndx zeroed, as `sstrip` leaves a file). Header-only and free of
 * the C library: the launcher (core/launcher/) includes it.
 */
#pragma once

#include <elf.h>

#if __SIZEOF_POINTER__ == 8
typedef Elf64_Ehdr elf_ehdr;
typedef Elf64_Phdr elf_phdr;
#define ELF_CLASS_NATIVE ELFCLASS64
#else
typedef Elf32_Ehdr elf_ehdr;
typedef Elf32_Phdr elf_phdr;
#define ELF_CLASS_NATIVE ELFCLASS32
#endif

/* How much of the file's start elf_extent() reads: the program headers
 * follow the ELF header in every linker's output (35 of them fit). */
#define ELF_EXTENT_HEAD 2048

/* The bytes of a file of `size` bytes that a copy needs, given its first n
 * bytes (head, aligned for elf_ehdr): the end of the last program header's
 * bytes, of any type (ld.so and the kernel read PT_NOTE, PT_INTERP and
 * PT_GNU_PROPERTY at their offsets). `size` itself when the file is not a
 * native ELF file with program headers after its ELF header and within
 * head, or a segment ends beyond the file (the copy then fails as the file
 * would). */
static inline unsigned long elf_extent(const void *head, unsigned long n, unsigned long size)
{
        const elf_ehdr *eh = head;
        if (n < sizeof(*eh) || eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
            eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3 ||
            eh->e_ident[EI_CLASS] != ELF_CLASS_NATIVE || eh->e_phentsize != sizeof(elf_phdr) ||
            eh->e_phoff < sizeof(*eh) || eh->e_phoff % sizeof(void *) != 0 || eh->e_phoff > n ||
            eh->e_phnum == 0 || eh->e_phnum == PN_XNUM || eh->e_phnum > (n - eh->e_phoff) / sizeof(elf_phdr))
                return size;
        const elf_phdr *ph = (const elf_phdr *)((const char *)head + eh->e_phoff);
        unsigned long end = eh->e_phoff + (unsigned long)eh->e_phnum * sizeof(elf_phdr);
        for (unsigned i = 0; i < eh->e_phnum; i++) {
                unsigned long off = ph[i].p_offset, len = ph[i].p_filesz;
                /* a PT_LOAD of .bss alone still has the page at its offset
                 * mapped from the file (and zeroed from p_vaddr on) */
                if (len == 0 && (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0))
                        continue;
                if (off > size || len > size - off)
                        return size;
                if (off + len > end)
                        end = off + len;
        }
        return end < size ? end : size;
}

/* The ELF header of a copy cut at elf_extent() < size: no section headers. */
static inline void elf_drop_section_headers(void *head)
{
        elf_ehdr *eh = head;
        eh->e_shoff = 0;
        eh->e_shnum = 0;
        eh->e_shstrndx = SHN_UNDEF;
}
