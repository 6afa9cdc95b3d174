#pragma once
// An intrusive doubly linked list over slot numbers 0..n-1, stored as two index arrays. Hash
// maps keep two: the order get_next_key walks (insertion order) and, for LRU maps, recency.
// O(1) everything, no allocation after init.
#include <cstdint>
#include <vector>

namespace bpfplay {

class SlotList {
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    void init(uint32_t n) {
        prev_.assign(n, kNone);
        next_.assign(n, kNone);
        head_ = tail_ = kNone;
    }
    // Room for slots up to n - 1 (n >= the current size); new slots are in no list.
    void grow(uint32_t n) {
        prev_.resize(n, kNone);
        next_.resize(n, kNone);
    }
    uint32_t front() const { return head_; }
    uint32_t back() const { return tail_; }
    uint32_t next(uint32_t s) const { return next_[s]; }
    uint32_t prev(uint32_t s) const { return prev_[s]; }

    void push_front(uint32_t s) {
        prev_[s] = kNone;
        next_[s] = head_;
        if (head_ != kNone) prev_[head_] = s;
        else tail_ = s;
        head_ = s;
    }
    void push_back(uint32_t s) {
        next_[s] = kNone;
        prev_[s] = tail_;
        if (tail_ != kNone) next_[tail_] = s;
        else head_ = s;
        tail_ = s;
    }
    void remove(uint32_t s) {
        const uint32_t p = prev_[s], n = next_[s];
        if (p != kNone) next_[p] = n;
        else head_ = n;
        if (n != kNone) prev_[n] = p;
        else tail_ = p;
        prev_[s] = next_[s] = kNone;
    }
    // `fresh` (not in the list) takes the place of `old` (in the list), which leaves it.
    void replace(uint32_t old, uint32_t fresh) {
        const uint32_t p = prev_[old], n = next_[old];
        prev_[fresh] = p;
        next_[fresh] = n;
        if (p != kNone) next_[p] = fresh;
        else head_ = fresh;
        if (n != kNone) prev_[n] = fresh;
        else tail_ = fresh;
        prev_[old] = next_[old] = kNone;
    }
    void move_to_front(uint32_t s) {
        if (head_ == s) return;
        remove(s);
        push_front(s);
    }

    template <class W>
    void save_state(W& w) const {
        w.vec(prev_);
        w.vec(next_);
        w.pod(head_);
        w.pod(tail_);
    }
    template <class R>
    void restore_state(R& r) {
        r.vec(prev_);
        r.vec(next_);
        r.pod(head_);
        r.pod(tail_);
    }

private:
    std::vector<uint32_t> prev_, next_;
    uint32_t head_ = kNone, tail_ = kNone;
};

}  // namespace bpfplay
