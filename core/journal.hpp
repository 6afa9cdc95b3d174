#pragma once
// The undo journal behind reverse execution. While a Vm records, every instruction it executes
// appends what it is about to overwrite: the register it writes, the memory bytes it stores
// over, the call frame it leaves; a helper call appends the whole register file plus whatever
// the debugger's HelperEffects saves (map states, host state). Vm::undo_step pops one
// instruction and puts every byte back, so stepping back is exact and costs what the step
// changed, never a re-run from the start.
//
// Layout: one stream of variable-length byte records in chunks (no copy when it grows, and
// never more than one chunk allocated ahead of what is used). A step starts with a header byte
// (bit 7 set; records' tag bytes are below 0x80), then only what that step needs: its pc when
// it is not the previous step's pc + 1 (a jump, call or return landed there), the
// initialized-register mask when it changed since the previous step, the written register's old
// value when the instruction writes one. Records for anything else follow, each a tag byte and
// its payload. A straight-line ALU step takes 9 bytes, a jump 1 to 5.
//
// A step starting kCheckpointBytes or more after the last checkpoint (or first in a chunk) is
// a checkpoint: it always carries its pc and mask, and the index holds its number and
// position. Reading back starts at the nearest checkpoint and walks forward, so the index
// costs 16 bytes in 2048 and a step is found by walking at most 2 KiB of records. One
// compare per step (cur against limit) covers the room check and the next checkpoint.
// Memory is bounded: when the stream would pass the limit, the oldest half of the history is
// dropped, at a checkpoint (stepping back then stops at the oldest step kept).
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

// A record's first byte: the tag in the low 4 bits (MemSmall keeps its width's log2 in bits
// 4-5). Payloads are unaligned little-endian fields, in this order:
enum class JournalTag : uint8_t {
    Reg = 1,       // another register: [reg u8] [old u64]
    Mem = 2,       // [len u64] [host pointer] [virtual address] [old bytes]
    Call = 3,      // a local call: [depth u8] [r10 u64]
    Exit = 6,      // a return from frame depth: [depth u8] [its saved_init u16] [r6..r10]
    VmState = 4,   // a helper call: [depth u8] [init u16] [r0..r10] [program] [tail calls u32] [held lock]
    External = 5,  // [index u64]: an UndoAction
    // An exit from a tail-called program back into the program that called the subprogram
    // the tail call replaced: [frame base u32] [program]
    ProgramSwitch = 7,
    // A tail call made from a subprogram takes over its frame: [depth u8] [the frame's
    // caller_program] [its caller_base u32] [the Vm's frame base u32]
    TailFrame = 8,
    // A callback frame's state before a step changed it: [depth u8] [CallbackState, 7 words]
    Callback = 9,
    // An instruction's store of 1 << width bytes (width in bits 4-5 of the tag byte):
    // [host pointer] [virtual address] [old bytes]
    MemSmall = 10,
};

class Journal {
public:
    static constexpr uint64_t kDefaultLimitBytes = 256ull << 20;
    // Bytes an instruction other than a helper call may append; the interpreter makes sure
    // this much room is free before each instruction, so the hot path never allocates.
    static constexpr size_t kStepHeadroom = 256;
    // A checkpoint is due this many bytes after the last one.
    static constexpr size_t kCheckpointBytes = 2048;

    // Step header bits (bit 7 marks a header).
    static constexpr uint8_t kHeader = 0x80;
    static constexpr uint8_t kHasOld = 0x40;   // then the old value of register bits 0-3
    static constexpr uint8_t kHasInit = 0x20;  // then the mask before the step (u16)
    static constexpr uint8_t kHasPc = 0x10;    // then the step's pc (u32)

    // Where appending continues: the part a step touches. The interpreter keeps a copy in
    // locals while it runs (fewer live values than the whole Cursor, so the compiler can keep
    // them in registers) and hands it back before anything else appends.
    struct Appender {
        uint8_t* cur = nullptr;
        // Below this a step takes the lean path: room for kStepHeadroom bytes, no checkpoint
        // due, the mask the same as the previous step's (recording code that may change it
        // outside the checked interpreter sets limit = cur).
        uint8_t* limit = nullptr;
        // Where the previous step's instruction would fall through to: a step that starts
        // there leaves its pc out. (The interpreter's own code address, so no pc has to be
        // computed for a straight-line step; null: unknown, the next step says its pc.)
        const void* next_ip = nullptr;

        void force_full() { limit = cur; }
        // Host pointers go in as uint64_t: record_bytes and the undo code read 8 bytes for them,
        // and a pointer is 4 bytes in the wasm build.
        template <class T>
        void put(const T& v) {
            std::memcpy(cur, &v, sizeof v);
            cur += sizeof v;
        }
        void tag(JournalTag t) { *cur++ = uint8_t(t); }
        void reg(uint8_t r, uint64_t old) {
            tag(JournalTag::Reg);
            put(r);
            put(old);
        }
        // An instruction's store of 1, 2, 4 or 8 bytes (log2 of it: width); fits in the headroom.
        void mem_small(uint8_t* host, uint64_t vaddr, uint32_t width) {
            *cur++ = uint8_t(uint8_t(JournalTag::MemSmall) | (width << 4));
            put(uint64_t(reinterpret_cast<uintptr_t>(host)));
            put(vaddr);
            std::memcpy(cur, host, size_t(1) << width);
            cur += size_t(1) << width;
        }
        // A call overwrites r10 and the depth (the new frame's slot is dead until then: the
        // Exit record of whoever used it last restores it).
        void call(uint32_t depth, uint64_t r10) {
            tag(JournalTag::Call);
            put(uint8_t(depth));
            put(r10);
        }
        // A return from frame `depth` overwrites r6..r10 and the depth; the frame's slot may be
        // reused by the next call, so its mask goes too (its saved r6..r9 are what r6..r9 hold
        // after the return, its return pc the pc after it).
        void exit(uint32_t depth, uint16_t saved_init, const uint64_t r6_to_r10[5]) {
            tag(JournalTag::Exit);
            put(uint8_t(depth));
            put(saved_init);
            // One register at a time: a wider load across the separate stores that wrote
            // them would stall (see the interpreter's copy_r6_to_r9).
            for (int i = 0; i < 5; ++i) {
                uint64_t v = r6_to_r10[i];
#if defined(__GNUC__) && !defined(__EMSCRIPTEN__)
                asm("" : "+r"(v));
#endif
                put(v);
            }
        }
        void program_switch(const void* program, uint32_t frame_base) {
            tag(JournalTag::ProgramSwitch);
            put(frame_base);
            put(uint64_t(reinterpret_cast<uintptr_t>(program)));
        }
        void vm_state(const uint64_t regs[11], uint32_t depth, uint16_t init, const void* program,
                      uint32_t tail_calls, uint64_t held_lock) {
            tag(JournalTag::VmState);
            put(uint8_t(depth));
            put(init);
            std::memcpy(cur, regs, 11 * 8);
            cur += 11 * 8;
            put(uint64_t(reinterpret_cast<uintptr_t>(program)));
            put(tail_calls);
            put(held_lock);
        }
        void callback(uint32_t depth, const uint64_t state[kCallbackStateWords]) {
            tag(JournalTag::Callback);
            put(uint8_t(depth));
            std::memcpy(cur, state, kCallbackStateWords * 8);
            cur += kCallbackStateWords * 8;
        }
    };
    struct Cursor : Appender {
        uint8_t* end = nullptr;
        uint8_t* begin = nullptr;  // the current chunk's first byte
        uint8_t* mark = nullptr;   // where the next checkpoint is due
        uint32_t chunk = 0;        // its index in chunks_
        uint16_t last_init = 0;    // the previous step's mask: a step that has it leaves it out
        // Steps kept. While the interpreter runs, this counts only those before its run (it
        // adds the ones it recorded when it hands the appender back).
        uint64_t steps = 0;
    };

    explicit Journal(uint64_t limit_bytes = kDefaultLimitBytes);
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    void clear();
    uint64_t limit_bytes() const { return limit_bytes_; }
    // Host bytes held now (chunks, the index, undo actions).
    uint64_t bytes_used() const;
    // Steps that can be undone now, and how many older ones were dropped to stay in the limit.
    uint64_t steps() const { return c_.steps; }
    uint64_t dropped_steps() const { return dropped_steps_; }

    // ---- appending ----
    Cursor& cursor() { return c_; }
    // Makes room for kStepHeadroom bytes in `c` (the interpreter's copy or cursor()).
    [[gnu::always_inline]] void make_room(Cursor& c) {
        if (size_t(c.end - c.cur) < kStepHeadroom) [[unlikely]] {
            c_ = c;
            grow(kStepHeadroom);
            c = c_;
        }
    }
    // Starts a step in `c` (the interpreter's copy): the hot path. The step's instruction is
    // `ip` in `code` (its pc: ip - code), `init` the mask before it, `reg` the register it
    // writes and `old` that register's value; `hdr` is kOpHeader's bits for the instruction
    // (kHeader, plus kHasOld when it writes `reg`). `recorded`: the steps the interpreter
    // recorded before this one since it took the cursor. kInitMayChange: the checked
    // interpreter, whose mask grows as registers are written. Always inlined: a call would
    // keep the interpreter's cursor in memory rather than registers.
    template <bool kInitMayChange, class Insn>
    [[gnu::always_inline]] void begin_step(Appender& c, const Insn* ip, const Insn* code, uint16_t init, uint8_t hdr,
                                           uint8_t reg, uint64_t old, uint64_t recorded) {
        if (c.cur >= c.limit || (kInitMayChange && init != c_.last_init)) [[unlikely]] {
            // Through c_, so that c's address never leaves the inlined code: the compiler can
            // then keep the interpreter's copy in registers.
            static_cast<Appender&>(c_) = c;
            c_.steps += recorded;
            full_step(uint32_t(ip - code), init, uint8_t(hdr | reg), old);
            c = c_;
            c_.steps -= recorded + 1;
            c.next_ip = ip + 1;
            return;
        }
        uint8_t* p = c.cur;
        if (ip != c.next_ip) [[unlikely]] {  // a jump, call or return landed here
            hdr |= kHasPc;
            const uint32_t pc = uint32_t(ip - code);
            std::memcpy(p + 1, &pc, 4);
            p += 4;
        }
        c.cur[0] = uint8_t(hdr | reg);
        std::memcpy(p + 1, &old, 8);
        c.cur = p + 1 + ((hdr & kHasOld) >> 3);  // 8 bytes more when the old value is kept
        c.next_ip = ip + 1;
    }
    // Any length (helpers' writes, a context's bytes; vaddr 0 when it has none).
    void mem(uint8_t* host, uint64_t vaddr, uint64_t len);
    void external(std::unique_ptr<UndoAction> action);
    void tail_frame(uint32_t depth, const void* caller_program, uint32_t caller_base, uint32_t frame_base);

    // ---- reading back (Vm::undo_step) ----
    struct StepHeader {
        uint32_t pc = 0;
        uint16_t init = 0;
        uint8_t reg = 0;
        bool has_old = false;
        uint64_t old = 0;
    };
    // The newest step's header.
    StepHeader last_header() const;
    // The pc each kept step started at, oldest first (hit counts, traces). Walking i upwards
    // costs one header each.
    uint32_t pc_of_step(uint64_t i) const { return walk_to(i).pc; }
    // The memory the newest step wrote: (virtual address, length) of each Mem record.
    struct Write {
        uint64_t vaddr;
        uint64_t len;
    };
    std::vector<Write> last_step_writes() const;
    // The undo actions of the newest step, oldest first.
    std::vector<const UndoAction*> last_step_actions() const;

    // Bytes a record takes (tag byte included).
    static size_t record_bytes(const uint8_t* rec);
    // Calls f(tag, record) for each record of step i, oldest first; rec points at the tag
    // byte.
    template <class F>
    void for_each_record(uint64_t i, F&& f) const {
        Pos pos = after_header(walk_to(i).pos);
        const Pos stop = i + 1 < steps() ? walk_to(i + 1).pos : end_pos();
        for (;;) {
            pos = settle(pos);
            if (pos == stop) break;
            const uint8_t* rec = at(pos);
            f(JournalTag(*rec & 0x0f), rec);
            pos.off += uint32_t(record_bytes(rec));
        }
    }

private:
    friend class Vm;
    struct Chunk {
        std::unique_ptr<uint8_t[]> data;
        size_t cap = 0;
        size_t used = 0;  // of chunks before the cursor's (the cursor's own: c_.cur)
    };
    struct Pos {
        uint32_t chunk = 0;
        uint32_t off = 0;
        bool operator==(const Pos&) const = default;
    };
    // A step's start, with its pc and the mask before it.
    struct Walk {
        uint64_t step = 0;
        Pos pos;
        uint32_t pc = 0;
        uint16_t init = 0;
    };

    // Forgets the newest step (its records already undone): appending continues at its start.
    void pop_step();
    void grow(size_t need);
    // A step with its pc and mask: a checkpoint's, one after a new chunk or an outside change.
    // `hdr`: the lean header (kHeader, kHasOld, the register); this adds kHasPc and kHasInit.
    void full_step(uint32_t pc, uint16_t init, uint8_t hdr, uint64_t old);
    void set_limit(Cursor& c) const {
        c.limit = std::min(c.end - kStepHeadroom, c.mark);
    }
    void drop_oldest_half();
    static uint64_t pack(Pos p) { return (uint64_t(p.chunk) << 32) | p.off; }
    static Pos unpack(uint64_t v) { return Pos{uint32_t(v >> 32), uint32_t(v)}; }
    size_t used_of(uint32_t chunk) const {
        return chunk == c_.chunk ? size_t(c_.cur - c_.begin) : chunks_[chunk].used;
    }
    // Past the end of a chunk is the start of the next one.
    Pos settle(Pos p) const {
        while (p.chunk < c_.chunk && p.off >= used_of(p.chunk)) p = Pos{p.chunk + 1, 0};
        return p;
    }
    const uint8_t* at(Pos p) const { return chunks_[p.chunk].data.get() + p.off; }
    Pos end_pos() const { return Pos{c_.chunk, uint32_t(c_.cur - c_.begin)}; }
    static size_t header_bytes(uint8_t h) {
        return 1 + ((h & kHasPc) ? 4 : 0) + ((h & kHasInit) ? 2 : 0) + ((h & kHasOld) ? 8 : 0);
    }
    Pos after_header(Pos p) const { return Pos{p.chunk, p.off + uint32_t(header_bytes(*at(p)))}; }
    // Step i's start, pc and mask (i < steps()), walking from its checkpoint or the block.
    const Walk& walk_to(uint64_t i) const;
    // The step after w's (which must exist).
    Walk walk_next(const Walk& w) const;
    Walk walk_at(uint64_t step, Pos p, const Walk* prev) const;

    std::vector<Chunk> chunks_;    // chunks after the cursor's are spares, kept for reuse
    struct Checkpoint {
        uint64_t step;
        uint64_t pos;  // packed Pos
    };
    std::vector<Checkpoint> index_;  // ascending steps
    Cursor c_;
    // The steps of one checkpoint's block walked so far: stepping back, and scanning forward,
    // walks each step once. Appending leaves it valid; popping trims it.
    mutable std::vector<Walk> block_;
    mutable size_t block_index_ = SIZE_MAX;  // its checkpoint in index_ (none: SIZE_MAX)
    void forget_walks() const {
        block_index_ = SIZE_MAX;
        block_.clear();
    }
    std::deque<std::unique_ptr<UndoAction>> actions_;
    uint64_t actions_base_ = 0;  // index of actions_.front() (dropped ones keep their numbers)
    uint64_t action_bytes_ = 0;
    uint64_t limit_bytes_;
    uint64_t dropped_steps_ = 0;
};

}  // namespace bpfplay
