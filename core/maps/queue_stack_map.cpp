#include "core/maps/queue_stack_map.hpp"

#include <cstring>
#include <new>

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;
namespace u = map_update;

uint64_t QueueStackMap::footprint(const MapSpec& spec) {
    return (uint64_t(spec.max_entries) + 1) * stride_of(spec);
}

MapCheckResult QueueStackMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    const std::string what = s.type == MapType::Stack ? "a stack" : "a queue";
    if (s.max_entries == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has max_entries 0; " + what + " must hold at least one value",
                      "Set max_entries (__uint(max_entries, N)).");
    if (s.key_size != 0)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) + "; " + what +
                          " has no keys (key_size must be 0)",
                      "Declare only the value: __type(value, ...), no key.");
    if (s.value_size == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has value_size 0; values are at least 1 byte");
    if (auto err = c.unknown_flags(f::kNumaNode | f::kAccessMask)) return err;
    if (auto err = c.access_flags()) return err;
    if (s.value_size > kKmallocMaxSize)
        return c.fail(-e::kE2BIG, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                      "; values are at most " + std::to_string(kKmallocMaxSize) +
                                      " bytes (KMALLOC_MAX_SIZE), or user space could not read them");
    return std::nullopt;
}

QueueStackMap::QueueStackMap(const MapSpec& spec)
    : Map(spec, spec.max_entries + 1, stride_of(spec), /*program_visible=*/false),
      size_(spec.max_entries + 1) {}

std::unique_ptr<QueueStackMap> QueueStackMap::make(const MapSpec& spec) {
    std::unique_ptr<QueueStackMap> m(new (std::nothrow) QueueStackMap(spec));
    if (!m || !m->allocate_storage()) return nullptr;
    return m;
}

uint32_t QueueStackMap::count() const {
    return head_ >= tail_ ? head_ - tail_ : head_ + size_ - tail_;
}

std::optional<uint32_t> QueueStackMap::next_out() const {
    if (head_ == tail_) return std::nullopt;
    if (!is_stack()) return tail_;
    return head_ == 0 ? size_ - 1 : head_ - 1; // __stack_map_get: the slot below the head
}

int64_t QueueStackMap::get(uint8_t* value, bool remove, bool zero_when_empty) {
    const std::optional<uint32_t> slot = next_out();
    if (!slot) {
        if (zero_when_empty) std::memset(value, 0, value_size());
        return -e::kENOENT;
    }
    std::memcpy(value, slot_ptr(*slot), value_size());
    if (remove) {
        if (is_stack())
            head_ = *slot;
        else
            tail_ = tail_ + 1 == size_ ? 0 : tail_ + 1;
    }
    return 0;
}

// queue_stack_map_push_elem.
int64_t QueueStackMap::do_push_elem(const uint8_t* value, uint64_t flags) {
    // BPF_EXIST means "make room": drop the oldest value when the map is full.
    const bool replace = flags & u::kExist;
    if ((flags & u::kNoExist) || flags > u::kExist) return -e::kEINVAL;
    const uint32_t next_head = head_ + 1 == size_ ? 0 : head_ + 1;
    if (next_head == tail_) { // full
        if (!replace) return -e::kE2BIG;
        tail_ = tail_ + 1 == size_ ? 0 : tail_ + 1;
    }
    store_value(head_, 0, value);
    head_ = next_head;
    return 0;
}

// The kernel zeroes the program's buffer when there is nothing to pop or peek.
int64_t QueueStackMap::do_pop_elem(uint8_t* value) {
    return get(value, true, true);
}
int64_t QueueStackMap::do_peek_elem(uint8_t* value) {
    return get(value, false, true);
}

// The syscall copies the value back only on success: user space's buffer stays as it was.
int64_t QueueStackMap::do_lookup_user(const uint8_t*, uint8_t* value) {
    return get(value, false, false);
}
int64_t QueueStackMap::do_lookup_and_delete_user(const uint8_t*, uint8_t* value) {
    return get(value, true, false);
}
int64_t QueueStackMap::do_update_user(const uint8_t*, const uint8_t* value, uint64_t flags) {
    return do_push_elem(value, flags);
}

std::optional<uint32_t> QueueStackMap::position_of(uint32_t slot) const {
    if (slot >= size_) return std::nullopt;
    // Distance from the tail (oldest) in ring order; inside [tail, head) means occupied.
    const uint32_t from_tail = slot >= tail_ ? slot - tail_ : slot + size_ - tail_;
    const uint32_t n = count();
    if (from_tail >= n) return std::nullopt;
    return is_stack() ? n - 1 - from_tail : from_tail;
}

void QueueStackMap::for_each_entry(const EntryVisitor& visit) const {
    const uint32_t n = count();
    for (uint32_t i = 0; i < n; ++i) {
        // i-th value popped: a queue goes up from the tail, a stack down from below the head.
        const uint32_t from_tail = is_stack() ? n - 1 - i : i;
        const uint32_t slot = (tail_ + from_tail) % size_;
        if (!visit(std::span<const uint8_t>(), slot)) return;
    }
}

std::optional<std::vector<uint8_t>> QueueStackMap::key_of_slot(uint32_t slot) const {
    if (!position_of(slot)) return std::nullopt;
    return std::vector<uint8_t>();
}

std::string QueueStackMap::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    const std::optional<uint32_t> pos = position_of(slot);
    if (!pos) return {};
    std::string label = "#" + std::to_string(*pos);
    if (*pos == 0) return label + (is_stack() ? " (top: popped next)" : " (front: popped next)");
    if (*pos + 1 == count()) return label + (is_stack() ? " (bottom: pushed first)" : " (back: pushed last)");
    return label;
}

std::string QueueStackMap::summary() const {
    return std::to_string(count()) + " of " + std::to_string(max_entries()) +
           " values, listed in pop order: " + (is_stack() ? "last in, first out" : "first in, first out");
}

} // namespace bpfplay
