#include "core/journal.hpp"

#include <algorithm>

namespace bpfplay {

namespace {
constexpr size_t kInitialWords = 1 << 16;
}

Journal::Journal(uint64_t limit_bytes) : limit_bytes_(std::max<uint64_t>(limit_bytes, 1 << 16)) { clear(); }

void Journal::clear() {
    words_.assign(kInitialWords, 0);
    cur_ = words_.data();
    end_ = words_.data() + words_.size();
    step_starts_.clear();
    actions_.clear();
    actions_base_ = 0;
    action_bytes_ = 0;
    dropped_steps_ = 0;
}

uint64_t Journal::bytes_used() const {
    return uint64_t(words_.capacity()) * 8 + uint64_t(step_starts_.capacity()) * 4 + action_bytes_ +
           actions_.size() * sizeof(void*);
}

void Journal::grow(size_t need) {
    const size_t used = size_t(cur_ - words_.data());
    // Over the limit (counting what would be allocated): forget the oldest half of history.
    const uint64_t want_words = std::max<uint64_t>(words_.size() * 2, used + need);
    if (want_words * 8 + step_starts_.size() * 4 + action_bytes_ > limit_bytes_ && step_starts_.size() > 1) {
        drop_oldest_half();
        if (size_t(end_ - cur_) >= need) return;
    }
    const size_t now = size_t(cur_ - words_.data());
    size_t size = std::max(words_.size() * 2, now + need);
    // Stay within the limit when possible; a single huge step may still exceed it.
    size = std::max<size_t>(std::min<uint64_t>(size, limit_bytes_ / 8), now + need);
    words_.resize(size);
    cur_ = words_.data() + now;
    end_ = words_.data() + words_.size();
}

void Journal::drop_oldest_half() {
    // Keep the newest step whole (it may be in progress).
    const size_t drop = step_starts_.size() / 2;
    if (drop == 0) return;
    const uint32_t first_kept = step_starts_[drop];
    // Undo actions of dropped steps go too: everything older than the first kept step's.
    uint64_t first_kept_action = actions_base_ + actions_.size();
    for (size_t i = drop; i < step_starts_.size() && first_kept_action == actions_base_ + actions_.size(); ++i)
        for_each_record(i, [&](JournalTag tag, const uint64_t* rec) {
            if (tag == JournalTag::External) first_kept_action = std::min<uint64_t>(first_kept_action, rec[0] >> 8);
        });
    while (actions_base_ < first_kept_action && !actions_.empty()) {
        action_bytes_ -= actions_.front()->bytes();
        actions_.pop_front();
        ++actions_base_;
    }
    const size_t used = size_t(cur_ - words_.data());
    std::memmove(words_.data(), words_.data() + first_kept, (used - first_kept) * 8);
    cur_ = words_.data() + (used - first_kept);
    step_starts_.erase(step_starts_.begin(), step_starts_.begin() + ptrdiff_t(drop));
    for (uint32_t& s : step_starts_) s -= first_kept;
    dropped_steps_ += drop;
}

void Journal::mem(uint8_t* host, uint64_t vaddr, uint64_t len) {
    if (len == 0) return;
    const size_t data_words = size_t((len + 7) / 8);
    if (size_t(end_ - cur_) < data_words + 3 + kStepHeadroom) grow(data_words + 3 + kStepHeadroom);
    cur_[0] = uint64_t(JournalTag::Mem) | (len << 8);
    cur_[1] = reinterpret_cast<uintptr_t>(host);
    cur_[2] = vaddr;
    cur_[2 + data_words] = 0;
    std::memcpy(&cur_[3], host, len);
    cur_ += 3 + data_words;
}

void Journal::frame(uint32_t depth, const uint64_t r6_to_r10[5], uint32_t return_pc, uint16_t saved_init,
                    const uint64_t saved[4]) {
    cur_[0] = uint64_t(JournalTag::Frame) | (uint64_t(depth) << 8);
    std::memcpy(&cur_[1], r6_to_r10, 5 * 8);
    cur_[6] = uint64_t(return_pc) | (uint64_t(saved_init) << 32);
    std::memcpy(&cur_[7], saved, 4 * 8);
    cur_ += 11;
}

void Journal::vm_state(const uint64_t regs[11], uint32_t depth, uint16_t init, const void* program,
                       uint32_t tail_calls) {
    cur_[0] = uint64_t(JournalTag::VmState) | (uint64_t(depth) << 8) | (uint64_t(init) << 40);
    std::memcpy(&cur_[1], regs, 11 * 8);
    cur_[12] = reinterpret_cast<uintptr_t>(program);
    cur_[13] = tail_calls;
    cur_ += 14;
}

void Journal::external(std::unique_ptr<UndoAction> action) {
    if (size_t(end_ - cur_) < 1 + kStepHeadroom) grow(1 + kStepHeadroom);
    action_bytes_ += action->bytes();
    cur_[0] = uint64_t(JournalTag::External) | ((actions_base_ + actions_.size()) << 8);
    ++cur_;
    actions_.push_back(std::move(action));
}

Journal::StepHeader Journal::last_header() const {
    const uint64_t* h = words_.data() + step_starts_.back();
    return StepHeader{uint32_t(h[0]), uint16_t(h[0] >> 32), uint8_t(h[0] >> 48), h[1]};
}

std::vector<Journal::Write> Journal::last_step_writes() const {
    std::vector<Write> out;
    if (step_starts_.empty()) return out;
    for_each_record(step_starts_.size() - 1, [&](JournalTag tag, const uint64_t* rec) {
        if (tag == JournalTag::Mem) out.push_back({rec[2], rec[0] >> 8});
    });
    return out;
}

std::vector<const UndoAction*> Journal::last_step_actions() const {
    std::vector<const UndoAction*> out;
    if (step_starts_.empty()) return out;
    for_each_record(step_starts_.size() - 1, [&](JournalTag tag, const uint64_t* rec) {
        if (tag == JournalTag::External) out.push_back(actions_[size_t((rec[0] >> 8) - actions_base_)].get());
    });
    return out;
}

bool Journal::last_step_restores_all_registers() const {
    bool all = false;
    if (step_starts_.empty()) return false;
    for_each_record(step_starts_.size() - 1, [&](JournalTag tag, const uint64_t*) {
        all |= tag == JournalTag::Frame || tag == JournalTag::VmState;
    });
    return all;
}

}  // namespace bpfplay
