#include "core/maps/map_in_map.hpp"

#include "core/maps/map_set.hpp"

namespace bpfplay {

std::optional<MapCreateError> check_inner_template(const MapSpec& outer, const MapSpec& inner) {
    auto fail = [&](int64_t code, std::string what, std::string hint) {
        MapCreateError err;
        err.code = code;
        err.error = make_error(ErrorKind::Map, errno_name(code) + ": " + std::move(what), std::nullopt, std::move(hint));
        err.error.where.map = outer.name;
        return err;
    };
    if (inner.type == MapType::ArrayOfMaps || inner.type == MapType::HashOfMaps)
        return fail(-kerrno::kEINVAL,
                    std::string("the inner map of ") + map_type_name(outer.type) + " \"" + outer.name + "\" is itself a " +
                        map_type_name(inner.type) + ": maps of maps nest only one level deep",
                    "Store plain maps (arrays, hashes) in the outer map.");
    if (inner.type == MapType::ProgArray)
        return fail(-kerrno::kENOTSUPP,
                    std::string("a prog_array cannot be the inner map of ") + map_type_name(outer.type) + " \"" +
                        outer.name + "\": the kernel binds a prog_array to its programs at run time",
                    "Use a prog_array directly with bpf_tail_call.");
    auto inner_problem = check_map_spec(inner);
    if (inner_problem) {
        inner_problem->error.what = "the inner map template is invalid: " + inner_problem->error.what;
        inner_problem->error.where.map = outer.name;
        return inner_problem;
    }
    return std::nullopt;
}

bool inner_map_matches(const MapSpec& templ, const MapSpec& candidate) {
    if (templ.type != candidate.type || templ.key_size != candidate.key_size ||
        templ.value_size != candidate.value_size || templ.map_flags != candidate.map_flags)
        return false;
    if (templ.type == MapType::Array && !(templ.map_flags & map_flag::kInnerMap))
        return templ.max_entries == candidate.max_entries;
    return true;
}

int64_t check_inner_map(const Map& outer, uint32_t inner_id) {
    const MapSet* set = outer.owner();
    const Map* inner = set ? set->get(inner_id) : nullptr;
    if (!inner) return -kerrno::kEBADF;
    if (!outer.spec().inner || !inner_map_matches(*outer.spec().inner, inner->spec())) return -kerrno::kEINVAL;
    return 0;
}

}  // namespace bpfplay
