#pragma once
// The map helpers: bpf_map_lookup_elem (1), bpf_map_update_elem (2), bpf_map_delete_elem (3).
//
// What the kernel's verifier would refuse at load time -- a map argument that is not a map, a
// key or value pointer that does not cover key_size / value_size readable bytes, a helper the
// map type does not allow, a write to a BPF_F_RDONLY_PROG map -- stops the run here with a
// Helper error that says what to fix. Everything the kernel decides at run time comes back in
// r0 exactly as in the kernel (a value address or 0; 0 or a negative errno).
//
// Finding the maps: a helper gets only the Vm, so a *locator* turns the Vm into a MapEnv (the
// run's MapSet and the CPU the program runs on). add_map_helpers() uses the simplest one:
// vm.user points at a MapEnv. A host environment that owns vm.user registers the helpers with
// its own locator instead, e.g. add_map_helpers_for_host() in map_host_env.hpp.
#include <cstdint>

#include "core/helpers/registry.hpp"

namespace bpfplay {

class MapSet;
class Vm;

struct MapEnv {
    MapSet* maps = nullptr;  // null: the run has no maps (the helpers stop it with an error)
    uint32_t cpu = 0;        // the CPU the program runs on: picks the per-CPU values it sees
};

using MapEnvLocator = MapEnv (*)(Vm& vm);

namespace helper_id {
constexpr int32_t kMapLookupElem = 1;
constexpr int32_t kMapUpdateElem = 2;
constexpr int32_t kMapDeleteElem = 3;
}  // namespace helper_id

// The helpers' bodies, given the environment.
namespace map_helpers_detail {
uint64_t lookup_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2);
uint64_t update_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4);
uint64_t delete_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2);
}  // namespace map_helpers_detail

// Registers the three helpers with `Locate` finding their environment.
template <MapEnvLocator Locate>
void add_map_helpers_with(HelperRegistry& registry) {
    registry.add({helper_id::kMapLookupElem, "bpf_map_lookup_elem", 2,
                  [](Vm& vm, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
                      return map_helpers_detail::lookup_elem(vm, Locate(vm), r1, r2);
                  }});
    registry.add({helper_id::kMapUpdateElem, "bpf_map_update_elem", 4,
                  [](Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) -> uint64_t {
                      return map_helpers_detail::update_elem(vm, Locate(vm), r1, r2, r3, r4);
                  }});
    registry.add({helper_id::kMapDeleteElem, "bpf_map_delete_elem", 2,
                  [](Vm& vm, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
                      return map_helpers_detail::delete_elem(vm, Locate(vm), r1, r2);
                  }});
}

// vm.user points at a MapEnv (or is null: no maps).
MapEnv map_env_from_user(Vm& vm);
inline void add_map_helpers(HelperRegistry& registry) { add_map_helpers_with<&map_env_from_user>(registry); }

}  // namespace bpfplay
