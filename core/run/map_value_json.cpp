#include "core/hex.hpp"
#include "core/run/map_value_json.hpp"

#include <string>

#include "core/btf/btf_encode.hpp"
#include "core/json/json.hpp"
#include "core/maps/map_set.hpp"

namespace bpfplay {

namespace {

Error map_error(std::string_view map, std::string what) {
    Error e = make_error(ErrorKind::Parse, std::move(what));
    e.where.map = std::string(map);
    return e;
}

// "0a 00 00 00" -> bytes; nullopt for anything else.
std::optional<std::vector<uint8_t>> bytes_of_hex(std::string_view text) {
    std::vector<uint8_t> out;
    int high = -1;
    for (char c : text) {
        if (c == ' ') continue;
        const int d = hex_digit(c);
        if (d < 0) return std::nullopt;
        if (high < 0)
            high = d;
        else {
            out.push_back(uint8_t(high << 4 | d));
            high = -1;
        }
    }
    if (high >= 0) return std::nullopt;
    return out;
}

} // namespace

Result<std::vector<uint8_t>> encode_map_json(const LoadedObject& object, std::string_view map_name,
                                             MapPart part, std::string_view json_text) {
    const Map* map = nullptr;
    for (uint32_t id = 0; object.maps && id < object.maps->size(); ++id)
        if (object.maps->get(id)->name() == map_name) map = object.maps->get(id);
    if (!map) return map_error(map_name, "the object has no map named \"" + std::string(map_name) + "\"");
    const char* what = part == MapPart::Key ? "key" : "value";
    const uint32_t size = part == MapPart::Key ? map->key_size() : map->value_size();
    const uint32_t type_id =
        part == MapPart::Key ? map->spec().btf_key_type_id : map->spec().btf_value_type_id;

    // Nothing typed: all zero bytes, what `= {}` gives in C (an "add" form starts empty).
    if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return std::vector<uint8_t>(size, 0);

    std::vector<uint8_t> bytes;
    if (object.btf && type_id) {
        auto encoded = encode_value_json(*object.btf, type_id, json_text, what);
        if (!encoded) {
            Error e = encoded.error();
            e.where.map = std::string(map_name);
            return e;
        }
        bytes = std::move(encoded.value());
    } else {
        // No BTF: the page shows the bytes as a hex string, and takes one back.
        auto doc = parse_json(json_text);
        auto hex = doc && doc->is_string() ? bytes_of_hex(doc->as_string()) : std::nullopt;
        if (!hex)
            return map_error(map_name, std::string(what) + ": this map has no BTF type for its " + what +
                                           ", so give its bytes as a hex string such as \"0a000000\"");
        bytes = std::move(*hex);
    }
    if (bytes.size() != size)
        return map_error(map_name, std::string(what) + ": " + std::to_string(bytes.size()) +
                                       " bytes given, the map's " + what + "_size is " +
                                       std::to_string(size));
    return bytes;
}

} // namespace bpfplay
