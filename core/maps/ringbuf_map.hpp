#pragma once
// BPF_MAP_TYPE_RINGBUF: a byte buffer programs write records into with bpf_ringbuf_reserve +
// submit/discard or bpf_ringbuf_output, for user space to read in order. There are no keys.
// The data area is the map's one value region, so a reserved record is a real, checked
// address. Records are laid out as the kernel lays them out: an 8-byte header (length, busy
// and discard bits, page offset) then the data, rounded up to 8 bytes. Nobody consumes them
// while a program runs here, so a full buffer makes reservations fail as in the kernel when
// user space lags; clear() plays the consumer.
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

struct RingbufRecord {
    uint32_t offset = 0;  // of the data, in the data area
    uint32_t size = 0;
    bool submitted = false;
    bool discarded = false;
    // Explicit, so save_state (which copies records as bytes) never copies indeterminate
    // padding: two saves of one state must be equal byte for byte.
    uint16_t unused = 0;
};
static_assert(sizeof(RingbufRecord) == 12, "no hidden padding in saved records");

class RingbufMap final : public Map {
public:
    static uint64_t footprint(const MapSpec& spec) { return spec.max_entries; }
    // ringbuf_map_alloc: no keys or values; the size is a power of 2 and a multiple of a page.
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<RingbufMap> make(const MapSpec& spec);

    // bpf_ringbuf_reserve: the record's data address, or 0 when the buffer has no room. A
    // size of 0 is a record too (a header alone), as in the kernel.
    uint64_t reserve(uint32_t size);
    // bpf_ringbuf_submit / bpf_ringbuf_discard on a reserved data address; false if `addr`
    // is not a reservation still open.
    bool commit(uint64_t addr, bool discard);
    // Submitted records' bytes, oldest first (what a user-space consumer would read).
    std::vector<std::vector<uint8_t>> submitted() const;
    uint64_t bytes_in_use() const { return producer_; }
    void clear() {
        records_.clear();
        producer_ = 0;
    }

    uint32_t count() const override;
    std::string occupancy() const override;
    std::string summary() const override;
    void for_each_entry(const EntryVisitor&) const override {}
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t) const override { return std::nullopt; }

protected:
    // Programs and user space cannot look up, update or delete ring buffer entries.
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kENOTSUPP; }
    int64_t do_delete_elem(const uint8_t*) override { return -kENOTSUPP; }
    int64_t do_lookup_user(const uint8_t*, uint8_t*) override { return -kENOTSUPP; }
    int64_t do_update_user(const uint8_t*, const uint8_t*, uint64_t) override { return -kENOTSUPP; }
    int64_t do_get_next_key(const uint8_t*, uint8_t*) override { return -kENOTSUPP; }
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

private:
    explicit RingbufMap(const MapSpec& spec) : Map(spec, 1, spec.max_entries, true) {}
    static constexpr int64_t kENOTSUPP = kerrno::kENOTSUPP;
    std::vector<RingbufRecord> records_;
    uint64_t producer_ = 0;  // bytes handed out so far (headers included)
};

}  // namespace bpfplay
