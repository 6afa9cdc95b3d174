#pragma once
// BPF_MAP_TYPE_USER_RINGBUF, kernel/bpf/ringbuf.c: a ring buffer user space writes records into
// (libbpf's user_ring_buffer__reserve/submit, here produce()) and programs drain with
// bpf_user_ringbuf_drain (core/run/user_ringbuf_helpers.cpp), one callback call per record.
//
// Layout as the kernel's: a data area of max_entries bytes (a power of 2, a multiple of 4096)
// where each record is an 8-byte header (its length, with BPF_RINGBUF_DISCARD_BIT for a record
// user space discarded) and its bytes, rounded up to 8; a producer and a consumer position that
// only grow, taken modulo the size. The kernel maps the data area twice in a row so that a
// record that wraps past the end is contiguous; here the value region is twice the size and
// every byte user space writes goes to both copies, so a sample's dynptr covers it whole.
//
// Creation takes the ring buffer's rules (ringbuf_map_alloc: key_size and value_size 0,
// max_entries a power of 2 and a multiple of 4096, only BPF_F_NUMA_NODE). Lookups, updates,
// deletes and get_next_key are -ENOTSUPP. produce() answers as libbpf does: -E2BIG for a record
// larger than the buffer, -ENOSPC when the records not yet drained leave no room.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

class UserRingbufMap final : public Map {
  public:
    static uint64_t footprint(const MapSpec& spec) { return 2 * uint64_t(spec.max_entries); }
    static std::unique_ptr<UserRingbufMap> make(const MapSpec& spec);

    // User space writes one record (submitted, or discarded when `discard`): 0 or -E2BIG/-ENOSPC.
    int64_t produce(std::span<const uint8_t> data, bool discard = false);

    // What the consumer finds at its position (__bpf_user_ringbuf_peek).
    enum class Peek : uint8_t { Empty, Discarded, Sample };
    struct PeekResult {
        Peek kind = Peek::Empty;
        uint64_t data_addr = 0;  // the sample's bytes (value_address space)
        uint32_t size = 0;
    };
    // A discarded record is consumed by the peek itself, as the kernel's skips it.
    PeekResult peek();
    // __bpf_user_ringbuf_sample_release: the consumer moves past a sample of `size` bytes.
    void release(uint32_t size);

    uint64_t producer_pos() const { return producer_; }
    uint64_t consumer_pos() const { return consumer_; }
    void set_consumer_pos(uint64_t pos) { consumer_ = pos; }
    // The records not drained yet, oldest first (discarded ones left out).
    std::vector<std::vector<uint8_t>> pending() const;

    uint32_t count() const override { return uint32_t(pending().size()); }
    void for_each_entry(const EntryVisitor&) const override {}
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t) const override { return std::nullopt; }
    // "2 records waiting (24 of 4096 bytes), consumer at 16, producer at 40".
    std::string summary() const override;
    std::string occupancy() const override { return std::to_string(count()) + (count() == 1 ? " record" : " records"); }

  protected:
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kENOTSUPP; }
    int64_t do_delete_elem(const uint8_t*) override { return -kerrno::kENOTSUPP; }
    int64_t do_lookup_user(const uint8_t*, uint8_t*) override { return -kerrno::kENOTSUPP; }
    int64_t do_update_user(const uint8_t*, const uint8_t*, uint64_t) override { return -kerrno::kENOTSUPP; }
    int64_t do_get_next_key(const uint8_t*, uint8_t*) override { return -kerrno::kENOTSUPP; }
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    explicit UserRingbufMap(const MapSpec& spec) : Map(spec, 1, 2 * spec.max_entries, true) {}
    uint64_t mask() const { return max_entries() - 1; }
    // Writes `n` bytes at ring position `pos` into both copies of the data area.
    void put(uint64_t pos, const uint8_t* bytes, uint64_t n);
    uint32_t header_at(uint64_t pos) const;

    uint64_t producer_ = 0;
    uint64_t consumer_ = 0;
};

} // namespace bpfplay
