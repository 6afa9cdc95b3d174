// `values` initializers of BTF maps (libbpf's bpf_object__collect_map_relos):
//
//   struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); ... __array(values, int (void *)); }
//       jmp_table SEC(".maps") = { .values = { [6] = (void *)&handle_tcp } };
//
// clang leaves the slots zero and emits one R_BPF_64_ABS64 relocation per filled slot in
// .rel.maps, against the map (map of maps) or the program (prog array) it points at.
#include <algorithm>
#include <unordered_map>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

class ValuesRecorder {
public:
    explicit ValuesRecorder(ObjectState& st) : st_(st), sec_(st.section(st.btf_maps_section)) {
        for (uint32_t id = 0; id < st.maps.size(); ++id) {
            maps_by_name_.emplace(st.maps[id].spec.name, id);  // the first map of a name wins, as in libbpf
            if (st.maps[id].origin == MapOrigin::BtfDefined) btf_maps_.push_back(id);
        }
        std::sort(btf_maps_.begin(), btf_maps_.end(),
                  [&](uint32_t a, uint32_t b) { return st.maps[a].sec_offset < st.maps[b].sec_offset; });
        for (uint32_t i = 0; i < st.entry_points.size(); ++i)
            programs_by_name_.emplace(st.functions[st.entry_points[i]].name, i);
    }

    Result<Unit> record(const ElfRelocation& r) {
        const ElfSymbol& sym = st_.elf.symbols()[r.symbol];
        const std::string name = sym.name.empty() ? "#" + std::to_string(sym.index) : sym.name;
        where_ = "relocation at byte " + hex(r.offset) + " against \"" + name + "\"";
        map_.clear();
        if (r.type != elfc::kRBpf64Abs64)
            return fail("a `values` slot needs an R_BPF_64_ABS64 relocation, but this one has type " +
                        std::string(elfc::relocation_type_name(r.type)) + " (" + std::to_string(r.type) + ")");
        MapDef* map = map_covering(r.offset);
        if (!map) return fail("no map definition covers this offset");
        where_ = "map \"" + map->spec.name + "\": " + where_;
        map_ = map->spec.name;
        if (map->values == BtfMapValues::None)
            return fail("the map has no `values` member to initialize");
        const uint64_t in_def = r.offset - map->sec_offset;
        if (in_def < map->values_offset || (in_def - map->values_offset) % 8 != 0)
            return fail("the offset is not on a slot of the `values` array");
        const uint64_t slot = (in_def - map->values_offset) / 8;
        if (slot >= map->spec.max_entries)
            return fail("slot " + std::to_string(slot) + " is past max_entries " + std::to_string(map->spec.max_entries));

        MapInitSlot init;
        init.slot = uint32_t(slot);
        init.target = name;
        if (map->values == BtfMapValues::Maps) {
            if (sym.shndx != st_.btf_maps_section) return fail("\"" + name + "\" is not a map defined in .maps");
            if (map->spec.type == MapType::HashOfMaps && map->spec.key_size != 4)
                return fail("a hash of maps filled with `values` needs 4-byte keys, not " +
                            std::to_string(map->spec.key_size));
            auto target = maps_by_name_.find(name);
            if (target == maps_by_name_.end()) return fail("\"" + name + "\" is not a valid map reference");
            init.target_id = target->second;
        } else {
            auto prog = programs_by_name_.find(name);
            if (prog == programs_by_name_.end()) return fail("\"" + name + "\" is not a program of this object");
            const Function& fn = st_.functions[st_.entry_points[prog->second]];
            if (fn.section != sym.shndx || uint64_t(fn.sec_insn_off) * 8 != sym.value)
                return fail("\"" + name + "\" is not an entry-point program");
            init.target_id = prog->second;
        }
        if (map->init_slots.size() <= slot) map->init_slots.resize(slot + 1);
        map->init_slots[slot] = std::move(init);
        return Unit{};
    }

private:
    // The BTF map whose definition holds the 8 bytes at `offset` (definitions do not overlap).
    MapDef* map_covering(uint64_t offset) {
        auto it = std::upper_bound(btf_maps_.begin(), btf_maps_.end(), offset,
                                   [&](uint64_t off, uint32_t id) { return off < st_.maps[id].sec_offset; });
        if (it == btf_maps_.begin()) return nullptr;
        MapDef& m = st_.maps[*(it - 1)];
        if (offset - m.sec_offset + 8 > m.sec_size) return nullptr;
        return &m;
    }
    Error fail(std::string what) const {
        Error e = load_error(sec_.name, where_ + ": " + what);
        e.where.map = map_;
        return e;
    }

    ObjectState& st_;
    const ElfSection& sec_;
    std::unordered_map<std::string, uint32_t> maps_by_name_;
    std::unordered_map<std::string, uint32_t> programs_by_name_;  // -> index in entry_points
    std::vector<uint32_t> btf_maps_;                               // ids, by section offset
    std::string where_;
    std::string map_;  // the map the current relocation initializes, once known
};

}  // namespace

Result<Unit> collect_map_value_relocations(ObjectState& st) {
    if (st.btf_maps_section == 0) return Unit{};
    ValuesRecorder recorder(st);
    for (const ElfSection& rel_sec : st.elf.sections()) {
        if (rel_sec.index == 0 || st.roles[rel_sec.index] != SectionRole::Relocations) continue;
        if (rel_sec.info != st.btf_maps_section) continue;
        auto rels = st.elf.relocations(rel_sec);
        if (!rels) return rels.error();
        for (const ElfRelocation& r : *rels) BPFPLAY_LOADER_TRY(recorder.record(r));
    }
    return Unit{};
}

}  // namespace bpfplay::loader
