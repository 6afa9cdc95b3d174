#pragma once
// The host's conntrack entries as the struct nf_conn objects the conntrack kfuncs return,
// laid out by the built-in vmlinux BTF (Linux 6.18's offsets), in window::kConntrack, read-only:
// object i at conntrack_address(i). A run starts with one object per entry of the table
// (Network::conntrack, in order), then kCtAllocSlots free ones for the entries
// bpf_xdp_ct_alloc / bpf_skb_ct_alloc make; which object is what during the run is
// NetRun::ct_objects (core/run/ct_kfuncs.cpp).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/host/conntrack.hpp"
#include "core/memory.hpp"

namespace bpfplay {

// How many entries one run may allocate (nf_conntrack_alloc failing past them: -ENOMEM).
constexpr uint32_t kCtAllocSlots = 16;

// sizeof(struct nf_conn) in the built-in BTF, rounded up to 8 (248 on 6.18 x86-64).
uint32_t nf_conn_stride();
inline uint64_t conntrack_address(uint32_t i) {
    return window_base(window::kConntrack) + uint64_t(i) * nf_conn_stride();
}
// The object starting at `addr`, if one of `count` does.
std::optional<uint32_t> conntrack_object_index(uint64_t addr, uint32_t count);

// The nf_conn_stride() bytes of entry `e` as struct nf_conn: ct_general.use (`use`, the
// references), timeout, zone, both tuplehash[].tuple, status, mark.
std::vector<uint8_t> nf_conn_bytes(const ConntrackEntry& e, uint32_t use);

// Where nf_conn's mark is: the one field a program may write (CONFIG_NF_CONNTRACK_MARK).
uint32_t nf_conn_mark_offset();

// The program's stores into the objects (window::kConntrack is mapped read-only and sends
// them here): only a store of at most 4 bytes at `mark`'s offset, as the kernel's
// _nf_conntrack_btf_struct_access allows; the conntrack kfuncs read the mark back into the
// table when they are next given the object.
class ConntrackMarkWrites final : public ContextAccess {
public:
    explicit ConntrackMarkWrites(std::vector<uint8_t>& bytes) : bytes_(bytes) {}
    bool load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) override;
    bool store(uint32_t off, uint32_t size, uint64_t value, std::string& why) override;
    std::span<uint8_t> state_bytes() override { return bytes_; }

private:
    std::vector<uint8_t>& bytes_;
};

// The objects of a run on a table of `entries` (each with the table's reference): their
// bytes, kCtAllocSlots free objects after them.
std::vector<uint8_t> build_conntrack_objects(const std::vector<ConntrackEntry>& entries);

}  // namespace bpfplay
