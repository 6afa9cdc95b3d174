#include "cli/map_init.hpp"

#include "core/maps/user_ringbuf_map.hpp"

#include <algorithm>
#include <cstring>

#include "cli/packet_input.hpp"
#include "core/json/json.hpp"
#include "core/loader/elf_reader.hpp"
#include "core/maps/map_abi.hpp"

namespace bpfplay::cli {
namespace {

Error init_error(const std::string& file, const std::string& what) {
    return make_error(ErrorKind::Map, file + ": " + what);
}

std::string entry_name(const std::string& map, size_t index) {
    return "map \"" + map + "\" entry [" + std::to_string(index) + "]";
}

Error entry_error(const MapInit& init, const std::string& map, size_t index, const std::string& what) {
    return init_error(init.file, entry_name(map, index) + ": " + what);
}

std::string map_names(const LoadedObject& object) {
    std::string out;
    const uint32_t n = object.maps ? object.maps->size() : 0;
    for (uint32_t id = 0; id < n; ++id)
        out += (id ? ", \"" : "\"") + object.maps->get(id)->name() + "\"";
    return n ? out : "(none)";
}

Result<std::string> string_member(const JsonValue& entry, std::string_view key, const std::string& where) {
    const JsonValue* v = entry.find(key);
    if (!v->is_string())
        return make_error(ErrorKind::Parse, where + ": \"" + std::string(key) + "\" must be a string, not " +
                                                json_type_name(v->type()));
    return v->as_string();
}

Result<MapInitEntry> parse_entry(const JsonValue& entry, const std::string& where) {
    if (!entry.is_object())
        return make_error(ErrorKind::Parse,
                          where + ": must be an object like {\"key\": \"hex\", \"value\": \"hex\"}, not " +
                              std::string(json_type_name(entry.type())));
    MapInitEntry out;
    for (const std::string& key : entry.keys()) {
        if (key == "key" || key == "value" || key == "program" || key == "map") {
            auto text = string_member(entry, key, where);
            if (!text) return text.error();
            if (key == "key")
                out.key_hex = *text;
            else if (key == "value")
                out.value_hex = *text;
            else if (key == "program")
                out.program = *text;
            else
                out.inner_map = *text;
        } else if (key == "values") {
            const JsonValue* values = entry.find(key);
            if (!values->is_array())
                return make_error(ErrorKind::Parse,
                                  where + ": \"values\" must be an array of hex strings (one per CPU)");
            for (const JsonValue& v : values->items()) {
                if (!v.is_string())
                    return make_error(ErrorKind::Parse, where + ": \"values\" must hold hex strings, not " +
                                                            std::string(json_type_name(v.type())));
                out.values_hex.push_back(v.as_string());
            }
        } else {
            return make_error(ErrorKind::Parse,
                              where + ": unknown member \"" + key +
                                  "\" (an entry has \"key\" and one of \"value\", \"values\", "
                                  "\"program\", \"map\")");
        }
    }
    const int given = int(out.value_hex.has_value()) + int(entry.contains("values")) +
                      int(out.program.has_value()) + int(out.inner_map.has_value());
    if (given != 1)
        return make_error(ErrorKind::Parse, where +
                                                ": give exactly one of \"value\", \"values\" (per-CPU maps), "
                                                "\"program\" (prog_array) or \"map\" (maps of maps)");
    return out;
}

bool is_frozen_data(const LoadedObject& object, uint32_t id) {
    const Map* map = object.maps->get(id);
    return map && map->frozen() && id < object.map_info.size() &&
           object.map_info[id].origin == MapOrigin::GlobalData;
}

Result<std::vector<uint8_t>> hex_field(const MapInit& init, const std::string& map, size_t index,
                                       const std::string& field, const std::string& text, uint32_t size,
                                       const char* size_name) {
    auto bytes = parse_packet_hex(text, init.file + ": " + entry_name(map, index) + ": " + field);
    if (!bytes) return bytes.error();
    if (bytes->size() != size)
        return entry_error(init, map, index,
                           field + " has " + std::to_string(bytes->size()) + " byte" +
                               (bytes->size() == 1 ? "" : "s") + "; the map's " + size_name + " is " +
                               std::to_string(size));
    return bytes;
}

uint32_t find_program_index(const LoadedObject& object, const std::string& name) {
    for (size_t i = 0; i < object.programs.size(); ++i)
        if (object.programs[i].name == name) return uint32_t(i);
    return UINT32_MAX;
}

std::string program_names(const LoadedObject& object) {
    std::string out;
    for (size_t i = 0; i < object.programs.size(); ++i)
        out += (i ? ", " : "") + object.programs[i].name;
    return out.empty() ? "(none)" : out;
}

// The value bytes update_user takes for one entry: value_size bytes, or every CPU's value
// (each in an 8-byte-aligned stride) for per-CPU maps.
Result<std::vector<uint8_t>> entry_value(const MapInit& init, const LoadedObject& object, const Map& map,
                                         const MapInitEntry& e) {
    const std::string& name = map.name();
    auto u32_value = [](uint32_t v) {
        std::vector<uint8_t> out(4);
        std::memcpy(out.data(), &v, 4);
        return out;
    };
    if (e.program) {
        if (map.type() != MapType::ProgArray)
            return entry_error(init, name, e.index,
                               "\"program\" is for prog_array maps, not " +
                                   std::string(map_type_name(map.type())) + " maps");
        const uint32_t index = find_program_index(object, *e.program);
        if (index == UINT32_MAX)
            return entry_error(init, name, e.index,
                               "no program \"" + *e.program +
                                   "\" in the object (its programs: " + program_names(object) + ")");
        return u32_value(index);
    }
    if (e.inner_map) {
        if (map.type() != MapType::ArrayOfMaps && map.type() != MapType::HashOfMaps)
            return entry_error(init, name, e.index,
                               "\"map\" is for maps of maps, not " + std::string(map_type_name(map.type())) +
                                   " maps");
        const Map* inner = object.maps->find(*e.inner_map);
        if (!inner)
            return entry_error(init, name, e.index,
                               "no map \"" + *e.inner_map +
                                   "\" in the object (its maps: " + map_names(object) + ")");
        return u32_value(inner->id());
    }
    if (map.is_percpu()) {
        if (e.value_hex)
            return entry_error(init, name, e.index,
                               "the map is per-CPU: give \"values\", one hex value for each of its " +
                                   std::to_string(map.ncpus()) + " CPUs");
        if (e.values_hex.size() != map.ncpus())
            return entry_error(init, name, e.index,
                               "\"values\" has " + std::to_string(e.values_hex.size()) + " value" +
                                   (e.values_hex.size() == 1 ? "" : "s") + "; the map is per-CPU with " +
                                   std::to_string(map.ncpus()) + " CPUs");
        std::vector<uint8_t> out(map.user_value_size(), 0);
        for (uint32_t cpu = 0; cpu < map.ncpus(); ++cpu) {
            auto v = hex_field(init, name, e.index, "values[" + std::to_string(cpu) + "]", e.values_hex[cpu],
                               map.value_size(), "value_size");
            if (!v) return v.error();
            std::copy(v->begin(), v->end(), out.begin() + size_t(cpu) * map.value_stride());
        }
        return out;
    }
    if (!e.value_hex) return entry_error(init, name, e.index, "the map is not per-CPU: give one \"value\"");
    return hex_field(init, name, e.index, "value", *e.value_hex, map.value_size(), "value_size");
}

bool is_array_type(MapType t) {
    return t == MapType::Array || t == MapType::PercpuArray || t == MapType::ProgArray ||
           t == MapType::ArrayOfMaps;
}

Error unknown_map(const MapInit& init, const std::string& name, const LoadedObject& object) {
    return init_error(init.file,
                      "no map \"" + name + "\" in the object (its maps: " + map_names(object) + ")");
}

} // namespace

Result<MapInit> parse_map_init(std::string_view json_text, const std::string& file) {
    auto doc = parse_json(json_text);
    if (!doc) {
        Error e = doc.error();
        std::string line = e.where.line ? "line " + std::to_string(*e.where.line) + ": " : "";
        e.what = file + ": " + line + e.what;
        e.where.line.reset();
        return e;
    }
    if (!doc->is_object())
        return make_error(ErrorKind::Parse, file +
                                                ": must be a JSON object {\"map name\": [entries...]}, not " +
                                                std::string(json_type_name(doc->type())));
    MapInit init;
    init.file = file;
    for (size_t m = 0; m < doc->size(); ++m) {
        const std::string& name = doc->keys()[m];
        const JsonValue& entries = doc->items()[m];
        if (!entries.is_array())
            return make_error(ErrorKind::Parse, file + ": map \"" + name +
                                                    "\": must be an array of entries like {\"key\": \"hex\", "
                                                    "\"value\": \"hex\"}, not " +
                                                    std::string(json_type_name(entries.type())));
        MapInitMap map;
        map.name = name;
        for (size_t i = 0; i < entries.size(); ++i) {
            auto entry = parse_entry(entries.items()[i], file + ": " + entry_name(name, i));
            if (!entry) return entry.error();
            entry->index = i;
            map.entries.push_back(std::move(*entry));
        }
        init.maps.push_back(std::move(map));
    }
    return init;
}

Result<std::vector<std::string>> patch_frozen_maps(std::vector<uint8_t>& elf, const LoadedObject& probe,
                                                   const MapInit& init) {
    std::vector<std::string> patched;
    std::optional<ElfFile> file;
    for (const MapInitMap& m : init.maps) {
        if (!probe.maps) break;
        const Map* map = probe.maps->find(m.name);
        if (!map || !is_frozen_data(probe, map->id())) continue;
        const LoadedMapInfo& info = probe.map_info[map->id()];
        if (!file) {
            auto opened = ElfFile::open(elf);
            if (!opened) return opened.error();
            file.emplace(std::move(*opened));
        }
        const ElfSection* section = file->find_section(info.elf_section);
        if (!section || section->nobits() || info.section_offset > section->size ||
            section->size - info.section_offset < map->value_size() || section->offset > elf.size() ||
            elf.size() - section->offset < section->size)
            return init_error(init.file,
                              "map \"" + m.name +
                                  "\" is frozen and its initial bytes could not be found in section \"" +
                                  info.elf_section + "\"");
        for (const MapInitEntry& e : m.entries) {
            if (e.program || e.inner_map || !e.values_hex.empty())
                return entry_error(init, m.name, e.index, "global data takes one \"value\"");
            auto key = hex_field(init, m.name, e.index, "key", e.key_hex, map->key_size(), "key_size");
            if (!key) return key.error();
            if (std::any_of(key->begin(), key->end(), [](uint8_t b) { return b != 0; }))
                return entry_error(init, m.name, e.index,
                                   "global data has one entry, key 00000000 (" + e.key_hex +
                                       " is out of range)");
            auto value =
                hex_field(init, m.name, e.index, "value", *e.value_hex, map->value_size(), "value_size");
            if (!value) return value.error();
            std::copy(value->begin(), value->end(),
                      elf.begin() + ptrdiff_t(section->offset + info.section_offset));
        }
        patched.push_back(m.name);
    }
    return patched;
}

Result<Unit> apply_map_init(ObjectSession& session, const MapInit& init,
                            const std::vector<std::string>& skip) {
    const LoadedObject& object = session.object();
    for (const MapInitMap& m : init.maps) {
        if (std::find(skip.begin(), skip.end(), m.name) != skip.end()) continue;
        Map* map = object.maps ? session.object().maps->find(m.name) : nullptr;
        if (!map) return unknown_map(init, m.name, object);
        for (const MapInitEntry& e : m.entries) {
            std::vector<uint8_t> key;
            if (map->key_size() > 0 || !e.key_hex.empty()) {
                auto k = hex_field(init, m.name, e.index, "key", e.key_hex, map->key_size(), "key_size");
                if (!k) return k.error();
                key = std::move(*k);
            }
            if (map->type() == MapType::UserRingbuf) {
                // A record user space writes (user_ring_buffer__reserve + submit), of any length.
                if (!e.value_hex) return entry_error(init, m.name, e.index, "give the record as \"value\"");
                auto record = parse_packet_hex(*e.value_hex, init.file + ": " + entry_name(m.name, e.index) + ": value");
                if (!record) return record.error();
                const int64_t rc = static_cast<UserRingbufMap*>(map)->produce(*record);
                if (rc < 0)
                    return entry_error(init, m.name, e.index,
                                       "the record does not fit: " + errno_name(rc) +
                                           (rc == -kerrno::kENOSPC ? " (the records before it fill the buffer)"
                                                                   : " (larger than the buffer)"));
                continue;
            }
            auto value = entry_value(init, object, *map, e);
            if (!value) return value.error();
            const int64_t rc = map->update_user(key, *value, map_update::kAny);
            if (rc < 0) {
                std::string why = errno_name(rc);
                if (rc == -kerrno::kEPERM && map->frozen())
                    why += " (the map is frozen: user space may not change it)";
                else if (rc == -kerrno::kE2BIG && is_array_type(map->type()))
                    why +=
                        " (the keys of this array are 0 to " + std::to_string(map->max_entries() - 1) + ")";
                else if (rc == -kerrno::kE2BIG)
                    why += " (the map is full: max_entries " + std::to_string(map->max_entries()) + ")";
                return entry_error(init, m.name, e.index, "update failed: " + why);
            }
        }
    }
    return Unit{};
}

} // namespace bpfplay::cli
