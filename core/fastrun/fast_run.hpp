#pragma once
// The fast run: a Vm run driven through a program's translated module (translate.hpp). The
// module runs stretches of the program; at each hand-over the interpreter runs, one
// instruction at a time, until the run is back at a block start the module can run (or ends). Registers, the
// instruction count and memory pass between them at every switch, so the run's results,
// maps, events, clocks and faults are the interpreter's own.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "core/fastrun/translate.hpp"
#include "core/vm.hpp"

namespace bpfplay {

// Runs a translated module: the wasm build's instantiates it in the page's own WebAssembly
// runtime (make_wasm_engine); a test may give one that hands over at once.
class FastEngine {
public:
    virtual ~FastEngine() = default;
    // Runs from block `block` with the state block at `state` (fastrun_layout, 8-aligned);
    // returns the instruction index where the interpreter takes over.
    virtual uint32_t enter(uint8_t* state, uint32_t block) = 0;
};

// The engine for `module` in this build: the wasm build instantiates the module (the page's
// memory is its memory); natively there is no WebAssembly runtime and this gives nullptr.
std::unique_ptr<FastEngine> make_wasm_engine(const FastModule& module);

// A program's module and the engine that runs it; both null for a program that runs in the
// interpreter alone.
struct FastCode {
    const FastModule* module = nullptr;
    FastEngine* engine = nullptr;
};
// Finds the code of a program a run reaches (its entry program, tail calls' targets); called
// once per program switch. What it returns must outlive the runner.
using FastCodeLookup = std::function<FastCode(const Program&)>;

class FastRunner {
public:
    // Runs `prog` (the program `module` was translated from) fast, any other in the interpreter.
    FastRunner(const Program& prog, const FastModule& module, FastEngine& engine);
    // Runs every program `lookup` gives code for fast: a tail call's target too.
    explicit FastRunner(FastCodeLookup lookup);

    // Runs `vm` (not recording) until it exits or faults, as vm.run() does, or until it has run
    // `max_insns` more instructions: then Ready, anywhere in a block, and a later call goes on
    // (the page's worker runs a fast continue in slices, so that Stop is read between them).
    // A program's own frames run fast (local calls included, up to the verifier's 8 frames);
    // callbacks, and programs tail-called from a subprogram, run in the interpreter until they
    // return to a frame a module can run. A recording Vm runs in the interpreter alone.
    RunStatus run(Vm& vm, uint64_t max_insns = UINT64_MAX);

    // Instructions the module ran, and times it was entered, over this runner's life.
    uint64_t fast_insns() const { return fast_insns_; }
    uint64_t entries() const { return entries_; }

private:
    bool at_block(const Vm& vm);
    // Instructions the module may run from here: to the budget, or to the slice's end.
    uint64_t left(const Vm& vm) const;
    // Runs the module from vm's pc; false when it returned an impossible index (vm then faults).
    bool enter(Vm& vm);

    FastCodeLookup lookup_;
    const Program* prog_ = nullptr;  // the program code_ is for
    FastCode code_;
    alignas(8) std::array<uint8_t, fastrun_layout::kStateBytes> state_{};
    uint64_t fast_insns_ = 0, entries_ = 0;
    uint64_t stop_at_ = UINT64_MAX;  // the executed count this run() call returns Ready at
    // The Memory layout the region table was built from; none yet in this run (a new Vm's
    // versions start again).
    std::optional<uint64_t> table_version_;
};

}  // namespace bpfplay
