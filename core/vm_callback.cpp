// Callback frames (callback.hpp): entering one after bpf_loop / bpf_for_each_map_elem returns,
// and what each exit of such a frame does. Out of the interpreter's loop: they run once per
// callback call, and keeping them here keeps the hot loop small.
#include <cstring>
#include <string>

#include "core/decode_ops.hpp"
#include "core/hex.hpp"
#include "core/vm.hpp"

namespace bpfplay {

const char* callback_helper_name(CallbackKind kind) {
    switch (kind) {
    case CallbackKind::None: return "";
    case CallbackKind::Loop: return "bpf_loop";
    case CallbackKind::ForEach: return "bpf_for_each_map_elem";
    case CallbackKind::UserRingbufDrain: return "bpf_user_ringbuf_drain";
    case CallbackKind::FindVma: return "bpf_find_vma";
    case CallbackKind::RbtreeAdd: return "bpf_rbtree_add_impl";
    }
    return "";
}

namespace {

void state_words(const CallbackState& s, uint64_t w[kCallbackStateWords]) {
    w[0] = uint64_t(s.kind) | (uint64_t(s.arg_mask) << 8) | (uint64_t(s.entry) << 32);
    w[1] = s.calls;
    w[2] = s.position;
    w[3] = s.limit;
    w[4] = s.ctx;
    w[5] = s.map;
    w[6] = reinterpret_cast<uintptr_t>(s.next);
}

}  // namespace

CallbackState callback_state_from_words(const uint64_t w[kCallbackStateWords]) {
    CallbackState s;
    s.kind = CallbackKind(w[0] & 0xff);
    s.arg_mask = uint16_t(w[0] >> 8);
    s.entry = uint32_t(w[0] >> 32);
    s.calls = w[1];
    s.position = w[2];
    s.limit = w[3];
    s.ctx = w[4];
    s.map = w[5];
    s.next = reinterpret_cast<CallbackNextFn>(uintptr_t(w[6]));
    return s;
}

std::string callback_description(const CallbackState& s) {
    // `position` has moved past the element of the call running now.
    const uint64_t current = s.position ? s.position - 1 : 0;
    switch (s.kind) {
    case CallbackKind::None: return {};
    case CallbackKind::Loop:
        return "bpf_loop: index " + std::to_string(current) + " (call " + std::to_string(current + 1) + " of " +
               std::to_string(s.limit) + ")";
    case CallbackKind::ForEach:
        return "bpf_for_each_map_elem: element " + std::to_string(current + 1) + " of " + std::to_string(s.limit);
    case CallbackKind::UserRingbufDrain: return "bpf_user_ringbuf_drain: record " + std::to_string(s.calls + 1);
    case CallbackKind::FindVma: return "bpf_find_vma: the area at " + hex(s.limit);
    case CallbackKind::RbtreeAdd:
        return "bpf_rbtree_add_impl: less(" + hex(s.limit) + ", " + hex(s.position) + "), comparison " +
               std::to_string(s.calls + 1);
    }
    return {};
}

void Vm::helper_call_back(const CallbackState& s) {
    pending_callback_ = s;
    helper_stopped_ = true;
}

namespace {

// Stepping back past the first callback key takes the key window away again (the buffer stays).
class UnmapWindow final : public UndoAction {
public:
    UnmapWindow(Memory& memory, uint32_t w) : memory_(memory), w_(w) {}
    void undo() override { memory_.unmap(w_); }
    size_t bytes() const override { return sizeof *this; }

private:
    Memory& memory_;
    uint32_t w_;
};

}  // namespace

uint8_t* Vm::callback_key_slot(uint32_t depth) {
    if (memory_.region(window::kCallbackKeys).kind == RegionKind::None) {
        const uint32_t size = uint32_t(kMaxRunFrames) * kCallbackKeySlot;
        if (!callback_keys_) {
            callback_keys_ = std::make_unique<uint8_t[]>(size);
            std::memset(callback_keys_.get(), 0, size);
        }
        if (journal_) journal_->external(std::make_unique<UnmapWindow>(memory_, window::kCallbackKeys));
        memory_.map(window::kCallbackKeys, RegionKind::ReadOnly, kRead, callback_keys_.get(), size,
                    "keys given to bpf_for_each_map_elem callbacks");
        memory_.set_hint(window::kCallbackKeys,
                         "A callback may read its key (key_size bytes), never write it: the kernel's "
                         "verifier types it a read-only map key.");
    }
    return callback_keys_.get() + uint64_t(depth) * kCallbackKeySlot;
}

std::vector<uint8_t>& Vm::callback_scratch(uint32_t depth) {
    if (callback_scratch_.empty()) callback_scratch_.resize(kMaxRunFrames);
    return callback_scratch_[depth];
}

bool Vm::in_callback(uint32_t depth) const {
    for (uint32_t d = 1; d <= depth && d < uint32_t(kMaxRunFrames); ++d)
        if (frames_[d].callback.kind != CallbackKind::None) return true;
    return false;
}

void Vm::journal_callback(uint32_t depth) {
    if (!journal_) return;
    uint64_t w[kCallbackStateWords];
    state_words(frames_[depth].callback, w);
    journal_->make_room(journal_->cursor());
    journal_->cursor().callback(depth, w);
}

uint32_t Vm::enter_callback(uint32_t pc, uint64_t* r, uint16_t& init, uint32_t& depth) {
    CallbackState s = pending_callback_;
    pending_callback_ = {};
    uint64_t args[5] = {};
    // The helper checked that there is a first call to make; should the element be gone, the
    // helper returns 0 calls without entering the frame.
    if (!s.next(*this, depth + 1, s, args)) {
        r[0] = 0;
        return pc + 1;
    }
    Frame& f = frames_[depth + 1];
    if (journal_) {
        Journal::Cursor& c = journal_->cursor();
        journal_->make_room(c);
        c.call(depth, r[10]);
    }
    journal_callback(depth + 1);
    f.return_pc = pc + 1;
    f.saved = {r[6], r[7], r[8], r[9]};
    f.saved_init = init;
    f.callback = s;
    ++depth;
    std::memcpy(&r[1], args, sizeof args);
    r[10] = frame_pointer(depth);
    init = uint16_t(s.arg_mask | kFramePointer);
    return s.entry;
}

uint32_t Vm::callback_returned(uint32_t pc, uint64_t* r, uint16_t& init, uint32_t& depth) {
    Frame& f = frames_[depth];
    CallbackState& s = f.callback;
    // The verifier's check_return_code for a callback: r0 must be 0 or 1.
    if (r[0] > 1) {
        fault_ = make_error(ErrorKind::Verify,
                            std::string("the ") + callback_helper_name(s.kind) + " callback returns " +
                                std::to_string(int64_t(r[0])) +
                                " (the kernel's verifier says \"At callback return the register R0 has value " +
                                hex(r[0]) + " should have been in (0x0; 0x1)\")",
                            pc, "Return 0 to go on with the next call, 1 to stop.");
        return kCallbackFault;
    }
    journal_callback(depth);
    ++s.calls;
    uint64_t args[5] = {};
    // bpf_rbtree_add's walk goes on whatever less() answered: the answer picks the way.
    const bool walk = s.kind == CallbackKind::RbtreeAdd;
    if (walk) s.ctx = r[0];
    if ((r[0] == 0 || walk) && s.next(*this, depth, s, args)) {
        if (journal_) {
            Journal::Cursor& c = journal_->cursor();
            journal_->make_room(c);
            for (uint8_t i = 1; i <= 5; ++i) c.reg(i, r[i]);
        }
        std::memcpy(&r[1], args, sizeof args);
        init = uint16_t(s.arg_mask | kFramePointer);
        return s.entry;
    }
    // Back in the helper's caller, which sees the helper return the number of calls made.
    if (journal_) {
        Journal::Cursor& c = journal_->cursor();
        journal_->make_room(c);
        c.exit(depth, f.saved_init, &r[6]);
        c.reg(0, r[0]);  // an exit's step keeps no register of its own
    }
    // bpf_find_vma returns 0 once its callback ran; the others count the calls.
    // bpf_rbtree_add_impl returns 0 once the node is in the tree.
    r[0] = s.kind == CallbackKind::FindVma || walk ? 0 : s.calls;
    s = {};
    r[6] = f.saved[0];
    r[7] = f.saved[1];
    r[8] = f.saved[2];
    r[9] = f.saved[3];
    init = uint16_t((f.saved_init & ~kArgRegs) | 1u | kFramePointer);
    --depth;
    r[10] = frame_pointer(depth);
    return f.return_pc;
}

}  // namespace bpfplay
