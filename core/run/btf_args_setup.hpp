#pragma once
// The context of fentry / fexit / fmod_ret / lsm / tp_btf / raw_tp runs: the attach point's
// arguments as u64 slots (core/run/btf_args_context.hpp), from the run's ctx bytes over the
// defaults (pointers at the emulated kernel's objects), then the arguments the run sets by name
// (RunInput::args). Mapped read-only: the verifier refuses a tracing program's stores to ctx.
#include "core/error.hpp"

namespace bpfplay {

class Vm;
struct LoadedProgram;
struct RunInput;
struct RunState;

// false: the program's attach point has no prototype in the built-in BTF (its context stays
// the raw bytes given) and no argument was set by name; an error when one was.
Result<bool> setup_btf_args_context(const LoadedProgram& prog, const RunInput& in, RunState& mem, Vm& vm);

}  // namespace bpfplay
