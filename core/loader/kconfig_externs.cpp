// `extern ... __kconfig` variables, as libbpf handles them: at open, every such extern gets a
// place in one internal map, ".kconfig" (bpf_object__collect_externs: sorted by alignment,
// then size, then name, each at the next offset its alignment allows); at load, libbpf fills
// the map from the running kernel's config (bpf_object__resolve_externs): LINUX_KERNEL_VERSION,
// LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER it computes itself, CONFIG_* come from
// /proc/config.gz -- here both come from the host's kconfig (Host::kconfig, the host JSON's
// "kconfig"). A weak extern without a value reads 0, a strong one fails the load. The map is
// read-only for programs and frozen, like .rodata; programs reach an extern with
// `lddw rX, map_value(.kconfig) + offset`.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/host/host.hpp"
#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

constexpr const char* kKconfigSection = ".kconfig";

Error kcfg_error(std::string what, std::string hint = {}) {
    return load_error(kKconfigSection, std::move(what), std::move(hint));
}

// libbpf's find_kcfg_type: what kind of value a __kconfig extern's type can hold.
std::optional<KconfigKind> kcfg_kind(const Btf& btf, uint32_t type, bool* is_signed) {
    const uint32_t id = btf.skip_modifiers(type);
    const BtfType* t = btf.type(id);
    if (is_signed) *is_signed = false;
    if (!t) return std::nullopt;
    switch (t->kind) {
    case BtfKind::Int: {
        if (t->int_info.encoding & kBtfIntBool) return t->size == 1 ? std::optional(KconfigKind::Bool) : std::nullopt;
        if (is_signed) *is_signed = t->int_info.encoding & kBtfIntSigned;
        if (t->size == 1) return KconfigKind::Char;
        if (t->size < 1 || t->size > 8 || (t->size & (t->size - 1))) return std::nullopt;
        return KconfigKind::Int;
    }
    case BtfKind::Enum:
    case BtfKind::Enum64:
        if (t->kind == BtfKind::Enum && t->size != 4) return std::nullopt;
        if (btf.name(id) != "libbpf_tristate") return std::nullopt;
        return KconfigKind::Tristate;
    case BtfKind::Array:
        if (t->array.nelems == 0) return std::nullopt;
        if (kcfg_kind(btf, t->array.elem_type, nullptr) != KconfigKind::Char) return std::nullopt;
        return KconfigKind::CharArray;
    case BtfKind::Void: case BtfKind::Ptr: case BtfKind::Struct: case BtfKind::Union: case BtfKind::Fwd:
    case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict:
    case BtfKind::Func: case BtfKind::FuncProto: case BtfKind::Var: case BtfKind::Datasec:
    case BtfKind::Float: case BtfKind::DeclTag: case BtfKind::TypeTag: break;
    }
    return std::nullopt;
}

// btf__align_of for the types kcfg_kind accepts: integers and enums align to their size (at
// most 8), char arrays to 1.
uint32_t kcfg_align(KconfigKind kind, uint32_t size) {
    if (kind == KconfigKind::CharArray) return 1;
    return std::min<uint32_t>(size, 8);
}

// The DATASEC holding each VAR (libbpf's find_extern_sec_btf_id).
std::optional<uint32_t> datasec_of(const Btf& btf, uint32_t var) {
    for (uint32_t id = 1; id < btf.type_count(); ++id) {
        if (btf.kind(id) != BtfKind::Datasec) continue;
        for (const BtfVarSecinfo& e : btf.datasec_entries(id))
            if (e.type == var) return id;
    }
    return std::nullopt;
}

// The extern VAR (or FUNC) called `name` (libbpf's find_extern_btf_id).
std::optional<uint32_t> extern_btf_id(const Btf& btf, std::string_view name) {
    for (uint32_t id = 1; id < btf.type_count(); ++id) {
        const BtfType* t = btf.type(id);
        if ((t->kind != BtfKind::Var && t->kind != BtfKind::Func) || btf.name(id) != name) continue;
        const uint32_t linkage = t->kind == BtfKind::Var ? t->linkage : t->vlen;
        if (linkage == kBtfLinkageExtern) return id;
    }
    return std::nullopt;
}

// --- values (libbpf's set_kcfg_value_tri / _str / _num) ---------------------------------------

class KconfigFiller {
public:
    explicit KconfigFiller(std::vector<uint8_t>& data) : data_(data) {}

    Result<Unit> tri(KconfigExtern& ext, char value) {
        uint8_t* p = data_.data() + ext.offset;
        switch (ext.kind) {
        case KconfigKind::Bool:
            if (value == 'm')
                return kcfg_error("extern (kcfg) '" + ext.name + "': value '" + value + "' implies tristate or char type");
            *p = value == 'y';
            break;
        case KconfigKind::Tristate: {
            const uint32_t tri = value == 'y' ? 1 : value == 'm' ? 2 : 0;  // TRI_YES, TRI_MODULE, TRI_NO
            for (int i = 0; i < 4; ++i) p[i] = uint8_t(tri >> (8 * i));
            break;
        }
        case KconfigKind::Char: *p = uint8_t(value); break;
        case KconfigKind::Int:
        case KconfigKind::CharArray:
            return kcfg_error("extern (kcfg) '" + ext.name + "': value '" + value + "' implies bool, tristate, or char type");
        }
        ext.is_set = true;
        return Unit{};
    }

    Result<Unit> str(KconfigExtern& ext, const std::string& value, std::vector<std::string>& notes) {
        if (ext.kind != KconfigKind::CharArray)
            return kcfg_error("extern (kcfg) '" + ext.name + "': value '" + value + "' implies char array type");
        if (value.size() < 2 || value.back() != '"')
            return kcfg_error("extern (kcfg) '" + ext.name + "': invalid string config '" + value + "'");
        size_t len = value.size() - 2;
        if (len >= ext.size) {
            notes.push_back("extern (kcfg) '" + ext.name + "': long string '" + value + "' of (" + std::to_string(len) +
                            " bytes) truncated to " + std::to_string(ext.size - 1) + " bytes");
            len = ext.size - 1;
        }
        std::memcpy(data_.data() + ext.offset, value.data() + 1, len);
        data_[ext.offset + len] = 0;
        ext.is_set = true;
        return Unit{};
    }

    Result<Unit> num(KconfigExtern& ext, uint64_t value) {
        const std::string v = std::to_string(value);
        if (ext.kind != KconfigKind::Int && ext.kind != KconfigKind::Char && ext.kind != KconfigKind::Bool)
            return kcfg_error("extern (kcfg) '" + ext.name + "': value '" + v + "' implies integer, char, or boolean type");
        if (ext.kind == KconfigKind::Bool && value > 1)
            return kcfg_error("extern (kcfg) '" + ext.name + "': value '" + v + "' isn't boolean compatible");
        if (!in_range(ext, value))
            return kcfg_error("-ERANGE: extern (kcfg) '" + ext.name + "': value '" + v + "' doesn't fit in " +
                              std::to_string(ext.size) + " bytes");
        for (uint32_t i = 0; i < ext.size; ++i) data_[ext.offset + i] = uint8_t(value >> (8 * i));
        ext.is_set = true;
        return Unit{};
    }

private:
    // libbpf's is_kcfg_value_in_range: no information lost in ext.size bytes (a signed type
    // takes what strtoull made of a negative number).
    static bool in_range(const KconfigExtern& ext, uint64_t v) {
        if (ext.size == 8) return true;
        const uint32_t bits = ext.size * 8;
        if (ext.is_signed) return v + (1ull << (bits - 1)) < (1ull << bits);
        return (v >> bits) == 0;
    }

    std::vector<uint8_t>& data_;
};

// libbpf's parse_u64: strtoull in any base (0x.., 0..), all of the text.
std::optional<uint64_t> parse_u64(const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
    if (errno || *end) return std::nullopt;
    return uint64_t(v);
}

KconfigExtern* find_extern(std::vector<KconfigExtern>& externs, std::string_view name) {
    for (KconfigExtern& e : externs)
        if (e.name == name) return &e;
    return nullptr;
}

std::string entry_text(const std::string& name, const std::string& value) {
    return " (the host's kconfig has " + name + "=" + value + ")";
}

// libbpf's bpf_object__process_kconfig_line for one entry of the host's kconfig.
Result<Unit> apply_entry(ObjectState& st, KconfigFiller& fill, const std::string& name, const std::string& value) {
    if (!name.starts_with("CONFIG_")) return Unit{};
    KconfigExtern* ext = find_extern(st.kconfig_externs, name);
    if (!ext || ext->is_set) return Unit{};
    if (value.empty()) return kcfg_error("failed to parse '" + name + "': no value", "Give it a value in the host JSON's \"kconfig\".");
    Result<Unit> set = Unit{};
    switch (value[0]) {
    case 'y':
    case 'n':
    case 'm': set = fill.tri(*ext, value[0]); break;
    case '"': set = fill.str(*ext, value, st.notes); break;
    default: {
        const auto n = parse_u64(value);
        if (!n) return kcfg_error("extern (kcfg) '" + name + "': value '" + value + "' isn't a valid integer" + entry_text(name, value));
        if (ext->kind != KconfigKind::Int && ext->kind != KconfigKind::Char)
            return kcfg_error("extern (kcfg) '" + name + "': value '" + value + "' implies integer type" +
                              entry_text(name, value));
        set = fill.num(*ext, *n);
    }
    }
    if (!set) {
        Error e = set.error();
        e.what += entry_text(name, value);
        return e;
    }
    return Unit{};
}

// The LINUX_* externs libbpf computes itself; here they are entries of the host's kconfig too.
Result<Unit> resolve_virtual(KconfigFiller& fill, KconfigExtern& ext, const std::map<std::string, std::string>& kconfig) {
    auto entry = [&](const char* name) -> std::string {
        auto it = kconfig.find(name);
        return it == kconfig.end() ? std::string() : it->second;
    };
    uint64_t value = 0;
    if (ext.name == "LINUX_KERNEL_VERSION") {
        const auto v = parse_u64(entry("LINUX_KERNEL_VERSION"));
        if (!v || *v == 0)
            return kcfg_error("extern (kcfg) '" + ext.name + "': failed to get kernel version",
                              "Set LINUX_KERNEL_VERSION in the host JSON's \"kconfig\" to KERNEL_VERSION(a, b, c) = "
                              "(a << 16) + (b << 8) + c, e.g. \"397824\" for 6.18.0.");
        value = *v;
    } else if (ext.name == "LINUX_HAS_BPF_COOKIE" || ext.name == "LINUX_HAS_SYSCALL_WRAPPER") {
        value = entry(ext.name.c_str()) == "y";  // kernel_supports(): a feature probe's yes or no
    } else if (!ext.name.starts_with("LINUX_") || !ext.weak) {
        return kcfg_error("extern (kcfg) '" + ext.name + "': unrecognized virtual extern",
                          "__kconfig externs are CONFIG_* options or libbpf's LINUX_KERNEL_VERSION, "
                          "LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER.");
    }
    return fill.num(ext, value);
}

}  // namespace

Result<Unit> collect_kconfig_externs(ObjectState& st, Btf& btf) {
    for (const ElfSymbol& sym : st.elf.symbols()) {
        if (!sym.is_extern() || sym.name.empty()) continue;
        const auto id = extern_btf_id(btf, sym.name);
        if (!id) continue;  // ksyms and kfuncs without BTF: relocations.cpp says why
        const auto sec = datasec_of(btf, *id);
        if (!sec || btf.name(*sec) != kKconfigSection) continue;
        const BtfType* t = btf.type(*id);
        if (t->kind == BtfKind::Func)
            return kcfg_error("-ENOTSUP: extern function " + sym.name + " is unsupported under .kconfig section");
        KconfigExtern ext;
        ext.name = sym.name;
        ext.symbol = sym.index;
        ext.weak = sym.bind == elfc::kStbWeak;
        const auto size = btf.resolve_size(t->ref);
        if (!size || *size == 0) return kcfg_error("failed to resolve size of extern (kcfg) '" + sym.name + "'");
        ext.size = *size;
        const auto kind = kcfg_kind(btf, t->ref, &ext.is_signed);
        if (!kind)
            return kcfg_error("-ENOTSUP: extern (kcfg) '" + sym.name + "': type is unsupported",
                              "A __kconfig extern is an integer of 1, 2, 4 or 8 bytes, bool, char, a char array, "
                              "or enum libbpf_tristate.");
        ext.kind = *kind;
        ext.align = kcfg_align(*kind, ext.size);
        st.kconfig_externs.push_back(std::move(ext));
    }
    if (st.kconfig_externs.empty()) return Unit{};

    // libbpf's cmp_externs: alignment down, size up, then name.
    std::sort(st.kconfig_externs.begin(), st.kconfig_externs.end(), [](const KconfigExtern& a, const KconfigExtern& b) {
        if (a.align != b.align) return a.align > b.align;
        if (a.size != b.size) return a.size < b.size;
        return a.name < b.name;
    });
    uint32_t off = 0;
    for (KconfigExtern& e : st.kconfig_externs) {
        e.offset = (off + e.align - 1) / e.align * e.align;
        off = e.offset + e.size;
    }
    auto offset_of = [&st](std::string_view name) -> std::optional<uint32_t> {
        if (const KconfigExtern* e = find_extern(st.kconfig_externs, name)) return e->offset;
        return std::nullopt;
    };
    if (auto ok = btf.fix_datasec_layout(kKconfigSection, off, offset_of, /*externs_too=*/true); !ok)
        return kcfg_error(ok.error().what);
    return Unit{};
}

Result<Unit> create_kconfig_map(ObjectState& st) {
    if (st.kconfig_externs.empty()) return Unit{};
    const KconfigExtern& last = *std::max_element(
        st.kconfig_externs.begin(), st.kconfig_externs.end(),
        [](const KconfigExtern& a, const KconfigExtern& b) { return a.offset + a.size < b.offset + b.size; });
    st.kconfig_data.assign(last.offset + last.size, 0);

    const std::map<std::string, std::string> defaults = st.options.kconfig ? std::map<std::string, std::string>{}
                                                                            : default_kconfig();
    const std::map<std::string, std::string>& kconfig = st.options.kconfig ? *st.options.kconfig : defaults;
    KconfigFiller fill(st.kconfig_data);
    for (KconfigExtern& ext : st.kconfig_externs)
        if (!ext.name.starts_with("CONFIG_")) BPFPLAY_LOADER_TRY(resolve_virtual(fill, ext, kconfig));
    for (const auto& [name, value] : kconfig) BPFPLAY_LOADER_TRY(apply_entry(st, fill, name, value));
    for (const KconfigExtern& ext : st.kconfig_externs) {
        if (ext.is_set) continue;
        if (!ext.weak)
            return kcfg_error("-ESRCH: extern '" + ext.name + "' (strong): not resolved",
                              "The host's kconfig has no " + ext.name +
                                  ": add it in the host JSON's \"kconfig\", or declare the extern __weak to read 0 "
                                  "when the option is missing.");
        st.notes.push_back("extern '" + ext.name + "' (weak): not resolved, defaulting to zero");
    }

    MapDef def;
    def.origin = MapOrigin::GlobalData;
    def.real_name = kKconfigSection;
    for (const ElfSection& sec : st.elf.sections())
        if (sec.index != 0 && st.roles[sec.index] == SectionRole::Symbols) def.section = sec.index;
    def.sec_size = st.kconfig_data.size();
    def.spec.type = MapType::Array;
    def.spec.name = internal_map_name(st.object_name, kKconfigSection);
    def.spec.key_size = 4;
    def.spec.value_size = uint32_t(st.kconfig_data.size());
    def.spec.max_entries = 1;
    def.spec.ncpus = st.options.ncpus;
    // Read-only for programs, frozen for user space, mmapable (its externs are global).
    def.spec.map_flags = map_flag::kRdonlyProg | map_flag::kMmapable;
    def.freeze = true;
    def.initial = st.kconfig_data;
    if (st.shared_btf)
        if (auto id = st.shared_btf->find_by_name(kKconfigSection, BtfKind::Datasec)) def.spec.btf_value_type_id = *id;
    st.kconfig_map = uint32_t(st.maps.size());
    st.maps.push_back(std::move(def));
    return Unit{};
}

}  // namespace bpfplay::loader
