#include "core/debugger/map_edit.hpp"

#include <algorithm>

#include "core/json/json.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/map_value_json.hpp"

namespace bpfplay {

namespace {

Error map_error(const std::string& map, std::string what, std::string hint = {}) {
    Error e = make_error(ErrorKind::Map, std::move(what), std::nullopt, std::move(hint));
    e.where.map = map;
    return e;
}

// Why bpf_map_update_elem refuses, in the words of its documentation (linux/bpf.h).
std::string update_failure(int64_t r) {
    std::string why;
    if (r == -kerrno::kE2BIG) why = ": the map is full";
    else if (r == -kerrno::kEEXIST) why = ": the key is already there (BPF_NOEXIST)";
    else if (r == -kerrno::kENOENT) why = ": no such key (BPF_EXIST), or no such map";
    else if (r == -kerrno::kEINVAL) why = ": the flags, the key or the value are not valid for this map";
    return "bpf_map_update_elem failed with " + errno_name(r) + why;
}

}  // namespace

Result<std::vector<uint8_t>> set_map_entry(DebugSession& session, const MapEntryEdit& edit) {
    const LoadedObject& object = session.object().object();
    const Map* m = nullptr;
    for (uint32_t id = 0; object.maps && id < object.maps->size() && !m; ++id)
        if (object.maps->get(id)->name() == edit.map) m = object.maps->get(id);
    if (!m) return map_error(edit.map, "the object has no map named \"" + edit.map + "\"");
    auto key = encode_map_json(object, edit.map, MapPart::Key, edit.key_json);
    if (!key) return key.error();
    const uint32_t cpus = m->is_percpu() ? m->ncpus() : 1;
    const size_t given = edit.values_json.size();
    if (given != 1 && given != cpus)
        return map_error(edit.map, "expected one value" + (cpus > 1 ? " or " + std::to_string(cpus) + " (one per CPU)" : std::string()) +
                                       ", not " + std::to_string(given));
    // A per-CPU value is 8-byte aligned per CPU in what user space passes (round_up(value_size, 8)).
    const size_t slot = m->is_percpu() ? (size_t(m->value_size()) + 7) / 8 * 8 : m->value_size();
    std::vector<uint8_t> value(slot * cpus);
    for (uint32_t c = 0; c < cpus; ++c) {
        auto bytes = encode_map_json(object, edit.map, MapPart::Value, edit.values_json[given == 1 ? 0 : c]);
        if (!bytes) return bytes.error();
        std::copy_n(bytes->begin(), std::min(bytes->size(), slot), value.begin() + ptrdiff_t(c * slot));
    }
    const int64_t r = session.update_map(edit.map, *key, value, edit.flags);
    if (r < 0) return map_error(edit.map, update_failure(r));
    return key;
}

Result<std::vector<std::string>> map_edit_values(std::string_view values_json) {
    auto values = parse_json(values_json);
    if (!values) return values.error();
    const bool texts = values->is_array() && values->size() > 0 &&
                       std::all_of(values->items().begin(), values->items().end(),
                                   [](const JsonValue& v) { return v.is_string(); });
    if (!texts) return make_error(ErrorKind::Parse, "the values are not a JSON array of one or more texts");
    std::vector<std::string> out;
    for (const JsonValue& v : values->items()) out.push_back(v.as_string());
    return out;
}

}  // namespace bpfplay
