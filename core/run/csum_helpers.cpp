#include "core/run/csum_helpers.hpp"

#include <string>

#include "core/host/helper_support.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/inet_csum.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr uint64_t kHdrFieldMask = 0xf, kPseudoHdr = 1 << 4, kMarkMangled0 = 1 << 5, kMarkEnforce = 1 << 6,
                   kIpv6 = 1 << 7;
constexpr uint16_t kCsumMangled0 = 0xffff;
constexpr uint8_t kChecksumNone = 0, kChecksumUnnecessary = 1, kChecksumComplete = 2;
constexpr uint8_t kMaxCsumLevel = 3;  // SKB_MAX_CSUM_LEVEL

// A read-only memory argument (the verifier proved it readable; NULL is allowed with size 0).
const uint8_t* csum_mem_arg(Vm& vm, uint64_t addr, uint64_t len) {
    if (len == 0) return nullptr;
    const uint8_t* p = vm.memory().helper_ptr(addr, len, false);
    if (!p) fail_helper_access(vm, "bpf_csum_diff", addr, len, Access::HelperRead);
    return p;
}

uint64_t csum_diff(Vm& vm, uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size, uint64_t seed_arg) {
    const uint32_t fs = uint32_t(from_size), ts = uint32_t(to_size), seed = uint32_t(seed_arg);
    const uint8_t* f = csum_mem_arg(vm, from, fs);
    if (fs && !f) return 0;
    const uint8_t* t = csum_mem_arg(vm, to, ts);
    if (ts && !t) return 0;
    // from_size only: pulling data; to_size only: pushing it; both: a diff.
    uint32_t ret = seed;
    if (fs && ts)
        ret = inet_csum::sub(inet_csum::partial({t, ts}, seed), inet_csum::partial({f, fs}, 0));
    else if (ts)
        ret = inet_csum::partial({t, ts}, seed);
    else if (fs)
        ret = ~inet_csum::partial({f, fs}, ~seed);
    return inet_csum::from32to16(ret);
}

// The checksum field at `offset` of the packet, or an errno: odd or past 64 KiB offsets fault,
// as do fields past the end (bpf_try_make_writable).
int64_t csum_field(PacketBuffer& p, uint64_t offset, uint8_t*& field) {
    if (offset > 0xffff || (offset & 1)) return kerrno::kEFAULT;
    if (offset + 2 > p.len()) return kerrno::kEFAULT;
    field = p.data().data() + offset;
    return 0;
}

uint64_t l3_csum_replace(Vm& vm, uint64_t, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_l3_csum_replace");
    if (flags & ~kHdrFieldMask) return helper_errno(kEINVAL);
    uint8_t* field = nullptr;
    if (int64_t e = csum_field(*p, offset, field)) return helper_errno(e);
    const uint16_t sum = load_le<uint16_t>(field);
    uint16_t out;
    switch (flags & kHdrFieldMask) {
    case 0:
        if (from != 0) return helper_errno(kEINVAL);
        out = inet_csum::replace_by_diff(sum, uint32_t(to));
        break;
    case 2: out = inet_csum::replace2(sum, uint16_t(from), uint16_t(to)); break;
    case 4: out = inet_csum::replace4(sum, uint32_t(from), uint32_t(to)); break;
    default: return helper_errno(kEINVAL);
    }
    p->save_bytes(vm, p->geometry().data + uint32_t(offset), 2);
    store_le<uint16_t>(field, out);
    return 0;
}

uint64_t l4_csum_replace(Vm& vm, uint64_t, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_l4_csum_replace");
    const bool mangled0 = flags & kMarkMangled0, enforce = flags & kMarkEnforce;
    if (flags & ~(kMarkMangled0 | kMarkEnforce | kPseudoHdr | kHdrFieldMask | kIpv6)) return helper_errno(kEINVAL);
    uint8_t* field = nullptr;
    if (int64_t e = csum_field(*p, offset, field)) return helper_errno(e);
    const uint16_t sum = load_le<uint16_t>(field);
    // A UDP checksum of 0 means "none": leave it unless told to enforce one.
    if (mangled0 && !enforce && sum == 0) return 0;
    // inet_proto_csum_replace*: with the test run's CHECKSUM_NONE (never CHECKSUM_PARTIAL
    // here) the pseudo-header flag changes only skb->csum under CHECKSUM_COMPLETE, which a
    // test run never has. A 2-byte change is a 4-byte one of zero-extended values.
    uint16_t out;
    switch (flags & kHdrFieldMask) {
    case 0:
        if (from != 0) return helper_errno(kEINVAL);
        out = inet_csum::replace_by_diff(sum, uint32_t(to));
        break;
    case 2: out = inet_csum::replace4(sum, uint16_t(from), uint16_t(to)); break;
    case 4: out = inet_csum::replace4(sum, uint32_t(from), uint32_t(to)); break;
    default: return helper_errno(kEINVAL);
    }
    if (mangled0 && out == 0) out = kCsumMangled0;
    p->save_bytes(vm, p->geometry().data + uint32_t(offset), 2);
    store_le<uint16_t>(field, out);
    return 0;
}

uint64_t csum_update(Vm& vm, uint64_t, uint64_t csum, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_csum_update");
    SkbState& s = p->skb();
    if (s.ip_summed != kChecksumComplete) return helper_errno(kerrno::kENOTSUPP);
    p->record(vm);
    s.csum = inet_csum::add(s.csum, uint32_t(csum));
    return s.csum;
}

uint64_t csum_level(Vm& vm, uint64_t, uint64_t level, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_csum_level");
    SkbState& s = p->skb();
    enum : uint64_t { kQuery, kInc, kDec, kReset };
    if (level == kQuery) return s.ip_summed == kChecksumUnnecessary ? s.csum_level : helper_errno(kerrno::kEACCES);
    if (level > kReset) return helper_errno(kEINVAL);
    p->record(vm);
    const bool unnecessary = s.ip_summed == kChecksumUnnecessary;
    if (level == kInc) {
        if (unnecessary && s.csum_level < kMaxCsumLevel) ++s.csum_level;
        else if (s.ip_summed == kChecksumNone) s.ip_summed = kChecksumUnnecessary, s.csum_level = 0;
    } else if (level == kDec) {
        if (unnecessary && s.csum_level == 0) s.ip_summed = kChecksumNone;
        else if (unnecessary) --s.csum_level;
    } else if (unnecessary) {
        s.ip_summed = kChecksumNone;
        s.csum_level = 0;
    }
    return 0;
}

constexpr HelperImpl kCsumHelperImpls[] = {
    {10, l3_csum_replace},  // bpf_l3_csum_replace
    {11, l4_csum_replace},  // bpf_l4_csum_replace
    {28, csum_diff},        // bpf_csum_diff
    {40, csum_update},      // bpf_csum_update
    {135, csum_level},      // bpf_csum_level
};

}  // namespace

std::span<const HelperImpl> csum_helper_impls() { return kCsumHelperImpls; }

}  // namespace bpfplay
