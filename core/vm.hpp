#pragma once
// The state of one run: registers, call frames, memory, counters. The interpreter loads it,
// runs, and stores it back, so a run can stop after any number of instructions and resume
// (the debugger steps this way).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/callback.hpp"
#include "core/error.hpp"
#include "core/insn.hpp"
#include "core/journal.hpp"
#include "core/memory.hpp"
#include "core/program.hpp"

namespace bpfplay {

struct HelperEnv;

constexpr uint64_t kDefaultBudget = 1'000'000;

enum class RunStatus : uint8_t {
    Ready,    // not started, or paused after a step limit
    Exited,   // the program returned; result() is r0
    Faulted,  // fault() says why
};

// r10 of each frame: the top of its stack. A table, so that a call or return sets r10 with one
// load (frames past 8 live in other windows than the first 8).
inline constexpr auto kFramePointers = [] {
    std::array<uint64_t, kMaxRunFrames> fp{};
    for (uint32_t d = 0; d < uint32_t(kMaxRunFrames); ++d)
        fp[d] = window_base(window::stack_of_frame(d)) + kStackSize;
    return fp;
}();

struct Frame {
    uint32_t return_pc = 0;           // where the caller resumes
    std::array<uint64_t, 4> saved{};  // caller's r6..r9
    uint16_t saved_init = 0;          // caller's initialized-register mask (checked mode)
    // Only for the frame of a subprogram that made a tail call (the target took the frame
    // over): the program the caller runs, and the frame where that program's own frame 0 is.
    // Other frames return into the program running above them.
    const Program* caller_program = nullptr;
    uint32_t caller_base = 0;
    // Set for a frame that runs a helper's callback (callback.hpp): its exit starts the next
    // call or returns to the helper's caller with the call count in r0.
    CallbackState callback{};
};

class Vm {
public:
    explicit Vm(const Program& program);
    Vm(const Vm&) = delete;
    Vm& operator=(const Vm&) = delete;

    // The program running now: the one given at construction, or a tail call's target.
    const Program& program() const { return *program_; }
    Memory& memory() { return memory_; }
    const Memory& memory() const { return memory_; }

    // Maps `input` as the context region and sets r1 = its address, r2 = its length (the
    // raw-memory convention of uBPF and bpf_conformance). Empty input: r1 = 0, r2 = 0.
    void set_raw_input(std::span<uint8_t> input);

    void set_budget(uint64_t max_insns) { budget_ = max_insns; }
    uint64_t budget() const { return budget_; }
    uint64_t executed() const { return executed_; }

    // Back to the start: pc 0, frame 0, counters 0, r10 = top of stack, other registers kept
    // as set (set_raw_input / set_reg). The stack is zeroed.
    void reset();

    // Starts the run at instruction `pc` instead of 0 (a timer callback's run). Before run().
    void start_at(uint32_t pc) { pc_ = pc; }

    // Runs at most max_steps instructions (or until exit/fault).
    RunStatus run(uint64_t max_steps = UINT64_MAX);

    RunStatus status() const { return status_; }
    uint64_t result() const { return regs_[0]; }
    const std::optional<Error>& fault() const { return fault_; }

    uint32_t pc() const { return pc_; }
    uint64_t reg(int i) const { return regs_[i]; }
    void set_reg(int i, uint64_t v);
    const std::array<uint64_t, 11>& regs() const { return regs_; }
    uint32_t depth() const { return depth_; }  // 0 = the entry program's own frame
    const Frame& frame(uint32_t i) const { return frames_[i]; }
    // The frame where the running program's own frame 0 is: 0, unless a tail call made from a
    // subprogram started it (then the subprogram's frame).
    uint32_t frame_base() const { return frame_base_; }
    // The program frame `depth` (<= depth()) runs: program() for the top frames, the caller's
    // program below a frame a tail call took over.
    const Program& program_at(uint32_t depth) const;
    uint16_t init_mask() const { return init_; }
    static uint64_t frame_pointer(uint32_t depth) { return kFramePointers[depth]; }

    // For helpers: stop the run with an error (status Faulted) or with r0 = value (status
    // Exited, as uBPF's unwind). The interpreter checks after each helper call.
    void helper_fail(Error e);
    void helper_exit(uint64_t r0);
    // For the run's owner between run() calls: ends a paused run (status Ready) with an error
    // at its current pc, as if its next instruction had faulted (a wall-clock limit,
    // core/time_limit.hpp). A run that has exited or faulted is left as it is.
    void stop(Error e);
    // For bpf_tail_call: once the helper returns, the run continues at the start of `target`
    // in the same frame with r1 unchanged, as the kernel's tail call does. Made from a
    // subprogram, the target replaces only that subprogram's frame: when it exits, its r0
    // returns to the subprogram's caller. The caller counts tail calls (the kernel allows 33
    // per run); tail_calls() says how many happened.
    void helper_tail_call(const Program& target);
    uint32_t tail_calls() const { return tail_calls_; }
    // For bpf_loop and bpf_for_each_map_elem: once the helper returns, the run enters a frame
    // that calls s.entry with the arguments s.next gives, as often as callback.hpp says. The
    // helper has checked that there is a first call to make.
    void helper_call_back(const CallbackState& s);
    // The read-only bytes where frame `depth`'s callback finds its key (kCallbackKeySlot of
    // them at callback_key_address(depth)); mapped the first time it is asked for.
    uint8_t* callback_key_slot(uint32_t depth);
    static uint64_t callback_key_address(uint32_t depth) {
        return window_base(window::kCallbackKeys) + uint64_t(depth) * kCallbackKeySlot;
    }
    // Host bytes a callback frame's helper keeps for the frame's lifetime (bpf_for_each_map_elem:
    // the keys to visit). The reference stays valid as long as the Vm.
    std::vector<uint8_t>& callback_scratch(uint32_t depth);
    // True when frame `depth` or one below it runs a callback.
    bool in_callback(uint32_t depth) const;
    uint32_t current_pc() const { return pc_; }
    // Instructions executed so far, correct inside a helper call too (a virtual clock uses it).
    uint64_t executed_now() const { return in_helper_ ? executed_at_call_ : executed_; }

    // The bpf_spin_lock this run holds: the address of its lock word, 0 for none. The kernel's
    // verifier tracks the same thing at load (one lock at most, released before the program
    // exits); bpfplay checks its rules as the program runs (bpf_spin_lock / bpf_spin_unlock
    // set it; the interpreter refuses calls and exits while it is set). Run state: reset()
    // clears it and a helper call's journal record saves it.
    uint64_t held_lock() const { return held_lock_; }
    void set_held_lock(uint64_t lock_addr) { held_lock_ = lock_addr; }

    // ---- Recording for reverse execution (the debugger) ----
    // With a journal set, every instruction run records what it overwrites (journal.hpp), and
    // `effects` (may be null) saves what each helper call may change beyond registers and
    // memory. Both must outlive the recording; nullptr stops it.
    void set_recording(Journal* journal, HelperEffects* effects);
    Journal* journal() const { return journal_; }
    // Takes back the newest recorded instruction: registers, memory, frames, helper effects,
    // the counters and the status. False when the journal holds no step to undo.
    bool undo_step();

    // What helpers work on (the host, maps, programs, the program's type); null for runs
    // without one (raw programs, the conformance plugin), where helpers that need it fail.
    HelperEnv* env = nullptr;

    // What the kernel's verifier checks where the main program exits (references the program
    // still holds); set by the runner. An Error makes the exit insn fault with it instead.
    using ExitCheck = std::optional<Error> (*)(Vm&);
    ExitCheck exit_check = nullptr;

private:
    template <bool kCheckInit, bool kRecord>
    friend RunStatus interpret(Vm& vm, uint64_t max_steps);
    friend class FastRunner;  // core/fastrun: runs stretches of frame 0 as wasm, keeps these in step

    using Stack = std::array<uint8_t, kStackSize>;
    void enter_tail_call();
    // The interpreter's side of callbacks (vm_callback.cpp). enter_callback pushes the frame
    // helper_call_back asked for above frame `depth` and sets up its first call;
    // callback_returned runs where a callback frame exits: the next call, or the return to the
    // helper's caller. Both update r, init and depth, append their undo records when
    // recording, and give the pc to continue at, or kCallbackFault with fault_ set.
    static constexpr uint32_t kCallbackFault = UINT32_MAX;
    uint32_t enter_callback(uint32_t pc, uint64_t* r, uint16_t& init, uint32_t& depth);
    uint32_t callback_returned(uint32_t pc, uint64_t* r, uint16_t& init, uint32_t& depth);
    void journal_callback(uint32_t depth);
    // Maps the stack of frame stack_frames_ (deeper than kMaxCallFrames: only after tail calls
    // from subprograms, so those stacks are allocated when first used).
    void add_stack_frame();
    // The interpreter's cold path for a load or store at `pc` through register `reg` that hit
    // an address near 0: says in fault_'s hint where that NULL came from (null_origin.hpp),
    // following arguments through the `depth` frames on the call stack.
    void explain_null_pointer(uint32_t pc, uint8_t reg, uint32_t depth);

    const Program* program_;
    const Program* const entry_program_;  // reset() returns to it
    const Program* pending_tail_call_ = nullptr;
    CallbackState pending_callback_{};
    std::unique_ptr<uint8_t[]> callback_keys_;  // kMaxRunFrames slots; see callback_key_slot
    std::vector<std::vector<uint8_t>> callback_scratch_;  // kMaxRunFrames once used; never resized
    uint32_t tail_calls_ = 0;
    uint32_t frame_base_ = 0;
    bool switched_ = false;  // the interpreter returned to run another program (an exit from one)
    Memory memory_;
    std::array<uint64_t, 11> regs_{};
    uint32_t pc_ = 0;
    uint32_t depth_ = 0;
    uint16_t init_ = 0;
    std::array<Frame, kMaxRunFrames> frames_{};
    std::array<Stack, kMaxCallFrames> stacks_{};
    std::vector<std::unique_ptr<Stack>> deep_stacks_;  // frames kMaxCallFrames and deeper
    uint32_t stack_frames_ = kMaxCallFrames;           // frames with a stack mapped
    uint64_t budget_ = kDefaultBudget;
    uint64_t executed_ = 0;
    RunStatus status_ = RunStatus::Ready;
    bool helper_stopped_ = false;
    bool in_helper_ = false;
    uint64_t executed_at_call_ = 0;
    uint64_t held_lock_ = 0;
    std::optional<Error> fault_;
    Journal* journal_ = nullptr;
    HelperEffects* effects_ = nullptr;
};

}  // namespace bpfplay
