#include "core/journal.hpp"

#include <algorithm>

namespace bpfplay {

namespace {
constexpr size_t kInitialWords = 1 << 16;
}

Journal::Journal(uint64_t limit_bytes) : limit_bytes_(std::max<uint64_t>(limit_bytes, 1 << 20)) { clear(); }

void Journal::set_buffers(size_t words, size_t used_words, size_t nsteps) {
    words_.resize(words);
    steps_.resize(words / 2 + 1);
    c_.base = words_.data();
    c_.cur = words_.data() + used_words;
    c_.end = words_.data() + words_.size();
    c_.step = steps_.data() + nsteps;
}

void Journal::clear() {
    // Keeps the allocation: a session that starts over records into memory already touched.
    set_buffers(std::max(words_.size(), kInitialWords), 0, 0);
    actions_.clear();
    actions_base_ = 0;
    action_bytes_ = 0;
    dropped_steps_ = 0;
}

uint64_t Journal::bytes_used() const {
    return uint64_t(words_.capacity()) * 8 + uint64_t(steps_.capacity()) * 4 + action_bytes_ +
           actions_.size() * sizeof(void*);
}

void Journal::grow(size_t need) {
    // Over the limit (counting what would be allocated): forget the oldest half of history.
    const size_t used = size_t(c_.cur - c_.base);
    const uint64_t want_words = std::max<uint64_t>(words_.size() * 2, used + need);
    if (want_words * 12 + action_bytes_ > limit_bytes_ && steps() > 1) {
        drop_oldest_half();
        if (size_t(c_.end - c_.cur) >= need) return;
    }
    const size_t now = size_t(c_.cur - c_.base);
    // Stay within the limit when possible (8 bytes a word, 4 per step index entry); a single
    // huge step may still exceed it.
    size_t size = std::max(words_.size() * 2, now + need);
    size = std::max<size_t>(std::min<uint64_t>(size, limit_bytes_ / 12), now + need);
    set_buffers(size, now, steps());
}

void Journal::drop_oldest_half() {
    // Keep the newest step whole (it may be in progress).
    const size_t n = steps();
    const size_t drop = n / 2;
    if (drop == 0) return;
    const uint32_t first_kept = steps_[drop];
    // Undo actions of dropped steps go too: everything older than the first kept step's.
    uint64_t first_kept_action = actions_base_ + actions_.size();
    for (size_t i = drop; i < n && first_kept_action == actions_base_ + actions_.size(); ++i)
        for_each_record(i, [&](JournalTag tag, const uint64_t* rec) {
            if (tag == JournalTag::External) first_kept_action = std::min<uint64_t>(first_kept_action, rec[0] >> 8);
        });
    while (actions_base_ < first_kept_action && !actions_.empty()) {
        action_bytes_ -= actions_.front()->bytes();
        actions_.pop_front();
        ++actions_base_;
    }
    const size_t used = size_t(c_.cur - c_.base);
    std::memmove(words_.data(), words_.data() + first_kept, (used - first_kept) * 8);
    std::memmove(steps_.data(), steps_.data() + drop, (n - drop) * 4);
    for (size_t i = 0; i < n - drop; ++i) steps_[i] -= first_kept;
    c_.cur = c_.base + (used - first_kept);
    c_.step = steps_.data() + (n - drop);
    dropped_steps_ += drop;
}

void Journal::mem(uint8_t* host, uint64_t vaddr, uint64_t len) {
    if (len == 0) return;
    const size_t data_words = size_t((len + 7) / 8);
    if (size_t(c_.end - c_.cur) < data_words + 3 + kStepHeadroom) grow(data_words + 3 + kStepHeadroom);
    uint64_t* w = c_.cur;
    w[0] = uint64_t(JournalTag::Mem) | (len << 8);
    w[1] = reinterpret_cast<uintptr_t>(host);
    w[2] = vaddr;
    w[2 + data_words] = 0;
    std::memcpy(&w[3], host, len);
    c_.cur += 3 + data_words;
}

void Journal::external(std::unique_ptr<UndoAction> action) {
    if (size_t(c_.end - c_.cur) < 1 + kStepHeadroom) grow(1 + kStepHeadroom);
    action_bytes_ += action->bytes();
    *c_.cur++ = uint64_t(JournalTag::External) | ((actions_base_ + actions_.size()) << 8);
    actions_.push_back(std::move(action));
}

void Journal::tail_frame(uint32_t depth, const void* caller_program, uint32_t caller_base,
                         uint32_t frame_base) {
    if (size_t(c_.end - c_.cur) < 3 + kStepHeadroom) grow(3 + kStepHeadroom);
    c_.cur[0] = uint64_t(JournalTag::TailFrame) | (uint64_t(depth) << 8);
    c_.cur[1] = reinterpret_cast<uintptr_t>(caller_program);
    c_.cur[2] = uint64_t(caller_base) | (uint64_t(frame_base) << 32);
    c_.cur += 3;
}

Journal::StepHeader Journal::last_header() const {
    const uint64_t* h = words_.data() + steps_[steps() - 1];
    return StepHeader{uint32_t(h[0]), uint16_t(h[0] >> 32), uint8_t(h[0] >> 48), h[1]};
}

std::vector<Journal::Write> Journal::last_step_writes() const {
    std::vector<Write> out;
    if (steps() == 0) return out;
    for_each_record(steps() - 1, [&](JournalTag tag, const uint64_t* rec) {
        if (tag == JournalTag::Mem) out.push_back({rec[2], rec[0] >> 8});
    });
    return out;
}

std::vector<const UndoAction*> Journal::last_step_actions() const {
    std::vector<const UndoAction*> out;
    if (steps() == 0) return out;
    for_each_record(steps() - 1, [&](JournalTag tag, const uint64_t* rec) {
        if (tag == JournalTag::External) out.push_back(actions_[size_t((rec[0] >> 8) - actions_base_)].get());
    });
    return out;
}

}  // namespace bpfplay
