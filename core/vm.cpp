#include "core/vm.hpp"

#include <algorithm>

namespace bpfplay {

template <bool kCheckInit>
RunStatus interpret(Vm& vm, uint64_t max_steps);

Vm::Vm(const Program& program) : program_(&program), entry_program_(&program) {
    for (uint32_t k = 0; k < kMaxCallFrames; ++k)
        memory_.map(window::kStack0 + k, RegionKind::Stack, kReadWrite, stacks_[k].data(), kStackSize,
                    "stack of frame " + std::to_string(k));
    reset();
}

void Vm::set_raw_input(std::span<uint8_t> input) {
    if (input.empty()) {
        memory_.unmap(window::kContext);
        set_reg(1, 0);
    } else {
        memory_.map(window::kContext, RegionKind::Context, kReadWrite, input.data(), uint32_t(input.size()),
                    "input memory");
        set_reg(1, window_base(window::kContext));
    }
    set_reg(2, input.size());
}

void Vm::set_reg(int i, uint64_t v) {
    regs_[i] = v;
    init_ = uint16_t(init_ | (1u << i));
}

void Vm::reset() {
    program_ = entry_program_;
    pending_tail_call_ = nullptr;
    tail_calls_ = 0;
    pc_ = 0;
    depth_ = 0;
    executed_ = 0;
    status_ = RunStatus::Ready;
    helper_stopped_ = false;
    fault_.reset();
    for (auto& s : stacks_) s.fill(0);
    regs_[10] = frame_pointer(0);
    init_ = uint16_t(init_ | (1u << 10));
}

void Vm::helper_fail(Error e) {
    if (!e.where.pc) e.where.pc = pc_;
    fault_ = std::move(e);
    status_ = RunStatus::Faulted;
    helper_stopped_ = true;
}

void Vm::helper_exit(uint64_t r0) {
    regs_[0] = r0;
    status_ = RunStatus::Exited;
    helper_stopped_ = true;
}

void Vm::helper_tail_call(const Program& target) {
    pending_tail_call_ = &target;
    helper_stopped_ = true;
}

RunStatus Vm::run(uint64_t max_steps) {
    for (;;) {
        if (status_ != RunStatus::Ready) return status_;
        const uint64_t before = executed_;
        const RunStatus s = program_->needs_init_checks ? interpret<true>(*this, max_steps)
                                                        : interpret<false>(*this, max_steps);
        if (!pending_tail_call_) return s;
        // The interpreter stopped after the bpf_tail_call insn: continue in the target.
        program_ = pending_tail_call_;
        pending_tail_call_ = nullptr;
        ++tail_calls_;
        pc_ = 0;
        init_ = uint16_t((1u << 1) | (1u << 10));
        max_steps -= std::min(max_steps, executed_ - before);
        if (max_steps == 0) return status_;
    }
}

}  // namespace bpfplay
