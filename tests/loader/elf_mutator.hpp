#pragma once
// Test helper: edits the raw bytes of a valid BPF object (header, section headers, symbols,
// relocations, BTF records) to make malformed ones. Reads and writes go through memcpy on
// bounds-checked offsets; the loader under test never sees anything but the bytes.
#include <doctest/doctest.h>
#include <elf.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace bpfplay::test {

class ElfMutator {
public:
    explicit ElfMutator(std::vector<uint8_t> bytes) : b(std::move(bytes)) { REQUIRE(b.size() >= sizeof(Elf64_Ehdr)); }

    std::vector<uint8_t> b;

    template <class T>
    T get(uint64_t off) const {
        REQUIRE(off + sizeof(T) <= b.size());
        T v;
        std::memcpy(&v, b.data() + off, sizeof v);
        return v;
    }
    template <class T>
    void put(uint64_t off, const T& v) {
        REQUIRE(off + sizeof(T) <= b.size());
        std::memcpy(b.data() + off, &v, sizeof v);
    }

    Elf64_Ehdr ehdr() const { return get<Elf64_Ehdr>(0); }
    void set_ehdr(const Elf64_Ehdr& h) { put(0, h); }

    uint64_t shdr_offset(uint32_t i) const { return ehdr().e_shoff + uint64_t(i) * sizeof(Elf64_Shdr); }
    Elf64_Shdr shdr(uint32_t i) const { return get<Elf64_Shdr>(shdr_offset(i)); }
    void set_shdr(uint32_t i, const Elf64_Shdr& s) { put(shdr_offset(i), s); }
    uint32_t section_count() const { return ehdr().e_shnum; }

    std::string section_name(uint32_t i) const {
        const Elf64_Shdr names = shdr(ehdr().e_shstrndx);
        return reinterpret_cast<const char*>(b.data() + names.sh_offset + shdr(i).sh_name);
    }
    uint32_t section(const std::string& name) const {
        for (uint32_t i = 1; i < section_count(); ++i)
            if (section_name(i) == name) return i;
        FAIL("no section " << name);
        return 0;
    }
    template <class F>
    void edit_section(const std::string& name, F f) {
        const uint32_t i = section(name);
        Elf64_Shdr s = shdr(i);
        f(s);
        set_shdr(i, s);
    }

    // Symbols.
    uint32_t symtab() const {
        for (uint32_t i = 1; i < section_count(); ++i)
            if (shdr(i).sh_type == SHT_SYMTAB) return i;
        FAIL("no symtab");
        return 0;
    }
    uint32_t symbol_count() const { return uint32_t(shdr(symtab()).sh_size / sizeof(Elf64_Sym)); }
    uint64_t sym_offset(uint32_t i) const { return shdr(symtab()).sh_offset + uint64_t(i) * sizeof(Elf64_Sym); }
    Elf64_Sym sym(uint32_t i) const { return get<Elf64_Sym>(sym_offset(i)); }
    std::string sym_name(uint32_t i) const {
        const Elf64_Shdr strtab = shdr(shdr(symtab()).sh_link);
        return reinterpret_cast<const char*>(b.data() + strtab.sh_offset + sym(i).st_name);
    }
    uint32_t symbol(const std::string& name) const {
        for (uint32_t i = 1; i < symbol_count(); ++i)
            if (sym_name(i) == name) return i;
        FAIL("no symbol " << name);
        return 0;
    }
    template <class F>
    void edit_symbol(const std::string& name, F f) {
        const uint32_t i = symbol(name);
        Elf64_Sym s = sym(i);
        f(s);
        put(sym_offset(i), s);
    }

    // Relocations of a REL section, by index.
    uint64_t rel_offset(const std::string& rel_section, uint32_t i) const {
        return shdr(section(rel_section)).sh_offset + uint64_t(i) * sizeof(Elf64_Rel);
    }
    Elf64_Rel rel(const std::string& rel_section, uint32_t i) const { return get<Elf64_Rel>(rel_offset(rel_section, i)); }
    template <class F>
    void edit_rel(const std::string& rel_section, uint32_t i, F f) {
        Elf64_Rel r = rel(rel_section, i);
        f(r);
        put(rel_offset(rel_section, i), r);
    }

    // Bytes of a section.
    uint64_t data_offset(const std::string& name) const { return shdr(section(name)).sh_offset; }

    // BTF: the file offset of type `id`'s record and of the string section.
    struct BtfLayout {
        uint64_t types = 0, strings = 0;
        std::vector<uint64_t> record;  // file offset of each type record, index = type id (0 unused)
    };
    BtfLayout btf() const {
        const uint64_t base = data_offset(".BTF");
        BtfLayout l;
        const uint32_t hdr_len = get<uint32_t>(base + 4);
        l.types = base + hdr_len + get<uint32_t>(base + 8);
        const uint64_t types_end = l.types + get<uint32_t>(base + 12);
        l.strings = base + hdr_len + get<uint32_t>(base + 16);
        l.record.push_back(0);
        for (uint64_t off = l.types; off < types_end;) {
            l.record.push_back(off);
            const uint32_t info = get<uint32_t>(off + 4);
            const uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
            off += 12;
            switch (kind) {
            case 1: off += 4; break;                         // INT
            case 3: off += 12; break;                        // ARRAY
            case 4: case 5: off += 12ull * vlen; break;      // STRUCT, UNION
            case 6: off += 8ull * vlen; break;               // ENUM
            case 13: off += 8ull * vlen; break;              // FUNC_PROTO
            case 14: off += 4; break;                        // VAR
            case 15: off += 12ull * vlen; break;             // DATASEC
            case 17: off += 4; break;                        // DECL_TAG
            case 19: off += 12ull * vlen; break;             // ENUM64
            default: break;                                  // PTR, TYPEDEF, qualifiers, FUNC, FWD, FLOAT, TYPE_TAG
            }
        }
        return l;
    }
    std::string btf_string(const BtfLayout& l, uint32_t off) const {
        return reinterpret_cast<const char*>(b.data() + l.strings + off);
    }
    // The type id a member called `member` of some struct refers to (the first such member).
    std::optional<uint32_t> btf_member_type(const BtfLayout& l, const std::string& member) const {
        for (size_t id = 1; id < l.record.size(); ++id) {
            const uint32_t info = get<uint32_t>(l.record[id] + 4);
            if (((info >> 24) & 0x1f) != 4) continue;
            for (uint32_t m = 0; m < (info & 0xffff); ++m) {
                const uint64_t mo = l.record[id] + 12 + 12ull * m;
                if (btf_string(l, get<uint32_t>(mo)) == member) return get<uint32_t>(mo + 4);
            }
        }
        return std::nullopt;
    }
};

}  // namespace bpfplay::test
