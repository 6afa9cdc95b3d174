#pragma once
// What the checker says of a program: the kernel would accept it, refuse it (where, in the
// kernel's words, why, how to fix it), or the checker cannot tell (a construct it does not
// model yet; it never guesses "accept").
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bpfplay::verifier {

enum class VerdictKind : uint8_t { Accept, Refuse, CannotTell };
const char* verdict_kind_name(VerdictKind kind);  // "accept", "refuse", "cannot tell"

// Which rule a refusal broke: selects the learner's explanation and the suggested fix.
enum class Rule : uint8_t {
    None,
    Structure,        // jump out of range, unreachable insn, bad lddw, last insn
    UninitRegister,   // R%d !read_ok
    FramePointer,     // frame pointer is read only
    PacketBounds,     // invalid access to packet
    NullPointer,      // invalid mem access '..._or_null'
    NotAPointer,      // invalid mem access 'scalar' (and other non-memory types)
    StackBounds,      // invalid read/write of stack
    MapValueBounds,   // invalid access to map value
    MemBounds,        // invalid access to memory (ring buffer record)
    Context,          // invalid bpf_context access
    PointerArith,     // pointer arithmetic the kernel prohibits
    HelperArg,        // an argument of the wrong type or size
    HelperUnavailable,// unknown helper, or not for this program type
    Reference,        // Unreleased reference
    TooComplex,       // BPF program is too large / infinite loop
    CallDepth,        // the call stack is too deep
    Lock,             // bpf_spin_lock misuse: wrong address, not released, calls while held
    LockMap,          // a map holding a lock, in a program type that may not use one
    License,          // GPL-only kernel functions from a program whose license is not GPL-compatible
    ReturnValue,      // At program exit the register R0 ... should have been in [a, b]
    KernelSymbol,     // a typed __ksym variable the kernel's kallsyms does not list
    Other,
};

// The checker's registers before one instruction of a refusal's path, in the kernel log's
// notation (reg_text.hpp): regs[i] is Ri's, "" where Ri is not initialised. `frame`: the call
// frame the instruction runs in (its registers are the ones shown). `kept` false: the walk no
// longer held this entry's state (a branch explored past it reused its slot).
struct PathState {
    bool kept = false;
    uint32_t frame = 0;
    std::array<std::string, 11> regs;
};

// The path entries whose states a refusal keeps: the last ones before the failing instruction
// (a path can be a million entries long; the kernel's log is read from its tail too).
constexpr size_t kPathStatesKept = 4096;

struct Verdict {
    VerdictKind kind = VerdictKind::Accept;
    std::string program;
    uint32_t insn = 0;          // Refuse / CannotTell: the instruction
    std::string message;        // Refuse: the kernel's message; CannotTell: what is not modelled
    Rule rule = Rule::None;
    std::string why;            // a learner's sentence: why the kernel has the rule
    std::string fix;            // what to change
    std::string source_file;    // from BTF line info, when the program has it
    uint32_t source_line = 0;
    std::string source_text;
    std::vector<uint32_t> path; // instruction indices from the entry to `insn`
    // Refuse: path_states[k] is the state before path[path_states_from + k], for the last
    // kPathStatesKept entries of the path (the last one is `insn`'s).
    size_t path_states_from = 0;
    std::vector<PathState> path_states;
    uint64_t processed = 0;     // instructions the checker processed (the kernel's count)
};

}  // namespace bpfplay::verifier
