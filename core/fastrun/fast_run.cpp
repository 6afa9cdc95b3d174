#include "core/fastrun/fast_run.hpp"

#include <cstring>

namespace bpfplay {

FastRunner::FastRunner(const Program& prog, const FastModule& module, FastEngine& engine)
    : prog_(prog), module_(module), engine_(engine) {}

bool FastRunner::at_block(const Vm& vm) const {
    return vm.program_ == &prog_ && vm.depth_ == 0 && vm.frame_base_ == 0 && vm.pc_ < module_.block_of_pc.size() &&
           module_.block_of_pc[vm.pc_] >= 0;
}

bool FastRunner::enter(Vm& vm) {
    namespace L = fastrun_layout;
    uint8_t* const s = state_.data();
    std::memcpy(s + L::kRegs, vm.regs_.data(), 8 * 11);
    const uint64_t left = vm.budget_ > vm.executed_ ? vm.budget_ - vm.executed_ : 0;
    std::memcpy(s + L::kLeft, &left, 8);
    // The region table, rebuilt at every entry: a helper may have mapped, moved or resized a
    // region since (bpf_xdp_adjust_head moves the packet). Windows from kDeepStack0 on (stacks
    // of frames only tail calls from subprograms reach) stay empty: their accesses take the
    // interpreter's path. In the wasm build a host pointer is the linear-memory address.
    for (uint32_t w = 0; w < window::kDeepStack0; ++w) {
        const Region& r = vm.memory_.region(w);
        const bool plain = r.host && !r.chunks;
        const uint32_t entry[3] = {plain ? uint32_t(reinterpret_cast<uintptr_t>(r.host)) : 0,
                                   plain && (r.perm & kRead) ? r.size : 0, plain && (r.perm & kWrite) ? r.size : 0};
        std::memcpy(s + L::kTable + L::kEntryBytes * w, entry, sizeof entry);
    }
    const uint32_t pc = engine_.enter(s, uint32_t(module_.block_of_pc[vm.pc_]));
    ++entries_;
    if (pc >= prog_.insns.size()) {
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
    fast_insns_ += left - left_after;
    vm.executed_ += left - left_after;
    vm.pc_ = pc;
    return true;
}

RunStatus FastRunner::run(Vm& vm) {
    if (vm.journal_ || vm.program_ != &prog_) return vm.run();
    for (;;) {
        if (vm.status_ != RunStatus::Ready) return vm.status_;
        if (at_block(vm) && !enter(vm)) return vm.status_;
        // The module hands over where it cannot go on (or where the budget cannot pay for a
        // whole block): the interpreter runs at least that instruction, then on to a block start.
        do {
            vm.run(1);
        } while (vm.status_ == RunStatus::Ready && !at_block(vm));
    }
}

}  // namespace bpfplay
