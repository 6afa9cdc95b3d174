// Malformed and hostile objects, each made by editing a valid example: every one must give an
// ErrorKind::Load error that names the section and says what is wrong -- and never crash
// (these tests also run under ASan + UBSan).
#include <doctest/doctest.h>

#include "loader/elf_mutator.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

Error load_fails(const std::vector<uint8_t>& bytes) {
    auto r = load(bytes, "hostile.o");
    REQUIRE_MESSAGE(!r, "the malformed object loaded");
    return r.error();
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

#define CHECK_LOAD_ERROR(err, section_name, part)                 \
    do {                                                          \
        const Error& e_ = (err);                                  \
        INFO("what: " << e_.what);                                \
        CHECK(e_.kind == ErrorKind::Load);                        \
        CHECK(e_.where.section == (section_name));                \
        CHECK(contains(e_.what, part));                           \
    } while (0)

ElfMutator example(const char* name) { return ElfMutator(example_bytes(name)); }

std::vector<uint8_t> truncated(std::vector<uint8_t> b, size_t size) {
    b.resize(size);
    return b;
}

}  // namespace

TEST_CASE("malformed: not ELF, and truncated inside the ELF header") {
    const auto bytes = example_bytes("xdp_drop_port");
    CHECK_LOAD_ERROR(load_fails({}), "", "not an ELF file");
    CHECK_LOAD_ERROR(load_fails({'M', 'Z', 0x90, 0}), "", "not an ELF file");
    // Every boundary of the ELF header's fields: e_ident parts, e_type, e_machine, e_version,
    // e_entry, e_phoff, e_shoff, e_flags, e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum.
    for (size_t size : {1, 3, 4, 5, 6, 16, 18, 20, 24, 32, 40, 48, 52, 54, 56, 58, 60, 62, 63}) {
        CAPTURE(size);
        const Error e = load_fails(truncated(bytes, size));
        CHECK(e.kind == ErrorKind::Load);
        CHECK((contains(e.what, "too short for the 64-byte ELF header") || contains(e.what, "not an ELF file")));
    }
    CHECK_LOAD_ERROR(load_fails(truncated(bytes, 40)), "", "the file is 40 bytes, too short for the 64-byte ELF header");
}

TEST_CASE("malformed: truncated before and inside the section header table") {
    ElfMutator m = example("xdp_drop_port");
    const uint64_t shoff = m.ehdr().e_shoff;
    CHECK_LOAD_ERROR(load_fails(truncated(m.b, shoff)), "", "the section header table starts at byte");
    CHECK_LOAD_ERROR(load_fails(truncated(m.b, shoff + 64 * 3 + 10)), "", "runs past the end of the");
    CHECK_LOAD_ERROR(load_fails(truncated(m.b, m.b.size() - 1)), "", "truncated?");
}

TEST_CASE("malformed: wrong machine, class, byte order, type") {
    {
        ElfMutator m = example("xdp_drop_port");
        Elf64_Ehdr h = m.ehdr();
        h.e_machine = EM_X86_64;
        m.set_ehdr(h);
        CHECK_LOAD_ERROR(load_fails(m.b), "", "e_machine is 62, not 247 (EM_BPF)");
    }
    {
        ElfMutator m = example("xdp_drop_port");
        m.b[EI_CLASS] = ELFCLASS32;
        CHECK_LOAD_ERROR(load_fails(m.b), "", "the ELF class is 1, not 2 (64-bit)");
    }
    {
        ElfMutator m = example("xdp_drop_port");
        m.b[EI_DATA] = ELFDATA2MSB;
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, "", "big-endian");
        CHECK(contains(e.hint, "bpfeb"));
    }
    {
        ElfMutator m = example("xdp_drop_port");
        Elf64_Ehdr h = m.ehdr();
        h.e_type = ET_EXEC;
        m.set_ehdr(h);
        CHECK_LOAD_ERROR(load_fails(m.b), "", "e_type is 2, not 1 (ET_REL)");
    }
}

TEST_CASE("malformed: section table indexes and bounds") {
    {
        ElfMutator m = example("xdp_drop_port");
        Elf64_Ehdr h = m.ehdr();
        h.e_shoff = m.b.size() + 4096;
        m.set_ehdr(h);
        CHECK_LOAD_ERROR(load_fails(m.b), "", "past the end of the");
    }
    {
        ElfMutator m = example("xdp_drop_port");
        Elf64_Ehdr h = m.ehdr();
        h.e_shstrndx = 200;
        m.set_ehdr(h);
        CHECK_LOAD_ERROR(load_fails(m.b), "", "e_shstrndx (the section holding section names) is 200");
    }
    {
        ElfMutator m = example("xdp_drop_port");
        Elf64_Ehdr h = m.ehdr();
        h.e_shstrndx = uint16_t(m.section("xdp"));
        m.set_ehdr(h);
        CHECK_LOAD_ERROR(load_fails(m.b), "", "is not a string table");
    }
    {  // a section's bytes start past the end of the file
        ElfMutator m = example("xdp_drop_port");
        const uint64_t size = m.b.size();
        m.edit_section("xdp", [&](Elf64_Shdr& s) { s.sh_offset = size + 8; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "run past the end of the");
    }
    {  // a huge sh_size
        ElfMutator m = example("xdp_drop_port");
        m.edit_section("xdp", [](Elf64_Shdr& s) { s.sh_size = 0xffff'ffff'ffff'0000ull; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "run past the end of the");
    }
    {  // a section name past the name table
        ElfMutator m = example("xdp_drop_port");
        Elf64_Shdr s = m.shdr(3);
        s.sh_name = 0x7fff'0000;
        m.set_shdr(3, s);
        CHECK_LOAD_ERROR(load_fails(m.b), "#3", "of the section name table, which has only");
    }
}

TEST_CASE("malformed: relocation sections") {
    {  // sh_link must be the symbol table
        ElfMutator m = example("xdp_tail_call");
        m.edit_section(".relxdp", [](Elf64_Shdr& s) { s.sh_link = 99; });
        CHECK_LOAD_ERROR(load_fails(m.b), ".relxdp", "sh_link is 99, but the symbol table is section");
    }
    {  // sh_info must be a section
        ElfMutator m = example("xdp_tail_call");
        m.edit_section(".relxdp", [](Elf64_Shdr& s) { s.sh_info = 500; });
        CHECK_LOAD_ERROR(load_fails(m.b), ".relxdp", "sh_info (the section these relocations apply to) is 500");
    }
    {  // entries of the wrong size
        ElfMutator m = example("xdp_tail_call");
        m.edit_section(".relxdp", [](Elf64_Shdr& s) { s.sh_entsize = 24; });
        CHECK_LOAD_ERROR(load_fails(m.b), ".relxdp", "sh_entsize is 24");
    }
}

TEST_CASE("malformed: relocation entries") {
    {  // symbol index out of range
        ElfMutator m = example("xdp_tail_call");
        m.edit_rel(".relxdp", 0, [](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(99, ELF64_R_TYPE(r.r_info)); });
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, "xdp", "relocation at byte 0x20 refers to symbol 99, but the symbol table has 24 entries");
    }
    {  // offset past the section
        ElfMutator m = example("xdp_tail_call");
        m.edit_rel(".relxdp", 0, [](Elf64_Rel& r) { r.r_offset = 0x8000; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp",
                         "relocation at byte 0x8000 against \"hits\": the offset is past the end of the 1144-byte section");
    }
    {  // offset between two instructions
        ElfMutator m = example("xdp_tail_call");
        m.edit_rel(".relxdp", 0, [](Elf64_Rel& r) { r.r_offset = 0x21; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "not on an instruction boundary");
    }
    {  // an unsupported relocation type on an lddw
        ElfMutator m = example("xdp_tail_call");
        m.edit_rel(".relxdp", 0, [](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(ELF64_R_SYM(r.r_info), 5); });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp",
                         "an lddw needs an R_BPF_64_64 relocation, but this one has type unknown (5)");
    }
    {  // R_BPF_64_ABS64 (a data relocation) in code
        ElfMutator m = example("xdp_tail_call");
        m.edit_rel(".relxdp", 0, [](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(ELF64_R_SYM(r.r_info), 2); });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "this one has type R_BPF_64_ABS64 (2)");
    }
    {  // an lddw relocation pointing at an instruction that is not an lddw
        ElfMutator m = example("xdp_tail_call");
        m.edit_rel(".relxdp", 0, [](Elf64_Rel& r) { r.r_offset = 0x10; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp",
                         "relocation at byte 0x10 against \"hits\" (insn 2 of the section, in function \"handle_tcp\"): "
                         "the instruction there has opcode 0xbf; only lddw (0x18) and call (0x85)");
    }
}

TEST_CASE("malformed: relocated symbols") {
    {  // an undefined symbol (an uninitialized extern-like variable)
        ElfMutator m = example("xdp_tail_call");
        m.edit_symbol("hits", [](Elf64_Sym& s) { s.st_shndx = SHN_UNDEF; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "\"hits\" is undefined (SHN_UNDEF), not in any section");
    }
    {  // an extern (kfunc / ksym): undefined, global, no type (a label symbol made into one)
        ElfMutator m = example("xdp_tail_call");
        const uint32_t label = m.symbol("LBB0_2");
        m.edit_symbol("LBB0_2", [](Elf64_Sym& s) {
            s.st_shndx = SHN_UNDEF;
            s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
        });
        m.edit_rel(".relxdp", 0, [&](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(label, ELF64_R_TYPE(r.r_info)); });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp",
                         "\"LBB0_2\" is an extern without a BTF variable (libbpf: \"failed to find BTF for extern 'LBB0_2'\")");
    }
    {  // a symbol in a section that is neither maps nor data
        ElfMutator m = example("xdp_tail_call");
        const uint16_t license = uint16_t(m.section("license"));
        const uint32_t label = m.symbol("LBB0_2");
        m.edit_symbol("LBB0_2", [&](Elf64_Sym& s) { s.st_shndx = license; });
        m.edit_rel(".relxdp", 0, [&](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(label, ELF64_R_TYPE(r.r_info)); });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp",
                         "\"LBB0_2\" is in section \"license\", which holds neither maps nor global variables");
    }
    {  // a symbol in .maps at an offset where no map is defined
        ElfMutator m = example("xdp_tail_call");
        const uint16_t maps = uint16_t(m.section(".maps"));
        const uint32_t label = m.symbol("LBB0_2");
        m.edit_symbol("LBB0_2", [&](Elf64_Sym& s) {
            s.st_shndx = maps;
            s.st_value = 0x10;
        });
        m.edit_rel(".relxdp", 0, [&](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(label, ELF64_R_TYPE(r.r_info)); });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "no map is defined at offset 0x10 of section \".maps\"");
    }
    {  // a symbol in a section that does not exist
        ElfMutator m = example("xdp_tail_call");
        m.edit_symbol("hits", [](Elf64_Sym& s) { s.st_shndx = 200; });
        CHECK_LOAD_ERROR(load_fails(m.b), ".symtab", "is in section 200, but the file has");
    }
    {  // a symbol name past the string table
        ElfMutator m = example("xdp_tail_call");
        m.edit_symbol("hits", [](Elf64_Sym& s) { s.st_name = 0x00ff'ffff; });
        CHECK_LOAD_ERROR(load_fails(m.b), ".symtab", "past the");
    }
}

TEST_CASE("malformed: programs") {
    {  // a code section whose size is not a whole number of instructions
        ElfMutator m = example("xdp_drop_port");
        m.edit_section("xdp", [](Elf64_Shdr& s) { s.sh_size -= 4; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "not a multiple of 8");
    }
    {  // a function whose size is not a whole number of instructions
        ElfMutator m = example("xdp_drop_port");
        m.edit_symbol("xdp_drop_port", [](Elf64_Sym& s) { s.st_size = 13; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "function \"xdp_drop_port\" is corrupted");
    }
    {  // a function running past its section
        ElfMutator m = example("xdp_drop_port");
        m.edit_symbol("xdp_drop_port", [](Elf64_Sym& s) { s.st_size = 0x10000; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "runs past the end of the 464-byte section");
    }
    {  // a static program: libbpf refuses it
        ElfMutator m = example("xdp_drop_port");
        m.edit_symbol("xdp_drop_port", [](Elf64_Sym& s) { s.st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC); });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "program \"xdp_drop_port\" is static");
    }
    {  // two programs overlapping
        ElfMutator m = example("xdp_tail_call");
        m.edit_symbol("handle_udp", [](Elf64_Sym& s) { s.st_value = 0x50; });
        CHECK_LOAD_ERROR(load_fails(m.b), "xdp", "functions \"handle_tcp\" and \"handle_udp\" overlap");
    }
    {  // no symbol table
        ElfMutator m = example("xdp_drop_port");
        m.edit_section(".symtab", [](Elf64_Shdr& s) { s.sh_type = SHT_PROGBITS; });
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, "", "no symbol table");
        CHECK(contains(e.hint, "stripped"));
    }
}

TEST_CASE("malformed: maps") {
    {  // a legacy map definition shorter than struct bpf_map_def
        ElfMutator m(fixture_bytes("legacy_maps"));
        m.edit_symbol("flows", [](Elf64_Sym& s) { s.st_size = 12; });
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, "maps", "map \"flows\" is 12 bytes, but struct bpf_map_def");
        CHECK(e.where.map == "flows");
    }
    {  // a prog array slot pointing at something that is not a program
        ElfMutator m = example("xdp_tail_call");
        const uint32_t hits = m.symbol("hits");
        m.edit_rel(".rel.maps", 0, [&](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(hits, ELF64_R_TYPE(r.r_info)); });
        const Error e = load_fails(m.b);
        CHECK(e.where.map == "jmp_table");
        CHECK_LOAD_ERROR(e, ".maps", "map \"jmp_table\": relocation at byte 0x20 against \"hits\": "
                                                   "\"hits\" is not a program of this object");
    }
    {  // a map of maps slot holding a map that does not match the inner map type
        ElfMutator m = example("xdp_map_in_map");
        const uint32_t outer = m.symbol("by_version");
        m.edit_rel(".rel.maps", 0, [&](Elf64_Rel& r) { r.r_info = ELF64_R_INFO(outer, ELF64_R_TYPE(r.r_info)); });
        CHECK_LOAD_ERROR(load_fails(m.b), ".maps", "cannot put \"by_version\" in slot 0: -EINVAL");
    }
    {  // global data far too large for the host: refused before anything is allocated
        ElfMutator m = example("global_vars");
        m.edit_section(".bss", [](Elf64_Shdr& s) { s.sh_size = 0x4000'0000; });
        CHECK_LOAD_ERROR(load_fails(m.b), ".bss", "MiB bpfplay allows one object");
    }
    {  // ... or larger than a map value can be
        ElfMutator m = example("global_vars");
        m.edit_section(".bss", [](Elf64_Shdr& s) { s.sh_size = 0x10'0000'0000ull; });
        CHECK_LOAD_ERROR(load_fails(m.b), ".bss", "32-bit");
    }
}

TEST_CASE("malformed: BTF") {
    {  // bad magic
        ElfMutator m = example("xdp_drop_port");
        m.put<uint16_t>(m.data_offset(".BTF"), 0x1234);
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, ".BTF", "section \".BTF\": ");
        CHECK(contains(e.what, "magic"));
    }
    {  // a type name past the end of the string section
        ElfMutator m = example("xdp_drop_port");
        const auto btf = m.btf();
        m.put<uint32_t>(btf.record[1], 0x00ff'ffff);
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, ".BTF", "section \".BTF\": ");
        CHECK(contains(e.what, "string"));
    }
    {  // a type loop: a pointer to itself
        ElfMutator m = example("xdp_drop_port");
        const auto btf = m.btf();
        uint32_t ptr = 0;
        for (uint32_t id = 1; id < btf.record.size() && !ptr; ++id)
            if (((m.get<uint32_t>(btf.record[id] + 4) >> 24) & 0x1f) == 2) ptr = id;
        REQUIRE(ptr != 0);
        m.put<uint32_t>(btf.record[ptr] + 8, ptr);
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, ".BTF", "section \".BTF\": ");
        CHECK(contains(e.what, "loop"));
    }
    {  // .maps without BTF
        ElfMutator m = example("xdp_lru_conntrack");
        m.edit_section(".BTF", [](Elf64_Shdr& s) { s.sh_name += 1; });  // now named "BTF"
        const Error e = load_fails(m.b);
        CHECK_LOAD_ERROR(e, ".maps", "the object has no .BTF section");
        CHECK(contains(e.hint, "-g"));
    }
}

TEST_CASE("malformed: license and version sections") {
    ElfMutator m(fixture_bytes("linking"));
    m.edit_section("version", [](Elf64_Shdr& s) { s.sh_size = 3; });
    CHECK_LOAD_ERROR(load_fails(m.b), "version", "one 4-byte number");
}

TEST_CASE("robustness: every truncation and many byte flips give an error or a load, never a crash") {
    for (const char* name : {"xdp_tail_call", "bpf2bpf_calls"}) {
        const auto bytes = example_bytes(name);
        for (size_t size = 0; size < bytes.size(); size += 61) {
            auto r = load(truncated(bytes, size), "cut.o");
            CHECK_FALSE(r.ok());
        }
        // Flip one byte in 17 (headers, section table, code, BTF, symbols...), one at a time.
        size_t loaded = 0, failed = 0;
        for (size_t pos = 0; pos < bytes.size(); pos += 17) {
            auto copy = bytes;
            copy[pos] ^= 0xa5;
            auto r = load(copy, "flip.o");
            (r.ok() ? loaded : failed)++;
            if (!r.ok()) CHECK_FALSE(r.error().what.empty());
        }
        CHECK(loaded + failed > 0);
    }
}
