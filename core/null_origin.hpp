#pragma once
// Where a NULL pointer came from, for the hint of a fault on one: the kernel's verifier makes a
// program check what bpf_map_lookup_elem (and every helper whose struct bpf_func_proto says
// "or NULL") returns before using it, and the hint says so only when the faulting register's
// value did come from such a call.
//
// Nothing is recorded while the program runs: when a load or store faults near address 0, a
// data-flow pass over the function holding the faulting instruction follows the register back
// through moves, pointer arithmetic and 8-byte stack spills to what defined it, on every path
// to the fault, and function arguments to the call sites on the run's call stack.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/program.hpp"

namespace bpfplay {

struct NullOrigin {
    // Calls (their pcs, sorted) of helpers that return a pointer or NULL whose r0 reaches here.
    std::vector<uint32_t> nullable_calls;
    bool computed = false;     // on some path the value is a constant or computed by the program
    bool from_memory = false;  // on some path it was loaded from memory other than a tracked spill
    bool from_callee = false;  // on some path it is a bpf-to-bpf call's return value
    bool not_analyzed = false; // the function is too large to analyze at a fault
};

// What defined register `reg` as instruction `pc` reads it. `call_sites`: the pcs of the
// bpf-to-bpf calls on the run's stack, innermost first, to follow r1..r5 at a function's entry
// to its caller (empty: a function's arguments count as `computed`, as the program's own r1..r5).
NullOrigin null_origin(const Program& prog, uint32_t pc, uint8_t reg,
                       std::span<const uint32_t> call_sites = {});

// The hint for a load or store at `pc` through `reg` that touched an address near 0:
// "r6 is the NULL that bpf_map_lookup_elem returned at insn 4: ..." when every path says so,
// worded conditionally when only some do or the origin is not known, and empty when the value
// did not come from a helper that returns NULL (a constant, arithmetic).
std::string null_pointer_hint(const Program& prog, uint32_t pc, uint8_t reg,
                              std::span<const uint32_t> call_sites = {});

} // namespace bpfplay
