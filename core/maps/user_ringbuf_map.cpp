#include "core/maps/user_ringbuf_map.hpp"

#include <cstring>
#include <string>

#include "core/maps/map_state.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace rb = ringbuf_hdr;

namespace {
uint64_t record_bytes(uint64_t size) { return (size + rb::kHeaderSize + 7) & ~uint64_t(7); }
} // namespace

std::unique_ptr<UserRingbufMap> UserRingbufMap::make(const MapSpec& spec) {
    std::unique_ptr<UserRingbufMap> m(new (std::nothrow) UserRingbufMap(spec));
    if (!m || !m->allocate_storage()) return nullptr;
    return m;
}

void UserRingbufMap::put(uint64_t pos, const uint8_t* bytes, uint64_t n) {
    uint8_t* region = value_region().data();
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t off = (pos + i) & mask();
        region[off] = bytes[i];
        region[off + max_entries()] = bytes[i];
    }
}

uint32_t UserRingbufMap::header_at(uint64_t pos) const {
    return load_le<uint32_t>(value_region().data() + (pos & mask()));
}

// user_ring_buffer__reserve + submit (or discard).
int64_t UserRingbufMap::produce(std::span<const uint8_t> data, bool discard) {
    const uint64_t total = record_bytes(data.size());
    if (data.size() > UINT32_MAX || total > max_entries()) return -kerrno::kE2BIG;
    if (max_entries() - (producer_ - consumer_) < total) return -kerrno::kENOSPC;
    uint8_t header[rb::kHeaderSize] = {};
    store_le<uint32_t>(header, uint32_t(data.size()) | (discard ? rb::kDiscardBit : 0));
    put(producer_, header, rb::kHeaderSize);
    put(producer_ + rb::kHeaderSize, data.data(), data.size());
    const uint64_t padding = total - rb::kHeaderSize - data.size();
    const uint8_t zeros[8] = {};
    put(producer_ + rb::kHeaderSize + data.size(), zeros, padding);
    producer_ += total;
    return 0;
}

UserRingbufMap::PeekResult UserRingbufMap::peek() {
    if (consumer_ >= producer_) return {};
    const uint32_t hdr = header_at(consumer_);
    const uint32_t flags = hdr & (rb::kBusyBit | rb::kDiscardBit);
    const uint32_t size = hdr & ~flags;
    if (flags & rb::kDiscardBit) {
        consumer_ += record_bytes(size);
        return {Peek::Discarded, 0, 0};
    }
    if (flags & rb::kBusyBit) return {};
    return {Peek::Sample, value_address(0) + ((consumer_ + rb::kHeaderSize) & mask()), size};
}

void UserRingbufMap::release(uint32_t size) { consumer_ += record_bytes(size); }

std::vector<std::vector<uint8_t>> UserRingbufMap::pending() const {
    std::vector<std::vector<uint8_t>> out;
    for (uint64_t pos = consumer_; pos < producer_;) {
        const uint32_t hdr = header_at(pos);
        const uint32_t size = hdr & ~(rb::kBusyBit | rb::kDiscardBit);
        if (!(hdr & rb::kDiscardBit)) {
            const uint8_t* p = value_region().data() + ((pos + rb::kHeaderSize) & mask());
            out.emplace_back(p, p + size);
        }
        pos += record_bytes(size);
    }
    return out;
}

std::string UserRingbufMap::summary() const {
    const size_t n = pending().size();
    return std::to_string(n) + (n == 1 ? " record" : " records") + " waiting (" +
           std::to_string(producer_ - consumer_) + " of " + std::to_string(max_entries()) +
           " bytes), consumer at " + std::to_string(consumer_) + ", producer at " + std::to_string(producer_);
}

void UserRingbufMap::save_extra(StateWriter& w) const {
    w.pod(producer_);
    w.pod(consumer_);
}

void UserRingbufMap::restore_extra(StateReader& r) {
    r.pod(producer_);
    r.pod(consumer_);
}

} // namespace bpfplay
