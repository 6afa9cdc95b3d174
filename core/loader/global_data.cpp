// Global variables: libbpf turns each .data*, .rodata* and .bss* section into an internal
// ARRAY map with one entry whose value is the whole section (bpf_object__init_internal_map).
// Programs reach the variables with `lddw rX, map_value + offset` (BPF_PSEUDO_MAP_VALUE).
#include <cctype>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

constexpr size_t kObjNameLen = 16;  // BPF_OBJ_NAME_LEN, NUL included

// libbpf's map_is_mmapable: some variable of the section is visible to user space (global and
// not hidden), so the skeleton can mmap it.
bool has_visible_variable(const ObjectState& st, uint32_t datasec_id) {
    const Btf& btf = *st.shared_btf;
    for (const BtfVarSecinfo& entry : btf.datasec_entries(datasec_id)) {
        const BtfType* var = btf.type(entry.type);
        if (!var || var->kind != BtfKind::Var || var->linkage == kBtfLinkageStatic) continue;
        if (var->linkage == kBtfLinkageExtern) return true;
        const std::string_view name = btf.name(entry.type);
        bool hidden = false;
        for (const ElfSymbol& sym : st.elf.symbols()) {
            if (sym.type != elfc::kSttObject || sym.name != name) continue;
            if (sym.bind != elfc::kStbGlobal && sym.bind != elfc::kStbWeak) continue;
            hidden = sym.visibility == elfc::kStvHidden || sym.visibility == elfc::kStvInternal;
            break;
        }
        if (!hidden) return true;
    }
    return false;
}

}  // namespace

std::string object_name_from(std::string_view path) {
    if (const size_t slash = path.find_last_of('/'); slash != std::string_view::npos) path.remove_prefix(slash + 1);
    if (path.size() > kObjNameLen - 1) path = path.substr(0, kObjNameLen - 1);
    if (const size_t dot = path.find('.'); dot != std::string_view::npos) path = path.substr(0, dot);
    return std::string(path);
}

std::string internal_map_name(std::string_view object_name, std::string_view section_name) {
    // Room for the section name: at least 7 characters (".rodata"), at most 15.
    size_t suffix = section_name.size() > 7 ? section_name.size() : 7;
    if (suffix > kObjNameLen - 1) suffix = kObjNameLen - 1;
    // ".data.custom", ".rodata.str1.1": a second dot means a custom section, named as is.
    size_t prefix = 0;
    if (section_name.size() <= 1 || section_name.substr(1).find('.') == std::string_view::npos) {
        prefix = kObjNameLen - suffix - 1;
        if (prefix > object_name.size()) prefix = object_name.size();
    }
    std::string name(object_name.substr(0, prefix));
    name += section_name.substr(0, suffix);
    // The kernel accepts only these characters in a map name.
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') c = '_';
    return name;
}

Result<Unit> collect_global_data_maps(ObjectState& st) {
    for (const ElfSection& sec : st.elf.sections()) {
        if (sec.index == 0) continue;
        const SectionRole role = st.roles[sec.index];
        if (role != SectionRole::Data && role != SectionRole::Rodata && role != SectionRole::Bss) continue;
        if (sec.size > UINT32_MAX)
            return load_error(sec.name, "the section is " + std::to_string(sec.size) +
                                            " bytes; a global data map's value size is a 32-bit number");
        MapDef def;
        def.origin = MapOrigin::GlobalData;
        def.section = sec.index;
        def.sec_offset = 0;
        def.sec_size = sec.size;
        def.spec.type = MapType::Array;
        def.spec.name = internal_map_name(st.object_name, sec.name);
        def.spec.key_size = 4;
        def.spec.value_size = uint32_t(sec.size);
        def.spec.max_entries = 1;
        def.spec.ncpus = st.options.ncpus;
        if (role == SectionRole::Rodata) {
            def.spec.map_flags = map_flag::kRdonlyProg;  // programs may only read constants
            def.freeze = true;                           // and user space may not change them after load
        }
        if (role != SectionRole::Bss) def.initial = sec.data;
        // The value type is the DATASEC, for printing; .rodata.str1.1 and friends have none.
        if (st.shared_btf) {
            if (auto id = st.shared_btf->find_by_name(sec.name, BtfKind::Datasec)) {
                def.spec.btf_value_type_id = *id;
                find_value_fields(*st.shared_btf, def.spec);  // a global struct bpf_spin_lock
                if (has_visible_variable(st, *id)) def.spec.map_flags |= map_flag::kMmapable;
            }
        }
        st.maps.push_back(std::move(def));
    }
    return Unit{};
}

}  // namespace bpfplay::loader
