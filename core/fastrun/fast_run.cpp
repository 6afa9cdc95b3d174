#include "core/fastrun/fast_run.hpp"

#include <cstring>

namespace bpfplay {

FastRunner::FastRunner(const Program& prog, const FastModule& module, FastEngine& engine)
    : lookup_([&prog, &module, &engine](const Program& p) {
          return &p == &prog ? FastCode{&module, &engine} : FastCode{};
      }) {}

FastRunner::FastRunner(FastCodeLookup lookup) : lookup_(std::move(lookup)) {}

// A module runs frames it can model: its program's own, below the verifier's frame limit,
// with no frame a tail call took over (that one returns into another program). A callback's
// frame is run too; its exit is handed over (kFrameHandOver).
bool FastRunner::at_block(const Vm& vm) {
    if (vm.program_ != prog_) {
        prog_ = vm.program_;
        code_ = lookup_(*prog_);
    }
    if (!code_.module || vm.frame_base_ != 0 || vm.depth_ >= uint32_t(kMaxCallFrames)) return false;
    const FastModule& m = *code_.module;
    if (vm.pc_ >= m.block_of_pc.size() || m.block_of_pc[vm.pc_] < 0) return false;
    if (left(vm) < m.entry_charge[uint32_t(m.block_of_pc[vm.pc_])]) return false;
    for (uint32_t d = 1; d <= vm.depth_; ++d)
        if (vm.frames_[d].caller_program) return false;
    return true;
}

uint64_t FastRunner::left(const Vm& vm) const {
    const uint64_t to_budget = vm.budget_ > vm.executed_ ? vm.budget_ - vm.executed_ : 0;
    const uint64_t to_stop = stop_at_ > vm.executed_ ? stop_at_ - vm.executed_ : 0;
    return to_budget < to_stop ? to_budget : to_stop;
}

bool FastRunner::enter(Vm& vm) {
    namespace L = fastrun_layout;
    const FastModule& m = *code_.module;
    uint8_t* const s = state_.data();
    std::memcpy(s + L::kRegs, vm.regs_.data(), 8 * 11);
    const uint32_t block = uint32_t(m.block_of_pc[vm.pc_]);
    const uint64_t left_before = left(vm);
    const uint64_t left_in = left_before - m.entry_charge[block];  // at_block checked it is enough
    std::memcpy(s + L::kLeft, &left_in, 8);
    const uint32_t depth = vm.depth_, calls_ok = vm.held_lock_ == 0;
    std::memcpy(s + L::kDepth, &depth, 4);
    std::memcpy(s + L::kCallsOk, &calls_ok, 4);
    for (uint32_t d = 1; d <= depth; ++d) {
        uint8_t* f = s + L::kFrames + L::kFrameBytes * d;
        const Frame& fr = vm.frames_[d];
        // A callback frame's return point is the helper's business: its exit hands over.
        const uint32_t callback = fr.callback.kind != CallbackKind::None;
        const uint32_t ret[2] = {fr.return_pc, callback ? 0 : uint32_t(m.block_of_pc[fr.return_pc])};
        std::memcpy(f + L::kFrameReturnPc, ret, sizeof ret);
        std::memcpy(f + L::kFrameSaved, fr.saved.data(), 8 * 4);
        std::memcpy(f + L::kFrameHandOver, &callback, 4);
    }
    // The region table, rebuilt when the layout changed: a helper may have mapped, moved or
    // resized a region since (bpf_xdp_adjust_head moves the packet). Rebuilding it at every
    // helper call cost more than the rest of a hand-over (in node, ~290 ns of ~400).
    // Windows from kDeepStack0 on (stacks of frames only tail calls from subprograms reach)
    // stay empty: their accesses take the interpreter's path. In the wasm build a host pointer
    // is the linear-memory address.
    const uint64_t version = vm.memory_.layout_version();
    const bool rebuild = table_version_ != version;
    for (uint32_t w = 0; rebuild && w < window::kDeepStack0; ++w) {
        const Region& r = vm.memory_.region(w);
        const bool plain = r.host && !r.chunks;
        const uint32_t entry[3] = {plain ? uint32_t(reinterpret_cast<uintptr_t>(r.host)) : 0,
                                   plain && (r.perm & kRead) ? r.size : 0, plain && (r.perm & kWrite) ? r.size : 0};
        std::memcpy(s + L::kTable + L::kEntryBytes * w, entry, sizeof entry);
    }
    table_version_ = version;
    const uint32_t pc = code_.engine->enter(s, block);
    ++entries_;
    if (pc >= prog_->insns.size()) {
        vm.fault_ = make_error(ErrorKind::Runtime,
                               "internal error: the fast run's module returned instruction " + std::to_string(pc) +
                                   ", which this program does not have",
                               vm.pc_);
        vm.status_ = RunStatus::Faulted;
        return false;
    }
    std::memcpy(vm.regs_.data(), s + L::kRegs, 8 * 11);
    uint64_t left_after = 0;
    std::memcpy(&left_after, s + L::kLeft, 8);
    uint32_t depth_after = 0;
    std::memcpy(&depth_after, s + L::kDepth, 4);
    // The frames the module entered, as the interpreter's call would have left them. Not only
    // those above the entry's depth: the module may have returned below it and called again
    // (in a callee at depth 1: exit, then another call), so a frame at the same depth is then
    // another call, with its own return point and saved registers. A frame whose record is as
    // enter() wrote it is the same frame, left as it was.
    for (uint32_t d = 1; d <= depth_after; ++d) {
        const uint8_t* f = s + L::kFrames + L::kFrameBytes * d;
        Frame& fr = vm.frames_[d];
        uint32_t return_pc = 0;
        std::array<uint64_t, 4> saved{};
        std::memcpy(&return_pc, f + L::kFrameReturnPc, 4);
        std::memcpy(saved.data(), f + L::kFrameSaved, 8 * 4);
        if (d <= depth && return_pc == fr.return_pc && saved == fr.saved) continue;
        fr.return_pc = return_pc;
        fr.saved = saved;
        fr.saved_init = vm.init_;
    }
    vm.depth_ = depth_after;
    fast_insns_ += left_before - left_after;
    vm.executed_ += left_before - left_after;
    vm.pc_ = pc;
    return true;
}

RunStatus FastRunner::run(Vm& vm, uint64_t max_insns) {
    if (vm.journal_) return vm.run(max_insns);
    table_version_.reset();
    stop_at_ = max_insns > UINT64_MAX - vm.executed_ ? UINT64_MAX : vm.executed_ + max_insns;
    for (;;) {
        if (vm.status_ != RunStatus::Ready || vm.executed_ >= stop_at_) return vm.status_;
        if (at_block(vm)) {
            if (!enter(vm)) return vm.status_;
            if (vm.executed_ >= stop_at_) return vm.status_;  // the slice ended inside the module
        }
        // The module hands over where it cannot go on (or where the budget or the slice cannot
        // pay for a whole block): the interpreter runs at least that instruction, then on to a
        // block start.
        do {
            vm.run(1);
        } while (vm.status_ == RunStatus::Ready && vm.executed_ < stop_at_ && !at_block(vm));
    }
}

}  // namespace bpfplay
