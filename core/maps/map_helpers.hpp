#pragma once
// The map helpers: bpf_map_lookup_elem (1), bpf_map_update_elem (2), bpf_map_delete_elem (3),
// bpf_map_lookup_percpu_elem (195), and for queues, stacks and bloom filters bpf_map_push_elem
// (87), bpf_map_pop_elem (88) and bpf_map_peek_elem (89), which copy a value in or out of the
// program's memory.
//
// What the kernel's verifier would refuse at load time -- a map argument that is not a map, a
// key or value pointer that does not cover key_size / value_size readable bytes, a helper the
// map type does not allow, a write to a BPF_F_RDONLY_PROG map -- stops the run here with a
// Helper error that says what to fix. Everything the kernel decides at run time comes back in
// r0 exactly as in the kernel (a value address or 0; 0 or a negative errno).
//
// The helpers find the maps and the CPU through the run's HelperEnv (Vm::env: its maps, and
// its host's cpu, which picks the per-CPU values a program sees).
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

class MapSet;
class Vm;

struct MapEnv {
    MapSet* maps = nullptr;  // null: the run has no maps (the helpers stop it with an error)
    uint32_t cpu = 0;        // the CPU the program runs on: picks the per-CPU values it sees
};

// The run's maps and CPU (Vm::env; a run without an env has no maps and runs on CPU 0).
MapEnv map_env(const Vm& vm);

namespace helper_id {
constexpr int32_t kMapLookupElem = 1;
constexpr int32_t kMapUpdateElem = 2;
constexpr int32_t kMapDeleteElem = 3;
constexpr int32_t kMapPushElem = 87;
constexpr int32_t kMapPopElem = 88;
constexpr int32_t kMapPeekElem = 89;
constexpr int32_t kMapLookupPercpuElem = 195;
}  // namespace helper_id

// The helpers' bodies, given the environment (tests call them with an env of their own).
namespace map_helpers_detail {
uint64_t lookup_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2);
uint64_t update_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4);
uint64_t delete_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2);
// bpf_map_lookup_percpu_elem(map, key, cpu): CPU `cpu`'s value of a per-CPU map, or 0.
uint64_t lookup_percpu_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2, uint64_t r3);
uint64_t push_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2, uint64_t r3);
uint64_t pop_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2);
uint64_t peek_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2);
}  // namespace map_helpers_detail

// bpf_map_lookup_elem, bpf_map_update_elem, bpf_map_delete_elem, bpf_map_lookup_percpu_elem,
// bpf_map_push_elem, bpf_map_pop_elem, bpf_map_peek_elem.
std::span<const HelperImpl> map_helper_impls();

}  // namespace bpfplay
