#include "core/maps/ringbuf_map.hpp"
#include "core/maps/map_check.hpp"

#include <algorithm>
#include <cstring>

namespace bpfplay {

namespace rb = ringbuf_hdr;

std::unique_ptr<RingbufMap> RingbufMap::make(const MapSpec& spec) {
    std::unique_ptr<RingbufMap> m(new (std::nothrow) RingbufMap(spec));
    if (!m || !m->allocate_storage()) return nullptr;
    return m;
}

uint64_t RingbufMap::reserve(uint32_t size) {
    // A record is a header plus its data, rounded up to 8 so the next header stays aligned.
    // As in the kernel's __bpf_ringbuf_reserve, a record may be empty (size 0: just a header),
    // and the producer may never get a whole buffer ahead of the consumer (it fails when
    // new_prod_pos - cons_pos > mask, mask = size - 1): with no consumer, a reservation that
    // would end exactly at the end of the buffer fails too.
    const uint64_t total = (uint64_t(size) + rb::kHeaderSize + 7) & ~uint64_t(7);
    if (total > max_entries() || producer_ + total > max_entries() - 1) return 0;
    const uint32_t header_at = uint32_t(producer_);
    uint8_t* region = value_region().data();
    const uint32_t len_word = size | rb::kBusyBit;
    std::memcpy(region + header_at, &len_word, 4);
    const uint32_t pg_off = header_at / 4096;
    std::memcpy(region + header_at + 4, &pg_off, 4);
    std::memset(region + header_at + rb::kHeaderSize, 0, total - rb::kHeaderSize);
    producer_ += total;
    records_.push_back({header_at + rb::kHeaderSize, size, false, false});
    return value_base() + header_at + rb::kHeaderSize;
}

bool RingbufMap::commit(uint64_t addr, bool discard) {
    if (addr < value_base()) return false;
    const uint64_t off = addr - value_base();
    for (RingbufRecord& r : records_) {
        if (r.offset != off || r.submitted || r.discarded) continue;
        (discard ? r.discarded : r.submitted) = true;
        const uint32_t len_word = r.size | (discard ? rb::kDiscardBit : 0);  // busy bit cleared
        std::memcpy(value_region().data() + r.offset - rb::kHeaderSize, &len_word, 4);
        return true;
    }
    return false;
}

std::vector<std::vector<uint8_t>> RingbufMap::submitted() const {
    std::vector<std::vector<uint8_t>> out;
    for (const RingbufRecord& r : records_)
        if (r.submitted) {
            const uint8_t* p = value_region().data() + r.offset;
            out.emplace_back(p, p + r.size);
        }
    return out;
}

uint32_t RingbufMap::count() const {
    return uint32_t(std::count_if(records_.begin(), records_.end(), [](const RingbufRecord& r) { return r.submitted; }));
}


std::string RingbufMap::occupancy() const {
    const uint32_t n = count();
    return std::to_string(n) + (n == 1 ? " record" : " records");
}

// What a reader would see besides the records: the bytes taken (headers and padding included,
// the space the next reservation must fit in) and the records that never reached it.
std::string RingbufMap::summary() const {
    const auto discarded = std::count_if(records_.begin(), records_.end(), [](const RingbufRecord& r) { return r.discarded; });
    const auto open = std::count_if(records_.begin(), records_.end(), [](const RingbufRecord& r) { return !r.submitted && !r.discarded; });
    std::string s = std::to_string(producer_) + " of " + std::to_string(max_entries()) + " bytes used";
    if (discarded) s += ", " + std::to_string(discarded) + " discarded";
    if (open) s += ", " + std::to_string(open) + " reserved and not yet submitted";
    return s;
}

MapCheckResult RingbufMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (auto err = c.unknown_flags(map_flag::kNumaNode)) return err;
    if (s.key_size != 0 || s.value_size != 0)
        return c.fail(-kerrno::kEINVAL, c.kind() + " has key_size " + std::to_string(s.key_size) +
                                            " and value_size " + std::to_string(s.value_size) +
                                            "; a ring buffer has neither (both 0)");
    const uint32_t n = s.max_entries;
    if (n == 0 || (n & (n - 1)) != 0 || n % 4096 != 0)
        return c.fail(-kerrno::kEINVAL, c.kind() + " has max_entries " + std::to_string(n) +
                                            ": a ring buffer's size must be a power of 2 and a multiple of 4096");
    return std::nullopt;
}

}  // namespace bpfplay
