#pragma once
// The checks on the program's shape that come before any path is walked (the kernel's
// check_subprogs and check_cfg), and what the walk needs from the shape: where paths join
// (states are compared there) and which registers each instruction's successors read.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/verifier/env.hpp"

namespace bpfplay::verifier {

struct Shape {
    // Where states are compared, as the kernel's check_cfg marks them: a conditional jump
    // itself, jump targets, function entries, the instruction after a call, a bpf-to-bpf call.
    std::vector<bool> prune_point;
    std::vector<bool> jmp_point;    // a prune point reached by a jump or a return (jump history)
    std::vector<uint16_t> live_in;  // bit i: ri may be read before written from here
    // An open-coded iterator's next kfunc call: a prune point where a state is always recorded
    // (mark_force_checkpoint) and a loop that comes back covered has converged.
    std::vector<bool> iter_next;
};

// Refuses (in env) and returns nullopt when the shape is wrong.
std::optional<Shape> check_shape(Env& env);

}  // namespace bpfplay::verifier
