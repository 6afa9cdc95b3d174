// .BTF and .BTF.ext: parsed with the btf library, then the DATASEC layout clang leaves out
// (section sizes and variable offsets are 0 in a .o) is filled in from the ELF section sizes
// and the symbol table, as libbpf's btf_fixup_datasec() does. Map definitions, global data
// maps and CO-RE relocations all read the fixed-up BTF.
#include <unordered_map>
#include <unordered_set>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

Error with_section_prefix(Error e) {
    if (!e.where.section.empty() && !e.what.starts_with("section \""))
        e.what = "section \"" + e.where.section + "\": " + e.what;
    return e;
}

// libbpf's find_elf_var_sym: a global or weak data symbol with this name (the first one).
using VariableSymbols = std::unordered_map<std::string_view, const ElfSymbol*>;
VariableSymbols variable_symbols(const ElfFile& elf) {
    VariableSymbols out;
    for (const ElfSymbol& sym : elf.symbols()) {
        if (sym.type != elfc::kSttObject) continue;
        if (sym.bind != elfc::kStbGlobal && sym.bind != elfc::kStbWeak) continue;
        out.emplace(sym.name, &sym);
    }
    return out;
}

const ElfSymbol* find(const VariableSymbols& vars, std::string_view name) {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second;
}

Result<Unit> fix_datasec(ObjectState& st, const VariableSymbols& vars, uint32_t type_id) {
    Btf& btf = *st.btf;
    const std::string name(btf.name(type_id));
    // Extern-backing sections get their layout from the externs: .kconfig's from
    // collect_kconfig_externs, .ksyms has no data.
    if (name == ".kconfig" || name == ".ksyms") return Unit{};
    if (btf.type(type_id)->size != 0) return Unit{};  // already laid out (a linked object)

    const ElfSection* elf_sec = st.elf.find_section(name);
    if (!elf_sec || elf_sec->size == 0)
        return load_error(".BTF", "BTF describes a section \"" + name + "\" (DATASEC [" + std::to_string(type_id) +
                                      "]), but the object has no such section, or it is empty");
    if (elf_sec->size > UINT32_MAX)
        return load_error(name, "the section is " + std::to_string(elf_sec->size) + " bytes; BTF sizes are 32-bit");
    for (const BtfVarSecinfo& entry : btf.datasec_entries(type_id)) {
        const BtfType* var = btf.type(entry.type);
        if (!var || var->kind != BtfKind::Var) continue;  // extern functions
        if (var->linkage == kBtfLinkageStatic || var->linkage == kBtfLinkageExtern) continue;
        const std::string_view var_name = btf.name(entry.type);
        const ElfSymbol* sym = find(vars, var_name);
        if (!sym)
            return load_error(".BTF", "BTF lists the variable \"" + std::string(var_name) + "\" in section \"" + name +
                                          "\", but the symbol table has no global variable of that name");
        if (sym->value > UINT32_MAX)
            return load_error(name, "variable \"" + sym->name + "\" is at offset " + hex(sym->value) +
                                        ", past what BTF can describe");
    }
    auto offset_of = [&](std::string_view var) -> std::optional<uint32_t> {
        const ElfSymbol* sym = find(vars, var);
        if (!sym) return std::nullopt;
        return uint32_t(sym->value);
    };
    if (auto ok = btf.fix_datasec_layout(name, uint32_t(elf_sec->size), offset_of); !ok)
        return with_section_prefix(ok.error());
    return Unit{};
}

}  // namespace

Result<Unit> setup_btf(ObjectState& st) {
    if (st.btf_section == 0) {
        if (st.btf_ext_section != 0) st.notes.push_back(".BTF.ext ignored: the object has no .BTF");
        if (st.btf_maps_section != 0)
            return load_error(".maps", "map definitions in .maps are described by BTF, but the object has no .BTF section",
                              "Compile with -g: clang -O2 -g -target bpf -c prog.c");
        return Unit{};
    }
    auto parsed = parse_btf(st.section(st.btf_section).data);
    if (!parsed) return with_section_prefix(parsed.error());
    st.btf = std::make_unique<Btf>(std::move(parsed).value());
    BPFPLAY_LOADER_TRY(collect_kconfig_externs(st, *st.btf));
    const VariableSymbols vars = variable_symbols(st.elf);
    std::unordered_set<std::string> seen;  // fix_datasec_layout finds a DATASEC by name: the first wins
    for (uint32_t id = 1; id < st.btf->type_count(); ++id)
        if (st.btf->kind(id) == BtfKind::Datasec && seen.insert(std::string(st.btf->name(id))).second)
            BPFPLAY_LOADER_TRY(fix_datasec(st, vars, id));
    st.shared_btf = std::shared_ptr<const Btf>(std::move(st.btf));

    if (st.btf_ext_section != 0) {
        auto ext = parse_btf_ext(st.section(st.btf_ext_section).data, *st.shared_btf);
        if (!ext) return with_section_prefix(ext.error());
        st.btf_ext = std::make_shared<const BtfExt>(std::move(ext).value());
    }
    return Unit{};
}

}  // namespace bpfplay::loader
