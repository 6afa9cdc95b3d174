#pragma once
// Ring buffer records as the reader in user space sees them. A ring buffer has no value type:
// libbpf-bootstrap's consumer casts each record to the struct it knows (`const struct event *e =
// data`). bpfplay does the same with the object's BTF: the record is shown as the one named
// struct whose size is the record's size, and as bytes when no struct, or more than one, fits.
#include <cstdint>
#include <string>
#include <vector>

namespace bpfplay {

class Btf;
class RingbufMap;

struct RingbufRecordView {
    uint32_t index = 0;          // 0 = the oldest submitted record, the first a reader gets
    std::vector<uint8_t> bytes;
    uint32_t type_id = 0;        // the struct it is decoded as; 0: none fits
    std::string type_name;       // "struct event", or "" with type_id 0
    std::string label;           // "record 0 (struct event, 24 bytes)"
};

// The id of the one named struct or union of `size` bytes in `btf`, or 0 when there is none or
// several (then no guess is better than a wrong one).
uint32_t record_type_of_size(const Btf& btf, uint32_t size);

// Submitted records, oldest first, each with its type when `btf` has one that fits.
std::vector<RingbufRecordView> ringbuf_records(const RingbufMap& map, const Btf* btf);

}  // namespace bpfplay
