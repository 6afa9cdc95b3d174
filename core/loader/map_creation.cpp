// Creating the maps (libbpf's bpf_object__create_maps, with MapSet standing in for the
// bpf() syscall): in definition order, so map ids match libbpf's map order; global data maps
// get their section bytes, .rodata* maps are then frozen; `values` slots are filled last.
#include <cstring>

#include "core/loader/object_state.hpp"
#include "core/maps/map_types.hpp"

namespace bpfplay::loader {

namespace {

uint64_t saturating_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

// Host memory a map will take (its type's footprint: values, keys, bookkeeping), to refuse
// objects whose maps together would exhaust the host before creating any of them. Types
// bpfplay lacks count 0: creating them fails with its own message.
uint64_t estimated_bytes(const MapSpec& s) {
    const MapTypeInfo* info = map_type_info(s.type);
    return info && info->footprint ? info->footprint(s) : 0;
}

Error map_load_error(const std::string& section, const std::string& map, std::string what) {
    Error e = load_error(section, std::move(what));
    e.where.map = map;
    return e;
}

}  // namespace

void describe_maps(const ObjectState& st, LoadedObject& out) {
    out.map_info.clear();
    for (const MapDef& def : st.maps) {
        LoadedMapInfo info;
        info.origin = def.origin;
        info.elf_section = st.map_section(def);
        info.section_offset = def.sec_offset;
        info.spec = def.spec;
        if (def.struct_ops) info.init_slots = def.struct_ops->slots;  // member index -> program
        out.map_info.push_back(std::move(info));
    }
}

// Called when create_maps failed at a map: the maps after it were never created; say which of
// them BPF_MAP_CREATE would refuse too, so a description of the object names every bad map.
void check_uncreated_maps(LoadedObject& out) {
    const uint32_t created = out.maps ? out.maps->size() : 0;
    for (uint32_t id = created; id < out.map_info.size(); ++id) {
        LoadedMapInfo& info = out.map_info[id];
        if (info.error) continue;
        if (auto problem = check_map_spec(info.spec)) {
            Error e = problem->error;
            e.kind = ErrorKind::Load;
            e.what = "cannot create map \"" + info.spec.name + "\": " + e.what;
            e.where.section = info.elf_section;
            e.where.map = info.spec.name;
            info.error = std::move(e);
        }
    }
}

Result<Unit> create_maps(ObjectState& st, LoadedObject& out) {
    out.maps = std::make_unique<MapSet>();
    const uint32_t program_count = uint32_t(out.programs.size());
    out.maps->set_program_validator([program_count](uint32_t index) { return index < program_count; });
    describe_maps(st, out);

    // The map's error is kept in its LoadedMapInfo too: a description of an object that does
    // not load shows which map failed.
    auto fail = [&out](uint32_t id, Error e) -> Result<Unit> {
        out.map_info[id].error = e;
        return e;
    };
    uint64_t total = 0;
    for (uint32_t id = 0; id < st.maps.size(); ++id) {
        const MapDef& def = st.maps[id];
        const std::string& section = st.map_section(def);
        total = saturating_add(total, estimated_bytes(def.spec));
        if (total > st.options.max_map_memory)
            return fail(id, map_load_error(section, def.spec.name,
                                           "the maps up to \"" + def.spec.name + "\" would need about " +
                                               std::to_string(total >> 20) + " MiB, more than the " +
                                               std::to_string(st.options.max_map_memory >> 20) +
                                               " MiB bpfplay allows one object (LoadOptions::max_map_memory)"));
        auto created = out.maps->create(def.spec);
        if (!created) {
            Error e = created.error();
            e.kind = ErrorKind::Load;
            e.what = "cannot create map \"" + def.spec.name + "\": " + e.what;
            e.where.section = section;
            e.where.map = def.spec.name;
            return fail(id, std::move(e));
        }
        if (*created != id)
            return fail(id, map_load_error(section, def.spec.name, "internal error: map ids out of order"));
        Map& map = *out.maps->get(id);
        if (!def.initial.empty()) {
            const uint8_t key[4] = {0, 0, 0, 0};
            const int64_t rc = map.update_user(key, def.initial, map_update::kAny);
            if (rc < 0)
                return fail(id, map_load_error(section, def.spec.name,
                                               "cannot write the initial contents of \"" + def.spec.name +
                                                   "\": " + errno_name(rc)));
        }
    }

    for (uint32_t id = 0; id < st.maps.size(); ++id) {
        const MapDef& def = st.maps[id];
        Map& map = *out.maps->get(id);
        for (const std::optional<MapInitSlot>& slot : def.init_slots) {
            if (!slot) continue;
            uint8_t key[4], value[4];
            std::memcpy(key, &slot->slot, 4);
            std::memcpy(value, &slot->target_id, 4);
            const int64_t rc = map.update_user(key, value, map_update::kAny);
            if (rc < 0)
                return fail(id, map_load_error(st.map_section(def), def.spec.name,
                                      "map \"" + def.spec.name + "\": cannot put \"" + slot->target + "\" in slot " +
                                          std::to_string(slot->slot) + ": " + errno_name(rc) +
                                          (def.values == BtfMapValues::Maps
                                               ? " (the inner map must match the declared inner map type)"
                                               : "")));
            out.map_info[id].init_slots.push_back(*slot);
        }
        if (def.freeze) map.freeze();
    }
    return Unit{};
}

}  // namespace bpfplay::loader
