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

    // Record a refusal; returns false so steps can `return env.refuse(...)`.
    bool refuse(Rule rule, std::string message) {
        if (!failure) failure = Failure{rule, std::move(message), false};
        return false;
    }
    bool cannot_tell(std::string what) {
        if (!failure) failure = Failure{Rule::None, std::move(what), true};
        return false;
    }
    const MapSpec* map(uint32_t id) const { return id < in.maps.size() ? in.maps[id] : nullptr; }
    uint32_t new_id() { return ++id_gen; }
};

std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace bpfplay::verifier
