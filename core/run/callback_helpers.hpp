#pragma once
// The helpers that call a function of the program back (core/run/callback_helpers.cpp):
//
//   id  name                   returns
//  164  bpf_for_each_map_elem  the number of elements the callback was called for; -EINVAL
//                              for flags != 0
//  181  bpf_loop               the number of calls made (nr_loops, or i + 1 when call i
//                              returned 1); -EINVAL for flags != 0, -E2BIG past 1 << 23 loops
// Each call of the callback runs as a frame of the program (core/callback.hpp).
#include <cstdint>
#include <optional>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kForEachMapElem = 164;
constexpr int32_t kLoop = 181;
} // namespace helper_id

std::span<const HelperImpl> callback_helper_impls();

class Vm;
// The callback's first instruction, from the function address in register `reg` (r2 for most:
// a `r2 = <func> ll`), or nullopt after failing the run as the verifier refuses anything else.
std::optional<uint32_t> callback_entry(Vm& vm, const char* helper, uint64_t addr, int reg = 2);

} // namespace bpfplay
