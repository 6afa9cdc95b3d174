#include "core/run/packet_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/context/contexts.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/journal.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {
using uapi::kEthHeaderLen;
}

// What a packet helper changed besides frame bytes (saved apart through Journal::mem).
class PacketUndo final : public UndoAction {
public:
    explicit PacketUndo(PacketBuffer& b)
        : buffer_(&b), g_(b.g_), skb_(b.skb_), frags_(b.frags_) {
        if (b.ctx_) ctx_ = b.ctx_->bytes();
    }
    void undo() override {
        buffer_->g_ = g_;
        buffer_->skb_ = skb_;
        buffer_->frags_ = frags_;
        if (buffer_->ctx_) buffer_->ctx_->bytes() = ctx_;
        buffer_->apply();
    }
    size_t bytes() const override {
        size_t n = sizeof *this + ctx_.size();
        for (const auto& f : frags_) n += f.size() + sizeof f;
        return n;
    }

private:
    PacketBuffer* buffer_;
    PacketGeometry g_;
    SkbState skb_;
    std::vector<std::vector<uint8_t>> frags_;
    std::vector<uint8_t> ctx_;
};

void PacketBuffer::init_xdp(std::span<const uint8_t> packet, uint32_t metalen) {
    kind_ = Kind::Xdp;
    frame_.assign(xdp_buff::kPageSize, 0);
    frags_.clear();
    skb_ = {};
    metalen = std::min<uint32_t>(metalen, uint32_t(packet.size()));
    // Metadata comes out of the headroom (bpf_prog_test_run_xdp: headroom -= ctx->data).
    const uint32_t linear = std::min<uint32_t>(uint32_t(packet.size()) - metalen, xdp_buff::kMaxLinear);
    g_.data = xdp_buff::kHeadroom;
    g_.meta = g_.data - metalen;
    g_.end = g_.data + linear;
    if (metalen + linear) std::memcpy(frame_.data() + g_.meta, packet.data(), metalen + linear);
    for (size_t at = metalen + linear; at < packet.size(); at += xdp_buff::kFragSize) {
        const size_t n = std::min<size_t>(xdp_buff::kFragSize, packet.size() - at);
        frags_.emplace_back(packet.begin() + ptrdiff_t(at), packet.begin() + ptrdiff_t(at + n));
    }
}

void PacketBuffer::init_skb(std::span<const uint8_t> packet, bool l2) {
    kind_ = Kind::Skb;
    frags_.clear();
    // Room for the longest packet the helpers make, wherever data has moved to.
    frame_.assign(skb_buff::kHeadroom + packet.size() + skb_buff::kMaxLen, 0);
    const uint32_t start = skb_buff::kHeadroom;
    // Bounded by the frame for GCC 12's -Wstringop-overflow, which cannot see that it fits.
    if (const size_t n = std::min(packet.size(), frame_.size() - start)) std::memcpy(frame_.data() + start, packet.data(), n);
    skb_ = {};
    // eth_type_trans: the MAC header at the frame's start, the network header after it.
    const bool has_eth = packet.size() >= kEthHeaderLen;
    skb_.mac_header = start;
    skb_.network_header = has_eth ? start + kEthHeaderLen : start;
    const uint32_t first = l2 || !has_eth ? start : start + kEthHeaderLen;
    g_ = {first, first, start + uint32_t(packet.size())};
}

void PacketBuffer::init_msg(std::span<const uint8_t> message) {
    kind_ = Kind::Msg;
    frags_.clear();
    frame_.assign(message.size() + skb_buff::kMaxLen, 0);
    if (!message.empty()) std::memcpy(frame_.data(), message.data(), message.size());
    skb_ = {};
    g_ = {0, 0, uint32_t(message.size())};
}

void PacketBuffer::attach(Memory& memory, FieldContext* ctx) {
    memory_ = &memory;
    ctx_ = ctx;
    apply();
}

void PacketBuffer::apply() {
    if (!memory_) return;
    memory_->map(window::kPacket, RegionKind::Packet, kReadWrite, frame_.data() + g_.meta, g_.end - g_.meta,
                 "packet");
    if (ctx_) {
        ctx_->set_packet(vaddr(g_.meta), vaddr(g_.data), vaddr(g_.end));
        if (kind_ == Kind::Skb) ctx_->set_u32(sk_buff::kLen, len());
    }
}

uint64_t PacketBuffer::vaddr(uint32_t frame_off) const {
    return window_base(window::kPacket) + uint64_t(int64_t(frame_off) - int64_t(g_.meta));
}

uint32_t PacketBuffer::frags_len() const {
    uint32_t n = 0;
    for (const auto& f : frags_) n += uint32_t(f.size());
    return n;
}

std::vector<uint8_t> PacketBuffer::bytes() const {
    std::vector<uint8_t> out(data().begin(), data().end());
    for (const auto& f : frags_) out.insert(out.end(), f.begin(), f.end());
    return out;
}

void PacketBuffer::copy_out(uint32_t offset, uint8_t* dst, uint32_t n) const {
    auto part = [&](std::span<const uint8_t> s) {
        if (n == 0) return;
        if (offset >= s.size()) {
            offset -= uint32_t(s.size());
            return;
        }
        const uint32_t k = std::min<uint32_t>(n, uint32_t(s.size()) - offset);
        std::memcpy(dst, s.data() + offset, k);
        dst += k, n -= k, offset = 0;
    };
    part(data());
    for (const auto& f : frags_) part(f);
}

void PacketBuffer::copy_in(uint32_t offset, const uint8_t* src, uint32_t n) {
    auto part = [&](std::span<uint8_t> s) {
        if (n == 0) return;
        if (offset >= s.size()) {
            offset -= uint32_t(s.size());
            return;
        }
        const uint32_t k = std::min<uint32_t>(n, uint32_t(s.size()) - offset);
        std::memmove(s.data() + offset, src, k);
        src += k, n -= k, offset = 0;
    };
    part(data());
    for (auto& f : frags_) part(f);
}

void PacketBuffer::record(Vm& vm) {
    if (Journal* j = vm.journal()) j->external(std::make_unique<PacketUndo>(*this));
}

void PacketBuffer::save_bytes(Vm& vm, uint32_t off, uint32_t n) {
    if (off >= frame_.size() || n == 0) return;
    n = std::min<uint32_t>(n, uint32_t(frame_.size()) - off);
    if (Journal* j = vm.journal()) {
        // The address the program sees, when the bytes are where it can see them (the state
        // view marks them changed); 0 otherwise.
        const bool visible = off >= g_.meta && off + n <= g_.end;
        j->mem(frame_.data() + off, visible ? vaddr(off) : 0, n);
    }
}

void PacketBuffer::set_geometry(PacketGeometry g) {
    g_ = g;
    apply();
}

PacketBuffer* packet_of(Vm& vm) { return vm.env ? vm.env->packet : nullptr; }

const uint8_t* ld_abs_negative(PacketBuffer& packet, int32_t offset, uint32_t size) {
    constexpr int32_t kSkfNetOff = -0x100000, kSkfLlOff = -0x200000;
    const SkbState& skb = packet.skb();
    const uint32_t header = offset >= kSkfNetOff ? skb.network_header : offset >= kSkfLlOff ? skb.mac_header : skb_buff::kUnset;
    if (header == skb_buff::kUnset) return nullptr;
    const int64_t at = int64_t(header) + (offset - (offset >= kSkfNetOff ? kSkfNetOff : kSkfLlOff));
    if (at < 0 || at + size > packet.geometry().end) return nullptr;
    return packet.frame() + at;
}

}  // namespace bpfplay
