#include "btf/btf_test_util.hpp"

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iterator>

#include <doctest/doctest.h>
#include <gelf.h>
#include <libelf.h>

namespace bpfplay::test {

const std::vector<uint8_t>& ElfFixture::section(const std::string& name) const {
    static const std::vector<uint8_t> empty;
    auto it = sections.find(name);
    return it == sections.end() ? empty : it->second;
}

std::optional<uint32_t> ElfFixture::symbol_offset(const std::string& section_name, std::string_view symbol) const {
    auto [lo, hi] = symbols.equal_range(std::string(symbol));
    for (auto it = lo; it != hi; ++it)
        if (it->second.section == section_name) return static_cast<uint32_t>(it->second.value);
    return std::nullopt;
}

ElfFixture load_fixture(const std::string& name) {
    std::string path = std::string(BPFPLAY_SOURCE_DIR) + "/tests/btf/fixtures/" + name;
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open fixture " << path);
    std::vector<char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    ElfFixture fx;
    REQUIRE(elf_version(EV_CURRENT) != EV_NONE);
    Elf* elf = elf_memory(file.data(), file.size());
    REQUIRE(elf != nullptr);
    size_t shstrndx = 0;
    REQUIRE(elf_getshdrstrndx(elf, &shstrndx) == 0);

    std::map<size_t, std::string> names;  // section index -> name
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        REQUIRE(gelf_getshdr(scn, &sh) != nullptr);
        const char* sname = elf_strptr(elf, shstrndx, sh.sh_name);
        names[elf_ndxscn(scn)] = sname ? sname : "";
    }
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        const std::string& sname = names[elf_ndxscn(scn)];
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (sh.sh_type == SHT_NOBITS) {
            fx.sections[sname] = std::vector<uint8_t>(sh.sh_size, 0);
        } else if (data && data->d_buf) {
            auto* p = static_cast<const uint8_t*>(data->d_buf);
            fx.sections[sname] = std::vector<uint8_t>(p, p + data->d_size);
        } else {
            fx.sections[sname] = {};
        }
        if (sh.sh_type == SHT_SYMTAB && data) {
            size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
            for (size_t i = 0; i < count; ++i) {
                GElf_Sym sym;
                if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
                const char* sym_name = elf_strptr(elf, sh.sh_link, sym.st_name);
                if (!sym_name || !*sym_name || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) continue;
                fx.symbols.emplace(sym_name, ElfSymbol{names[sym.st_shndx], sym.st_value, sym.st_size});
            }
        }
    }
    // Relocations need the symbol table, so collect them in a second pass.
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        if (sh.sh_type != SHT_REL) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        Elf_Scn* symtab = elf_getscn(elf, sh.sh_link);
        GElf_Shdr symsh;
        gelf_getshdr(symtab, &symsh);
        Elf_Data* symdata = elf_getdata(symtab, nullptr);
        size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
        for (size_t i = 0; i < count; ++i) {
            GElf_Rel rel;
            GElf_Sym sym;
            if (!gelf_getrel(data, static_cast<int>(i), &rel)) continue;
            if (!gelf_getsym(symdata, static_cast<int>(GELF_R_SYM(rel.r_info)), &sym)) continue;
            const char* sym_name = elf_strptr(elf, symsh.sh_link, sym.st_name);
            fx.relocs[names[sh.sh_info]].push_back(
                ElfReloc{rel.r_offset, sym_name ? sym_name : "", static_cast<uint32_t>(GELF_R_TYPE(rel.r_info))});
        }
    }
    elf_end(elf);
    return fx;
}

void put_u32(std::vector<uint8_t>& bytes, size_t offset, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.at(offset + i) = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t get_u32(const std::vector<uint8_t>& bytes, size_t offset) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{bytes.at(offset + i)} << (8 * i);
    return v;
}

uint32_t BtfBuilder::str(std::string_view s) {
    if (s.empty()) return 0;
    // Look for an existing copy (NUL-terminated) so names are shared, as clang does.
    std::string needle = std::string(s) + '\0';
    for (size_t pos = strings_.find(needle); pos != std::string::npos; pos = strings_.find(needle, pos + 1))
        if (pos == 0 || strings_[pos - 1] == '\0') return static_cast<uint32_t>(pos);
    uint32_t off = static_cast<uint32_t>(strings_.size());
    strings_ += needle;
    return off;
}

void BtfBuilder::word(uint32_t w) {
    size_t at = types_.size();
    types_.resize(at + 4);
    put_u32(types_, at, w);
}

uint32_t BtfBuilder::add_raw(uint32_t name_off, uint32_t info, uint32_t size_or_type, const std::vector<uint32_t>& extra) {
    word(name_off);
    word(info);
    word(size_or_type);
    for (uint32_t w : extra) word(w);
    return next_id_++;
}

uint32_t BtfBuilder::add_int(std::string_view name, uint32_t size, uint32_t encoding, uint32_t bits, uint32_t bit_offset) {
    return add_raw(str(name), btf_info(K_INT, 0), size, {(encoding << 24) | (bit_offset << 16) | bits});
}

uint32_t BtfBuilder::add_ref(uint32_t kind, std::string_view name, uint32_t ref) {
    return add_raw(str(name), btf_info(kind, 0), ref);
}

uint32_t BtfBuilder::add_array(uint32_t elem, uint32_t index, uint32_t nelems) {
    return add_raw(0, btf_info(K_ARRAY, 0), 0, {elem, index, nelems});
}

uint32_t BtfBuilder::add_struct(std::string_view name, uint32_t size, const std::vector<Member>& members, bool kflag,
                                uint32_t kind) {
    std::vector<uint32_t> extra;
    for (const Member& m : members) {
        extra.push_back(str(m.name));
        extra.push_back(m.type);
        extra.push_back(m.offset);
    }
    return add_raw(str(name), btf_info(kind, static_cast<uint32_t>(members.size()), kflag), size, extra);
}

uint32_t BtfBuilder::add_enum(std::string_view name, uint32_t size,
                              const std::vector<std::pair<std::string, int32_t>>& values, bool kflag) {
    std::vector<uint32_t> extra;
    for (const auto& [n, v] : values) {
        extra.push_back(str(n));
        extra.push_back(static_cast<uint32_t>(v));
    }
    return add_raw(str(name), btf_info(K_ENUM, static_cast<uint32_t>(values.size()), kflag), size, extra);
}

uint32_t BtfBuilder::add_func_proto(uint32_t ret, const std::vector<std::pair<std::string, uint32_t>>& params) {
    std::vector<uint32_t> extra;
    for (const auto& [n, t] : params) {
        extra.push_back(str(n));
        extra.push_back(t);
    }
    return add_raw(0, btf_info(K_FUNC_PROTO, static_cast<uint32_t>(params.size())), ret, extra);
}

uint32_t BtfBuilder::add_var(std::string_view name, uint32_t type, uint32_t linkage) {
    return add_raw(str(name), btf_info(K_VAR, 0), type, {linkage});
}

uint32_t BtfBuilder::add_datasec(std::string_view name, uint32_t size, const std::vector<std::array<uint32_t, 3>>& entries) {
    std::vector<uint32_t> extra;
    for (const auto& e : entries) extra.insert(extra.end(), e.begin(), e.end());
    return add_raw(str(name), btf_info(K_DATASEC, static_cast<uint32_t>(entries.size())), size, extra);
}

std::vector<uint8_t> BtfBuilder::build() const {
    // Sized once (header + types + strings), each part copied to the offset the header gives
    // it. Growing a header-sized vector with insert() instead made GCC 12 at -O3 take the
    // header's size as the bound of the copy (-Warray-bounds, offset 24).
    constexpr size_t header_len = 24;
    const size_t strings_at = header_len + types_.size();
    std::vector<uint8_t> out(strings_at + strings_.size(), 0);
    out[0] = 0x9f;  // magic 0xeB9F, little-endian
    out[1] = 0xeb;
    out[2] = 1;     // version
    put_u32(out, 4, header_len);
    put_u32(out, 8, 0);
    put_u32(out, 12, static_cast<uint32_t>(types_.size()));
    put_u32(out, 16, static_cast<uint32_t>(types_.size()));
    put_u32(out, 20, static_cast<uint32_t>(strings_.size()));
    std::copy(types_.begin(), types_.end(), out.begin() + header_len);
    std::copy(strings_.begin(), strings_.end(), out.begin() + static_cast<std::ptrdiff_t>(strings_at));
    return out;
}

std::vector<uint8_t> build_btf_ext(const ExtBlock& func, const ExtBlock& line, const ExtBlock& core) {
    std::vector<uint8_t> body;
    auto append_word = [&](uint32_t w) {
        size_t at = body.size();
        body.resize(at + 4);
        put_u32(body, at, w);
    };
    uint32_t offs[3] = {}, lens[3] = {};
    const ExtBlock* blocks[3] = {&func, &line, &core};
    for (int b = 0; b < 3; ++b) {
        if (!blocks[b]->present) continue;
        offs[b] = static_cast<uint32_t>(body.size());
        append_word(blocks[b]->rec_size);
        for (const auto& s : blocks[b]->secs) {
            append_word(s.name_off);
            append_word(s.num_info);
            for (uint32_t w : s.words) append_word(w);
        }
        lens[b] = static_cast<uint32_t>(body.size()) - offs[b];
    }
    // Sized once, header + body, like BtfBuilder::build.
    constexpr size_t header_len = 32;
    std::vector<uint8_t> out(header_len + body.size(), 0);
    out[0] = 0x9f;
    out[1] = 0xeb;
    out[2] = 1;
    put_u32(out, 4, header_len);
    for (int b = 0; b < 3; ++b) {
        put_u32(out, 8 + 8 * b, offs[b]);
        put_u32(out, 12 + 8 * b, lens[b]);
    }
    std::copy(body.begin(), body.end(), out.begin() + header_len);
    return out;
}

}  // namespace bpfplay::test
