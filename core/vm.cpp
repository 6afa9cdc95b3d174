#include "core/vm.hpp"

#include <algorithm>
#include <cstring>

#include "core/null_origin.hpp"

namespace bpfplay {

template <bool kCheckInit, bool kRecord>
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
    pending_callback_ = {};
    for (Frame& f : frames_) f.callback = {};
    tail_calls_ = 0;
    frame_base_ = 0;
    switched_ = false;
    pc_ = 0;
    depth_ = 0;
    executed_ = 0;
    status_ = RunStatus::Ready;
    helper_stopped_ = false;
    held_lock_ = 0;
    fault_.reset();
    for (auto& s : stacks_) s.fill(0);
    for (auto& s : deep_stacks_) s->fill(0);
    regs_[10] = frame_pointer(0);
    init_ = uint16_t(init_ | (1u << 10));
}

void Vm::helper_fail(Error e) {
    if (!e.where.pc) e.where.pc = pc_;
    fault_ = std::move(e);
    status_ = RunStatus::Faulted;
    helper_stopped_ = true;
}

void Vm::stop(Error e) {
    if (status_ != RunStatus::Ready) return;
    if (!e.where.pc) e.where.pc = pc_;
    fault_ = std::move(e);
    status_ = RunStatus::Faulted;
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

const Program& Vm::program_at(uint32_t depth) const {
    const Program* p = program_;
    // Walk down past every frame a tail call took over: below it runs its caller's program.
    for (uint32_t base = frame_base_; depth < base;) {
        p = frames_[base].caller_program;
        base = frames_[base].caller_base;
    }
    return *p;
}

void Vm::add_stack_frame() {
    deep_stacks_.push_back(std::make_unique<Stack>());
    deep_stacks_.back()->fill(0);
    memory_.map(window::stack_of_frame(stack_frames_), RegionKind::Stack, kReadWrite,
                deep_stacks_.back()->data(), kStackSize, "stack of frame " + std::to_string(stack_frames_));
    ++stack_frames_;
}

void Vm::enter_tail_call() {
    if (depth_ > frame_base_) {
        // Made from a subprogram: the target takes over the subprogram's frame only, so the
        // frame remembers where its exit goes back to (the subprogram's caller, in this program).
        Frame& f = frames_[depth_];
        if (journal_) journal_->tail_frame(depth_, f.caller_program, f.caller_base, frame_base_);
        f.caller_program = program_;
        f.caller_base = frame_base_;
        frame_base_ = depth_;
    }
    program_ = pending_tail_call_;
    pending_tail_call_ = nullptr;
    ++tail_calls_;
    pc_ = 0;
    init_ = uint16_t((1u << 1) | (1u << 10));
}

RunStatus Vm::run(uint64_t max_steps) {
    for (;;) {
        if (status_ != RunStatus::Ready) return status_;
        const uint64_t before = executed_;
        RunStatus s;
        if (journal_)
            s = program_->needs_init_checks ? interpret<true, true>(*this, max_steps)
                                            : interpret<false, true>(*this, max_steps);
        else
            s = program_->needs_init_checks ? interpret<true, false>(*this, max_steps)
                                            : interpret<false, false>(*this, max_steps);
        // The interpreter runs one program; it returns to switch to another: after a
        // bpf_tail_call insn (to its target) or an exit from a tail-called program's own frame
        // (already switched to the program it returned into).
        if (pending_tail_call_) enter_tail_call();
        else if (switched_) switched_ = false;
        else return s;
        max_steps -= std::min(max_steps, executed_ - before);
        if (max_steps == 0) return status_;
    }
}

void Vm::explain_null_pointer(uint32_t pc, uint8_t reg, uint32_t depth) {
    if (!fault_) return;
    // The calls that made the frames, innermost first: frame d was entered by the call just
    // before frames_[d].return_pc. After a tail call the frames may belong to another program.
    std::vector<uint32_t> call_sites;
    if (tail_calls_ == 0)
        for (uint32_t d = depth; d >= 1; --d) call_sites.push_back(frames_[d].return_pc - 1);
    fault_->hint = null_pointer_hint(*program_, pc, reg, call_sites);
}

void Vm::set_recording(Journal* journal, HelperEffects* effects) {
    journal_ = journal;
    effects_ = effects;
    memory_.set_journal(journal);
}

bool Vm::undo_step() {
    if (!journal_) return false;
    if (status_ == RunStatus::Faulted && fault_ && fault_->kind == ErrorKind::Budget) {
        // Running out of budget executed nothing: only the status goes back.
        status_ = RunStatus::Ready;
        fault_.reset();
        return true;
    }
    Journal& j = *journal_;
    if (j.steps() == 0) return false;
    // A faulting instruction was not counted as executed; an exit was.
    const bool counted = status_ != RunStatus::Faulted;
    const uint64_t step = j.steps() - 1;
    // Records are undone newest first; a step rarely has more than a few (no allocation then).
    const uint8_t* small[16];
    std::vector<const uint8_t*> many;
    size_t count = 0;
    j.for_each_record(step, [&](JournalTag, const uint8_t* rec) {
        if (count < 16) small[count] = rec;
        else {
            if (many.empty()) many.assign(small, small + 16);
            many.push_back(rec);
        }
        ++count;
    });
    auto u64 = [](const uint8_t* p) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    };
    auto u32 = [](const uint8_t* p) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    };
    for (size_t k = count; k-- > 0;) {
        const uint8_t* rec = count <= 16 ? small[k] : many[k];
        switch (JournalTag(rec[0] & 0x0f)) {
        case JournalTag::Reg: regs_[rec[1] & 0xf] = u64(rec + 2); break;
        case JournalTag::Mem:
            std::memcpy(reinterpret_cast<uint8_t*>(uintptr_t(u64(rec + 9))), rec + 25, size_t(u64(rec + 1)));
            break;
        case JournalTag::MemSmall:
            std::memcpy(reinterpret_cast<uint8_t*>(uintptr_t(u64(rec + 1))), rec + 17, size_t(1) << ((rec[0] >> 4) & 3));
            break;
        case JournalTag::Call:
            depth_ = rec[1];
            regs_[10] = u64(rec + 2);
            break;
        case JournalTag::Exit: {
            // The frame comes back to life, and its slot may since have been reused by a call
            // (whose undo left it as it was): the return pc is where the return went (pc_
            // until this step's header is undone), the saved r6..r9 what r6..r9 hold now.
            depth_ = rec[1];
            Frame& f = frames_[depth_];
            f.return_pc = pc_;
            std::memcpy(&f.saved_init, rec + 2, 2);
            std::memcpy(f.saved.data(), &regs_[6], 4 * 8);
            std::memcpy(&regs_[6], rec + 4, 5 * 8);
            break;
        }
        case JournalTag::ProgramSwitch:
            frame_base_ = u32(rec + 1);
            program_ = reinterpret_cast<const Program*>(uintptr_t(u64(rec + 5)));
            break;
        case JournalTag::TailFrame: {
            Frame& f = frames_[rec[1]];
            f.caller_program = reinterpret_cast<const Program*>(uintptr_t(u64(rec + 2)));
            f.caller_base = u32(rec + 10);
            frame_base_ = u32(rec + 14);
            break;
        }
        case JournalTag::Callback: {
            uint64_t w[kCallbackStateWords];
            std::memcpy(w, rec + 2, sizeof w);
            frames_[rec[1]].callback = callback_state_from_words(w);
            break;
        }
        case JournalTag::VmState:
            depth_ = rec[1];
            std::memcpy(&init_, rec + 2, 2);
            std::memcpy(regs_.data(), rec + 4, 11 * 8);
            program_ = reinterpret_cast<const Program*>(uintptr_t(u64(rec + 92)));
            tail_calls_ = u32(rec + 100);
            held_lock_ = u64(rec + 104);
            break;
        case JournalTag::External: {
            auto& action = j.actions_[size_t(u64(rec + 1) - j.actions_base_)];
            action->undo();
            j.action_bytes_ -= action->bytes();
            j.actions_.pop_back();  // this step's actions are the newest
            break;
        }
        }
    }
    const Journal::StepHeader h = j.last_header();
    if (h.has_old) regs_[h.reg] = h.old;
    pc_ = h.pc;
    init_ = h.init;
    j.pop_step();
    if (counted && executed_ > 0) --executed_;
    status_ = RunStatus::Ready;
    fault_.reset();
    helper_stopped_ = false;
    pending_tail_call_ = nullptr;
    pending_callback_ = {};
    switched_ = false;
    return true;
}

}  // namespace bpfplay
