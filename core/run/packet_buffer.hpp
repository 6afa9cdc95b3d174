#pragma once
// The packet of one run, laid out as the kernel's BPF_PROG_TEST_RUN lays it out: one buffer
// with headroom before the data, XDP's metadata area right before the data (data_meta), and
// tailroom after it, so helpers that move data / data_end (bpf_xdp_adjust_head, bpf_skb_
// change_tail, ...) have the kernel's room and limits. XDP input longer than the linear part
// goes to fragments, as bpf_prog_test_run_xdp does with a multi-buffer packet.
//
// The program sees [data_meta, data_end) at window::kPacket: the window's first byte is
// data_meta (data itself when there is no metadata). Addresses are deterministic, but move with
// the packet: after a helper changed the geometry, a pointer loaded before may point elsewhere.
// The kernel's verifier invalidates such pointers, so correct programs reload ctx->data.
//
// The frame never reallocates (the journal keeps host pointers into it for reverse execution);
// every change of geometry or sk_buff state is saved first by record().
#include <cstdint>
#include <span>
#include <vector>

namespace bpfplay {

class FieldContext;
class Memory;
class Vm;

namespace xdp_buff {
constexpr uint32_t kPageSize = 4096;      // the frame bpf_prog_test_run_xdp gives (frame_sz)
constexpr uint32_t kHeadroom = 256;       // XDP_PACKET_HEADROOM
constexpr uint32_t kFrameStruct = 40;     // sizeof(struct xdp_frame): stays free before data_meta
constexpr uint32_t kSharedInfo = 320;     // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
constexpr uint32_t kMaxLinear = kPageSize - kHeadroom - kSharedInfo;  // 3520 bytes of data
constexpr uint32_t kHardEnd = kPageSize - kSharedInfo;                // data_end's limit
constexpr uint32_t kFragSize = 4096;      // each fragment is a page (rxq frag_size)
constexpr uint32_t kMaxFrags = 17;        // MAX_SKB_FRAGS
}  // namespace xdp_buff

namespace skb_buff {
// Not observable by programs; big enough that no helper needs a reallocation except a loop of
// bpf_skb_vlan_push, which the kernel lets grow without limit (here: -ENOMEM past this).
constexpr uint32_t kHeadroom = 32768;
// SKB_MAX_ALLOC (16 KiB minus the shared info): the longest packet bpf_skb_change_tail,
// _change_head and _adjust_room make (the 6.18 test run's skb has no device MTU to use).
constexpr uint32_t kMaxLen = 16064;
constexpr uint32_t kUnset = UINT32_MAX;   // a header offset that was never set
}  // namespace skb_buff

// Where the packet lies in the frame (byte offsets).
struct PacketGeometry {
    uint32_t meta = 0, data = 0, end = 0;
    bool operator==(const PacketGeometry&) const = default;
};

// The struct sk_buff fields helpers read and change that struct __sk_buff does not show as
// bytes (those live in the context: len, protocol, vlan_*, hash, pkt_type).
struct SkbState {
    uint32_t mac_header = skb_buff::kUnset;  // frame offsets, as the kernel's skb->*_header
    uint32_t network_header = skb_buff::kUnset;
    uint32_t transport_header = skb_buff::kUnset;
    uint8_t ip_summed = 0;  // CHECKSUM_NONE (the test run's), _UNNECESSARY 1, _COMPLETE 2
    uint8_t csum_level = 0;
    bool encapsulation = false;
    bool sw_hash = false, l4_hash = false;
    uint32_t csum = 0;
    bool operator==(const SkbState&) const = default;
};

class PacketBuffer {
public:
    enum class Kind : uint8_t { None, Xdp, Skb, Msg };

    // bpf_prog_test_run_xdp: data at XDP_PACKET_HEADROOM in a page; the first `metalen` bytes of
    // `packet` are metadata (ctx_in's data); bytes past 3520 of data go to page-sized fragments.
    void init_xdp(std::span<const uint8_t> packet, uint32_t metalen = 0);
    // bpf_prog_test_run_skb: `packet` from the Ethernet header on; `l2` (TC) programs see it
    // all, others from the network header on.
    void init_skb(std::span<const uint8_t> packet, bool l2);
    // An sk_msg program's message: data at the frame's start, room after it to grow
    // (bpf_msg_push_data). The message's length is the context's size field (data..data_end
    // may be a part of it after bpf_msg_pull_data).
    void init_msg(std::span<const uint8_t> message);
    // Maps the packet into `memory` and points the context's fields at it, now and after every
    // change (both outlive this buffer's use).
    void attach(Memory& memory, FieldContext* ctx);

    Kind kind() const { return kind_; }
    const PacketGeometry& geometry() const { return g_; }
    SkbState& skb() { return skb_; }
    const SkbState& skb() const { return skb_; }
    FieldContext* ctx() const { return ctx_; }

    // [data, data_end), [data_meta, data): the linear packet and the metadata before it.
    std::span<uint8_t> data() { return {frame_.data() + g_.data, g_.end - g_.data}; }
    std::span<const uint8_t> data() const { return {frame_.data() + g_.data, g_.end - g_.data}; }
    std::span<const uint8_t> meta() const { return {frame_.data() + g_.meta, g_.data - g_.meta}; }
    uint32_t len() const { return g_.end - g_.data; }  // linear bytes
    uint32_t total_len() const { return len() + frags_len(); }
    uint8_t* frame() { return frame_.data(); }
    uint32_t frame_size() const { return uint32_t(frame_.size()); }
    // Fragments (XDP multi-buffer): their bytes follow data_end in the packet.
    const std::vector<std::vector<uint8_t>>& frags() const { return frags_; }
    std::vector<std::vector<uint8_t>>& frags() { return frags_; }
    uint32_t frags_len() const;
    // The whole packet: linear bytes then fragments.
    std::vector<uint8_t> bytes() const;
    // Copies len bytes at packet offset `offset` (linear, then fragments) out of / into it.
    void copy_out(uint32_t offset, uint8_t* dst, uint32_t len) const;
    void copy_in(uint32_t offset, const uint8_t* src, uint32_t len);
    // The virtual address of a frame offset, as the program sees it.
    uint64_t vaddr(uint32_t frame_off) const;

    // ---- changes (helpers) ----
    // Saves what a change may touch for reverse execution when `vm` records: the geometry, the
    // sk_buff state, the context's bytes and the fragments (one undo action per call).
    void record(Vm& vm);
    // Saves frame bytes [off, off + len) before they are written.
    void save_bytes(Vm& vm, uint32_t off, uint32_t len);
    // Moves data_meta / data / data_end; maps the new range and updates the context.
    void set_geometry(PacketGeometry g);

private:
    friend class PacketUndo;
    void apply();  // maps [meta, end) and sets the context's pointers and len

    Kind kind_ = Kind::None;
    std::vector<uint8_t> frame_;
    PacketGeometry g_;
    SkbState skb_;
    std::vector<std::vector<uint8_t>> frags_;
    Memory* memory_ = nullptr;
    FieldContext* ctx_ = nullptr;
};

// The run's packet buffer, or nullptr (a program without a packet, or no run environment).
PacketBuffer* packet_of(Vm& vm);

// The kernel's bpf_internal_load_pointer_neg_helper, for LD_ABS/LD_IND: offsets from
// SKF_NET_OFF (-0x100000) count from the network header, from SKF_LL_OFF (-0x200000) from the
// MAC header; the bytes must lie between the buffer's head and its tail. Null otherwise.
const uint8_t* ld_abs_negative(PacketBuffer& packet, int32_t offset, uint32_t size);

}  // namespace bpfplay
