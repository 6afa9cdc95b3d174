#pragma once
// The undo journal behind reverse execution. While a Vm records, every instruction it executes
// appends what it is about to overwrite: the register it writes, the memory bytes it stores
// over, the call frame it replaces; a helper call appends the whole register file plus
// whatever the debugger's HelperEffects saves (map states, host state). Vm::undo_step pops one
// instruction and puts every byte back, so stepping back is exact and costs what the step
// changed, never a re-run from the start.
//
// Layout: one stream of 64-bit words. Each step starts with a header word (pc, the
// initialized-register mask, the written register) and that register's old value; records
// for anything else follow, each a tag word and its payload. step_starts_ holds each step's
// first word. Memory is bounded: when the stream would pass the limit, the oldest half of the
// history is dropped (stepping back then stops at the oldest step kept).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "core/callback.hpp"

namespace bpfplay {

class Vm;

// Something a helper call changed outside the registers and the checked memory path: a map's
// bookkeeping, the host's printk buffer. The debugger supplies these.
class UndoAction {
public:
    virtual ~UndoAction() = default;
    virtual void undo() = 0;
    virtual size_t bytes() const = 0;  // host memory held, counted against the journal's limit
};

// Called before every helper the recording Vm runs: pushes UndoActions for what the helper may
// change (given the argument registers).
class HelperEffects {
public:
    virtual ~HelperEffects() = default;
    virtual void before_helper(Vm& vm, int32_t helper_id, const uint64_t args[5]) = 0;
    // After it returned (also when it stopped the run).
    virtual void after_helper(Vm& vm) = 0;
};

enum class JournalTag : uint8_t {
    Reg = 1,       // another register: [tag|reg<<8] [old]
    Mem = 2,       // [tag|len<<8] [host pointer] [virtual address] [old bytes, padded to words]
    Call = 3,      // a local call: [tag|depth<<8] [r10] [return_pc|saved_init<<32] [saved r6..r9]
    Exit = 6,      // a return: [tag|depth<<8] [r6..r10]
    VmState = 4,   // a helper call: every register, program, tail-call count, held lock
    External = 5,  // [tag|index<<8]: an UndoAction
    // An exit from a tail-called program back into the program that called the subprogram
    // the tail call replaced: [tag|frame base<<8] [program]
    ProgramSwitch = 7,
    // A tail call made from a subprogram takes over its frame: [tag|depth<<8]
    // [the frame's caller_program] [its caller_base | the Vm's frame base<<32]
    TailFrame = 8,
    // A callback frame's state before a step changed it: [tag|depth<<8] [CallbackState, 7 words]
    Callback = 9,
};

class Journal {
public:
    static constexpr uint64_t kDefaultLimitBytes = 256ull << 20;
    // Words an instruction other than a helper call may append; the interpreter makes sure
    // this much room is free before each instruction, so the hot path never reallocates.
    static constexpr size_t kStepHeadroom = 32;

    // Where appending continues. The interpreter keeps a copy in locals while it runs (one
    // less memory round trip per instruction) and hands it back before anything else appends.
    // Every step takes at least 2 words, so the step index (sized to half the words) cannot
    // fill up before the words do: one room check per instruction covers both.
    struct Cursor {
        uint64_t* base = nullptr;  // words_.data()
        uint64_t* cur = nullptr;
        uint64_t* end = nullptr;
        uint32_t* step = nullptr;  // next free entry of the step index

        void begin_step(uint32_t pc, uint16_t init, uint8_t reg, uint64_t old) {
            *step++ = uint32_t(cur - base);
            cur[0] = uint64_t(pc) | (uint64_t(init) << 32) | (uint64_t(reg) << 48);
            cur[1] = old;
            cur += 2;
        }
        void reg(uint8_t r, uint64_t old) {
            cur[0] = uint64_t(JournalTag::Reg) | (uint64_t(r) << 8);
            cur[1] = old;
            cur += 2;
        }
        // Up to 8 bytes (an instruction's store); fits in the headroom.
        void mem_small(uint8_t* host, uint64_t vaddr, uint32_t len) {
            cur[0] = uint64_t(JournalTag::Mem) | (uint64_t(len) << 8);
            cur[1] = reinterpret_cast<uintptr_t>(host);
            cur[2] = vaddr;
            cur[3] = 0;
            std::memcpy(&cur[3], host, len);
            cur += 4;
        }
        // A call overwrites r10, the depth and the next frame's slot.
        void call(uint32_t depth, uint64_t r10, uint32_t return_pc, uint16_t saved_init, const uint64_t saved[4]) {
            cur[0] = uint64_t(JournalTag::Call) | (uint64_t(depth) << 8);
            cur[1] = r10;
            cur[2] = uint64_t(return_pc) | (uint64_t(saved_init) << 32);
            std::memcpy(&cur[3], saved, 4 * 8);
            cur += 7;
        }
        // A return overwrites r6..r10 and the depth.
        void exit(uint32_t depth, const uint64_t r6_to_r10[5]) {
            cur[0] = uint64_t(JournalTag::Exit) | (uint64_t(depth) << 8);
            std::memcpy(&cur[1], r6_to_r10, 5 * 8);
            cur += 6;
        }
        void program_switch(const void* program, uint32_t frame_base) {
            cur[0] = uint64_t(JournalTag::ProgramSwitch) | (uint64_t(frame_base) << 8);
            cur[1] = reinterpret_cast<uintptr_t>(program);
            cur += 2;
        }
        void vm_state(const uint64_t regs[11], uint32_t depth, uint16_t init, const void* program,
                      uint32_t tail_calls, uint64_t held_lock) {
            cur[0] = uint64_t(JournalTag::VmState) | (uint64_t(depth) << 8) | (uint64_t(init) << 40);
            std::memcpy(&cur[1], regs, 11 * 8);
            cur[12] = reinterpret_cast<uintptr_t>(program);
            cur[13] = tail_calls;
            cur[14] = held_lock;
            cur += 15;
        }
        void callback(uint32_t depth, const uint64_t state[kCallbackStateWords]) {
            cur[0] = uint64_t(JournalTag::Callback) | (uint64_t(depth) << 8);
            std::memcpy(&cur[1], state, kCallbackStateWords * 8);
            cur += 1 + kCallbackStateWords;
        }
        bool has_room() const { return size_t(end - cur) >= kStepHeadroom + 2; }
    };

    explicit Journal(uint64_t limit_bytes = kDefaultLimitBytes);
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    void clear();
    uint64_t limit_bytes() const { return limit_bytes_; }
    // Host bytes held now (words, step index, undo actions).
    uint64_t bytes_used() const;
    // Steps that can be undone now, and how many older ones were dropped to stay in the limit.
    uint64_t steps() const { return uint64_t(c_.step - steps_.data()); }
    uint64_t dropped_steps() const { return dropped_steps_; }

    // ---- appending ----
    Cursor& cursor() { return c_; }
    // Makes room for kStepHeadroom words in `c` (the interpreter's copy or cursor()).
    void make_room(Cursor& c) {
        if (!c.has_room()) [[unlikely]] {
            c_ = c;
            grow(kStepHeadroom + 2);
            c = c_;
        }
    }
    // Any length (helpers' writes, a context's bytes; vaddr 0 when it has none).
    void mem(uint8_t* host, uint64_t vaddr, uint64_t len);
    void external(std::unique_ptr<UndoAction> action);
    void tail_frame(uint32_t depth, const void* caller_program, uint32_t caller_base, uint32_t frame_base);

    // ---- reading back (Vm::undo_step) ----
    struct StepHeader {
        uint32_t pc;
        uint16_t init;
        uint8_t reg;
        uint64_t old;
    };
    // The newest step's header.
    StepHeader last_header() const;
    // The pc each kept step started at, oldest first (hit counts, traces).
    uint32_t pc_of_step(uint64_t i) const { return uint32_t(words_[steps_[i]]); }
    // The memory the newest step wrote: (virtual address, length) of each Mem record.
    struct Write {
        uint64_t vaddr;
        uint64_t len;
    };
    std::vector<Write> last_step_writes() const;
    // The undo actions of the newest step, oldest first.
    std::vector<const UndoAction*> last_step_actions() const;

    // Words a record takes, from its tag word.
    static size_t record_words(uint64_t tag_word) {
        switch (JournalTag(tag_word & 0xff)) {
        case JournalTag::Reg: return 2;
        case JournalTag::Mem: return 3 + size_t(std::max<uint64_t>(1, ((tag_word >> 8) + 7) / 8));
        case JournalTag::Call: return 7;
        case JournalTag::Exit: return 6;
        case JournalTag::VmState: return 15;
        case JournalTag::External: return 1;
        case JournalTag::ProgramSwitch: return 2;
        case JournalTag::TailFrame: return 3;
        case JournalTag::Callback: return 1 + kCallbackStateWords;
        }
        return 1;
    }
    // Calls f(tag, record words) for each record of step i, oldest first.
    template <class F>
    void for_each_record(size_t i, F&& f) const {
        size_t pos = steps_[i] + 2;
        const size_t stop = i + 1 < steps() ? steps_[i + 1] : size_t(c_.cur - c_.base);
        while (pos < stop) {
            f(JournalTag(words_[pos] & 0xff), &words_[pos]);
            pos += record_words(words_[pos]);
        }
    }

private:
    friend class Vm;
    void grow(size_t need);
    void drop_oldest_half();
    void set_buffers(size_t words, size_t used_words, size_t nsteps);

    std::vector<uint64_t> words_;
    std::vector<uint32_t> steps_;  // each step's first word; sized words_.size() / 2 + 1
    Cursor c_;
    std::deque<std::unique_ptr<UndoAction>> actions_;
    uint64_t actions_base_ = 0;  // index of actions_.front() (dropped ones keep their numbers)
    uint64_t action_bytes_ = 0;
    uint64_t limit_bytes_;
    uint64_t dropped_steps_ = 0;
};

}  // namespace bpfplay
