#pragma once
// What the checker's steps share while walking one program (the kernel's bpf_verifier_env):
// the input, the id counter, and the first failure.
#include <cstdint>
#include <optional>
#include <string>

#include "core/verifier/checker.hpp"
#include "core/verifier/state.hpp"

namespace bpfplay::verifier {

struct Failure {
    Rule rule = Rule::Other;
    std::string message;
    bool cannot_tell = false;
};

// A state another branch continues from later (the kernel's push_stack).
struct Branch {
    uint32_t pc = 0;
    State state;
};

// Told which stack bytes a step reads and which 8-byte slots it overwrites whole: the walk
// uses it to know how much of a recorded state's stack its exploration depended on (the
// kernel's REG_LIVE_READ / REG_LIVE_WRITTEN marks on stack slots).
class StackUse {
public:
    // Bytes at depths [top, bottom] of frame `frame`'s stack (depth d is fp-1-d).
    virtual void stack_read(uint32_t frame, uint32_t top, uint32_t bottom) = 0;
    virtual void stack_overwritten(uint32_t frame, uint32_t slot) = 0;

protected:
    ~StackUse() = default;
};

struct Env {
    explicit Env(const CheckInput& input) : in(input) {}
    StackUse* stack_use = nullptr;
    const CheckInput& in;
    uint32_t id_gen = 0;
    uint32_t pc = 0;
    std::optional<Failure> failure;
    std::vector<Branch> branches_out;  // what the current step pushed
    // At an iterator's next call: the state recorded there one iteration before on this path
    // (find_prev_entry), which the active branch's numbers are widened against; or nullptr.
    const State* loop_prev = nullptr;
    // Global functions (indices in in.global_sigs) a walked path called, in call order: each is
    // verified after the walk (the kernel's func_info_aux[].called, do_check_subprogs).
    std::vector<size_t> called_globals;
    // The step just taken was a callback's exit back to its helper call (the call's next visit
    // compares the state with the one the callback started from).
    bool after_callback_exit = false;
    // Walking a global function on its own: its frame 0 returns a number to an unknown caller.
    bool global_walk = false;

    // Record a refusal; returns false so steps can `return env.refuse(...)`.
    bool refuse(Rule rule, std::string message) {
        if (!failure) failure = Failure{rule, std::move(message), false};
        return false;
    }
    bool cannot_tell(std::string what) {
        if (!failure) failure = Failure{Rule::None, std::move(what), true};
        return false;
    }
    // The object's map `id` (what an lddw names).
    const MapSpec* map(uint32_t id) const { return id < in.maps.size() ? in.maps[id] : nullptr; }
    // A map a register points into or at: the object's maps, then the inner map templates of
    // its maps of maps (what a lookup in one gives: CONST_PTR_TO_MAP of inner_map_meta).
    const MapSpec* any_map(uint32_t id) const {
        if (id < in.maps.size()) return in.maps[id];
        return id - in.maps.size() < inner_maps.size() ? inner_maps[id - in.maps.size()] : nullptr;
    }
    // The id of the inner map template of map of maps `outer`, or nullopt when it has none.
    std::optional<uint32_t> inner_map_id(uint32_t outer) {
        const MapSpec* m = map(outer);
        if (!m || !m->inner) return std::nullopt;
        for (size_t k = 0; k < inner_maps.size(); ++k)
            if (inner_maps[k] == m->inner.get()) return uint32_t(in.maps.size() + k);
        inner_maps.push_back(m->inner.get());
        return uint32_t(in.maps.size() + inner_maps.size() - 1);
    }
    std::vector<const MapSpec*> inner_maps;
    uint32_t new_id() { return ++id_gen; }
};

std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace bpfplay::verifier
