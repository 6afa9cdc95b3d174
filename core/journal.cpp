#include "core/journal.hpp"

#include <algorithm>

namespace bpfplay {

namespace {
constexpr size_t kFirstChunkBytes = 64 << 10;
// Chunks double up to this; past it each new chunk is one more of these, so what is held
// beyond what is used stays under one chunk.
constexpr size_t kMaxChunkBytes = 1 << 20;

template <class T>
T journal_read(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
}  // namespace

Journal::Journal(uint64_t limit_bytes) : limit_bytes_(std::max<uint64_t>(limit_bytes, 1 << 20)) { clear(); }

void Journal::clear() {
    // Keeps the chunks: a session that starts over records into memory already touched.
    if (chunks_.empty()) {
        chunks_.push_back(Chunk{std::make_unique<uint8_t[]>(kFirstChunkBytes), kFirstChunkBytes, 0});
    }
    for (Chunk& ch : chunks_) ch.used = 0;
    c_ = Cursor{};
    c_.begin = c_.cur = c_.mark = c_.limit = chunks_[0].data.get();
    c_.end = c_.begin + chunks_[0].cap;
    index_.clear();
    forget_walks();
    actions_.clear();
    actions_base_ = 0;
    action_bytes_ = 0;
    dropped_steps_ = 0;
}

uint64_t Journal::bytes_used() const {
    uint64_t chunk_bytes = 0;
    for (const Chunk& ch : chunks_) chunk_bytes += ch.cap;
    return chunk_bytes + uint64_t(index_.capacity()) * sizeof(Checkpoint) + action_bytes_ +
           actions_.size() * sizeof(void*);
}

void Journal::full_step(uint32_t pc, uint16_t init, uint8_t hdr, uint64_t old) {
    Cursor& c = c_;
    if (size_t(c.end - c.cur) < kStepHeadroom) grow(kStepHeadroom);
    if (c.cur >= c.mark) {
        index_.push_back(Checkpoint{c.steps, pack(Pos{c.chunk, uint32_t(c.cur - c.begin)})});
        c.mark = c.cur + kCheckpointBytes;
    }
    uint8_t* p = c.cur;
    *p++ = uint8_t(hdr | kHasPc | kHasInit);
    std::memcpy(p, &pc, 4);
    std::memcpy(p + 4, &init, 2);
    p += 6;
    std::memcpy(p, &old, 8);
    c.cur = p + ((hdr & kHasOld) ? 8 : 0);
    c.last_init = init;
    ++c.steps;
    set_limit(c);
}

void Journal::grow(size_t need) {
    chunks_[c_.chunk].used = size_t(c_.cur - c_.begin);
    const size_t last_cap = chunks_[c_.chunk].cap;
    size_t cap = std::max(std::min(last_cap * 2, kMaxChunkBytes), need);
    cap = std::max<size_t>(std::min<uint64_t>(cap, limit_bytes_ / 8), need);
    const bool have_spare = c_.chunk + 1 < chunks_.size() && chunks_[c_.chunk + 1].cap >= need;
    // Over the limit (counting what would be allocated): forget the oldest half of history.
    if (!have_spare && bytes_used() + cap > limit_bytes_) drop_oldest_half();
    // drop_oldest_half may have moved the cursor's chunk to the front; spares follow it.
    const uint32_t next = c_.chunk + 1;
    if (next < chunks_.size() && chunks_[next].cap < need) chunks_.erase(chunks_.begin() + next, chunks_.end());
    if (next >= chunks_.size()) chunks_.push_back(Chunk{std::make_unique<uint8_t[]>(cap), cap, 0});
    Chunk& ch = chunks_[next];
    ch.used = 0;
    c_.chunk = next;
    c_.begin = c_.cur = ch.data.get();
    c_.end = c_.begin + ch.cap;
    // The next step is a checkpoint: walks never start in an older chunk to reach it.
    c_.mark = c_.limit = c_.cur;
}

void Journal::drop_oldest_half() {
    // Keep the newest step whole (it may be in progress), and start at a checkpoint.
    const uint64_t n = steps();
    auto it = std::upper_bound(index_.begin(), index_.end(), n / 2,
                               [](uint64_t step, const Checkpoint& cp) { return step < cp.step; });
    if (it == index_.begin()) return;
    --it;
    const uint64_t drop = it->step;
    if (drop == 0) return;
    const Pos first_kept = unpack(it->pos);
    // Undo actions of dropped steps go too: everything older than the first kept step's.
    uint64_t first_kept_action = actions_base_ + actions_.size();
    for (uint64_t i = drop; i < n && first_kept_action == actions_base_ + actions_.size(); ++i)
        for_each_record(i, [&](JournalTag tag, const uint8_t* rec) {
            if (tag == JournalTag::External)
                first_kept_action = std::min(first_kept_action, journal_read<uint64_t>(rec + 1));
        });
    while (actions_base_ < first_kept_action && !actions_.empty()) {
        action_bytes_ -= actions_.front()->bytes();
        actions_.pop_front();
        ++actions_base_;
    }
    // Whole chunks before the first kept step's go back to the allocator.
    const uint32_t gone = first_kept.chunk;
    chunks_.erase(chunks_.begin(), chunks_.begin() + gone);
    c_.chunk -= gone;
    index_.erase(index_.begin(), it);
    for (Checkpoint& cp : index_) {
        Pos p = unpack(cp.pos);
        p.chunk -= gone;
        cp.pos = pack(p);
        cp.step -= drop;
    }
    c_.steps -= drop;
    dropped_steps_ += drop;
    forget_walks();
}

void Journal::mem(uint8_t* host, uint64_t vaddr, uint64_t len) {
    if (len == 0) return;
    const size_t need = size_t(len) + 25;
    if (size_t(c_.end - c_.cur) < need + kStepHeadroom) grow(need + kStepHeadroom);
    c_.tag(JournalTag::Mem);
    c_.put(len);
    c_.put(uint64_t(reinterpret_cast<uintptr_t>(host)));
    c_.put(vaddr);
    std::memcpy(c_.cur, host, size_t(len));
    c_.cur += len;
}

void Journal::external(std::unique_ptr<UndoAction> action) {
    if (size_t(c_.end - c_.cur) < 9 + kStepHeadroom) grow(9 + kStepHeadroom);
    action_bytes_ += action->bytes();
    c_.tag(JournalTag::External);
    c_.put(uint64_t(actions_base_ + actions_.size()));
    actions_.push_back(std::move(action));
}

void Journal::tail_frame(uint32_t depth, const void* caller_program, uint32_t caller_base,
                         uint32_t frame_base) {
    if (size_t(c_.end - c_.cur) < 18 + kStepHeadroom) grow(18 + kStepHeadroom);
    c_.tag(JournalTag::TailFrame);
    c_.put(uint8_t(depth));
    c_.put(uint64_t(reinterpret_cast<uintptr_t>(caller_program)));
    c_.put(caller_base);
    c_.put(frame_base);
}

size_t Journal::record_bytes(const uint8_t* rec) {
    switch (JournalTag(*rec & 0x0f)) {
    case JournalTag::Reg: return 1 + 1 + 8;
    case JournalTag::Mem: return 1 + 8 + 8 + 8 + size_t(journal_read<uint64_t>(rec + 1));
    case JournalTag::MemSmall: return 1 + 8 + 8 + (size_t(1) << ((*rec >> 4) & 3));
    case JournalTag::Call: return 1 + 1 + 8;
    case JournalTag::Exit: return 1 + 1 + 2 + 5 * 8;
    case JournalTag::VmState: return 1 + 1 + 2 + 11 * 8 + 8 + 4 + 8;
    case JournalTag::External: return 1 + 8;
    case JournalTag::ProgramSwitch: return 1 + 4 + 8;
    case JournalTag::TailFrame: return 1 + 1 + 8 + 4 + 4;
    case JournalTag::Callback: return 1 + 1 + kCallbackStateWords * 8;
    }
    return 1;
}

Journal::Walk Journal::walk_at(uint64_t step, Pos p, const Walk* prev) const {
    p = settle(p);
    const uint8_t* h = at(p);
    Walk w{step, p, prev ? prev->pc + 1 : 0, prev ? prev->init : uint16_t(0)};
    const uint8_t* f = h + 1;
    if (*h & kHasPc) {
        w.pc = journal_read<uint32_t>(f);
        f += 4;
    }
    if (*h & kHasInit) w.init = journal_read<uint16_t>(f);
    return w;
}

Journal::Walk Journal::walk_next(const Walk& w) const {
    Pos p = after_header(w.pos);
    for (;;) {
        p = settle(p);
        const uint8_t* b = at(p);
        if (*b & kHeader) break;
        p.off += uint32_t(record_bytes(b));
    }
    return walk_at(w.step + 1, p, &w);
}

const Journal::Walk& Journal::walk_to(uint64_t i) const {
    const bool in_block = block_index_ != SIZE_MAX && index_[block_index_].step <= i &&
                          (block_index_ + 1 == index_.size() || i < index_[block_index_ + 1].step);
    if (!in_block) {
        auto it = std::upper_bound(index_.begin(), index_.end(), i,
                                   [](uint64_t step, const Checkpoint& cp) { return step < cp.step; });
        block_index_ = size_t(it - index_.begin()) - 1;
        block_.clear();
        block_.push_back(walk_at(index_[block_index_].step, unpack(index_[block_index_].pos), nullptr));
    }
    const uint64_t first = index_[block_index_].step;
    while (block_.size() <= i - first) block_.push_back(walk_next(block_.back()));
    return block_[size_t(i - first)];
}

void Journal::pop_step() {
    const uint64_t n = steps() - 1;
    const Pos p = walk_to(n).pos;
    if (n > 0) {
        c_.last_init = walk_to(n - 1).init;
    }
    // Walks of steps from n on are gone, and so is n's checkpoint.
    if (block_index_ != SIZE_MAX) {
        const uint64_t first = index_[block_index_].step;
        if (first >= n) forget_walks();
        else block_.resize(std::min<size_t>(block_.size(), size_t(n - first)));
    }
    if (!index_.empty() && index_.back().step == n) index_.pop_back();
    for (uint32_t k = p.chunk + 1; k <= c_.chunk; ++k) chunks_[k].used = 0;
    c_.chunk = p.chunk;
    c_.begin = chunks_[p.chunk].data.get();
    c_.cur = c_.begin + p.off;
    c_.end = c_.begin + chunks_[p.chunk].cap;
    c_.steps = n;
    c_.next_ip = nullptr;
    // The next step starts a checkpoint: simpler than finding where the last one was.
    c_.mark = c_.limit = c_.cur;
}

Journal::StepHeader Journal::last_header() const {
    const Walk& w = walk_to(steps() - 1);
    const uint8_t* h = at(w.pos);
    StepHeader out{w.pc, w.init, uint8_t(*h & 0x0f), (*h & kHasOld) != 0, 0};
    if (out.has_old) out.old = journal_read<uint64_t>(h + header_bytes(*h) - 8);
    return out;
}

std::vector<Journal::Write> Journal::last_step_writes() const {
    std::vector<Write> out;
    if (steps() == 0) return out;
    for_each_record(steps() - 1, [&](JournalTag tag, const uint8_t* rec) {
        if (tag == JournalTag::Mem) out.push_back({journal_read<uint64_t>(rec + 17), journal_read<uint64_t>(rec + 1)});
        if (tag == JournalTag::MemSmall) out.push_back({journal_read<uint64_t>(rec + 9), uint64_t(1) << ((*rec >> 4) & 3)});
    });
    return out;
}

std::vector<const UndoAction*> Journal::last_step_actions() const {
    std::vector<const UndoAction*> out;
    if (steps() == 0) return out;
    for_each_record(steps() - 1, [&](JournalTag tag, const uint8_t* rec) {
        if (tag == JournalTag::External)
            out.push_back(actions_[size_t(journal_read<uint64_t>(rec + 1) - actions_base_)].get());
    });
    return out;
}

}  // namespace bpfplay
