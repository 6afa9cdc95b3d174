// Map definitions: BTF-defined maps in SEC(".maps") (libbpf's bpf_object__init_user_btf_maps,
// decoded by the btf library's parse_btf_map_defs), and legacy `struct bpf_map_def` maps in
// SEC("maps"), which libbpf 1.0 dropped but older loaders read one symbol at a time.
#include <algorithm>
#include <bit>
#include <cstring>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

constexpr uint32_t kPageSize = 4096;
constexpr uint64_t kLegacyDefSize = 20;  // struct bpf_map_def: five u32

// libbpf's adjust_ringbuf_sz: the kernel wants a power-of-2 multiple of the page size.
uint32_t adjust_ringbuf_size(uint32_t size) {
    if (size == 0) return 0;
    if (size % kPageSize == 0 && std::has_single_bit(size / kPageSize)) return size;
    for (uint64_t pages = 1; pages * kPageSize <= UINT32_MAX; pages <<= 1)
        if (pages * kPageSize > size) return uint32_t(pages * kPageSize);
    return size;
}

MapSpec spec_from_attrs(const BtfMapAttrs& a, std::string name, uint32_t ncpus) {
    MapSpec spec;
    spec.type = static_cast<MapType>(a.type);
    spec.name = std::move(name);
    spec.key_size = a.key_size;
    spec.value_size = a.value_size;
    spec.max_entries = a.max_entries;
    spec.map_flags = a.map_flags;
    spec.map_extra = a.map_extra;
    spec.btf_key_type_id = a.key_type_id;
    spec.btf_value_type_id = a.value_type_id;
    spec.ncpus = ncpus;
    if (spec.type == MapType::Ringbuf || spec.type == MapType::UserRingbuf)
        spec.max_entries = adjust_ringbuf_size(spec.max_entries);
    // libbpf sizes a perf event array without max_entries to the number of CPUs.
    if (spec.type == MapType::PerfEventArray && spec.max_entries == 0) spec.max_entries = ncpus;
    return spec;
}

uint32_t read_u32(std::span<const uint8_t> bytes, uint64_t off) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + off, 4);
    return v;
}

}  // namespace

Result<Unit> collect_legacy_maps(ObjectState& st) {
    if (st.legacy_maps_section == 0) return Unit{};
    const ElfSection& sec = st.section(st.legacy_maps_section);
    std::vector<const ElfSymbol*> syms;
    for (const ElfSymbol& sym : st.elf.symbols())
        if (sym.shndx == sec.index && sym.type != elfc::kSttSection && sym.type != elfc::kSttFile) syms.push_back(&sym);
    std::sort(syms.begin(), syms.end(), [](const ElfSymbol* a, const ElfSymbol* b) { return a->value < b->value; });
    st.notes.push_back("section \"maps\" holds legacy struct bpf_map_def maps: libbpf 1.0 refuses them; bpfplay reads "
                       "them as older libbpf did (prefer BTF maps in SEC(\".maps\"))");
    for (const ElfSymbol* sym : syms) {
        if (sym->name.empty())
            return load_error(sec.name, "map symbol " + std::to_string(sym->index) + " has no name");
        if (sym->size < kLegacyDefSize) {
            Error e = load_error(sec.name, "map \"" + sym->name + "\" is " + std::to_string(sym->size) +
                                               " bytes, but struct bpf_map_def {type, key_size, value_size, "
                                               "max_entries, map_flags} needs 20");
            e.where.map = sym->name;
            return e;
        }
        if (sym->value > sec.size || sym->size > sec.size - sym->value) {
            Error e = load_error(sec.name, "map \"" + sym->name + "\" (offset " + std::to_string(sym->value) + ", " +
                                               std::to_string(sym->size) + " bytes) runs past the end of the " +
                                               std::to_string(sec.size) + "-byte section");
            e.where.map = sym->name;
            return e;
        }
        // Older libbpf accepted a larger struct only when the extra fields were zero.
        for (uint64_t off = sym->value + kLegacyDefSize; off < sym->value + sym->size; ++off)
            if (sec.data[off] != 0) {
                Error e = load_error(sec.name, "map \"" + sym->name + "\" has non-zero bytes after the 20 bytes of "
                                                   "struct bpf_map_def (at offset " + hex(off) +
                                                   "): fields bpfplay does not know");
                e.where.map = sym->name;
                return e;
            }
        BtfMapAttrs a;
        a.type = read_u32(sec.data, sym->value);
        a.key_size = read_u32(sec.data, sym->value + 4);
        a.value_size = read_u32(sec.data, sym->value + 8);
        a.max_entries = read_u32(sec.data, sym->value + 12);
        a.map_flags = read_u32(sec.data, sym->value + 16);
        MapDef def;
        def.spec = spec_from_attrs(a, sym->name, st.options.ncpus);
        def.origin = MapOrigin::Legacy;
        def.section = sec.index;
        def.sec_offset = sym->value;
        def.sec_size = sym->size;
        st.maps.push_back(std::move(def));
    }
    return Unit{};
}

Result<Unit> collect_btf_maps(ObjectState& st) {
    if (st.btf_maps_section == 0) return Unit{};
    const ElfSection& sec = st.section(st.btf_maps_section);
    const Btf& btf = *st.shared_btf;  // setup_btf refused .maps without .BTF
    if (!btf.find_by_name(".maps", BtfKind::Datasec))
        return load_error(sec.name, "BTF has no DATASEC \".maps\" describing the map definitions");
    auto defs = parse_btf_map_defs(btf);
    if (!defs) {
        Error e = defs.error();
        e.where.section = sec.name;
        if (!e.what.starts_with("section \"")) e.what = "section \".maps\": " + e.what;
        return e;
    }
    for (const BtfMapDef& d : defs.value()) {
        const std::string name(d.name);
        if (uint64_t(d.section_offset) + d.section_size > sec.size) {
            Error e = load_error(sec.name, "the BTF of map \"" + name + "\" places it at offset " +
                                               std::to_string(d.section_offset) + " (" + std::to_string(d.section_size) +
                                               " bytes), past the end of the " + std::to_string(sec.size) +
                                               "-byte section: BTF and ELF disagree");
            e.where.map = name;
            return e;
        }
        MapDef def;
        def.spec = spec_from_attrs(d, name, st.options.ncpus);
        find_value_fields(btf, def.spec);
        if (d.inner) def.spec.inner = std::make_shared<const MapSpec>(spec_from_attrs(*d.inner, name + ".inner", st.options.ncpus));
        def.origin = MapOrigin::BtfDefined;
        def.section = sec.index;
        def.sec_offset = d.section_offset;
        def.sec_size = d.section_size;
        def.values = d.values;
        def.values_offset = d.values_offset;
        st.maps.push_back(std::move(def));
    }
    return Unit{};
}

}  // namespace bpfplay::loader
