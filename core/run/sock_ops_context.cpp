#include "core/run/sock_ops_context.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/context/contexts.hpp"
#include "core/hex.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/net_model.hpp"
#include "core/run/object_session.hpp"
#include "core/run/uapi_consts.hpp"

namespace bpfplay {

namespace {

using uapi::kTcpHeaderLen, uapi::kTcpoptNop;
constexpr uint32_t kMaxOptionSpace = 40;  // MAX_TCP_OPTION_SPACE

// The cb flag (or sk_bpf_cb_flags bit) without which the kernel never makes callback `op`.
struct OpGate {
    uint32_t op;
    uint32_t flags;  // any of these
    const char* names;
};
constexpr OpGate kGates[] = {
    {sock_ops_op::kRto, 1, "BPF_SOCK_OPS_RTO_CB_FLAG"},
    {sock_ops_op::kRetrans, 2, "BPF_SOCK_OPS_RETRANS_CB_FLAG"},
    {sock_ops_op::kState, 4, "BPF_SOCK_OPS_STATE_CB_FLAG"},
    {sock_ops_op::kRtt, 8, "BPF_SOCK_OPS_RTT_CB_FLAG"},
    {sock_ops_op::kParseHdrOpt, 16 | 32,
     "BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG or BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG"},
    {sock_ops_op::kHdrOptLen, 64, "BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG"},
    {sock_ops_op::kWriteHdrOpt, 64, "BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG"},
};

bool carries_segment(uint32_t op) {
    return op == sock_ops_op::kActiveEstablished || op == sock_ops_op::kPassiveEstablished ||
           op == sock_ops_op::kParseHdrOpt || op == sock_ops_op::kHdrOptLen || op == sock_ops_op::kWriteHdrOpt;
}


uint32_t header_len(const std::vector<uint8_t>& seg) { return seg.size() > 12 ? uint32_t(seg[12] >> 4) * 4 : 0; }

// WRITE_HDR_OPT_CB: the reserved space is the header's trailing zero option bytes.
uint32_t reserved_space(const std::vector<uint8_t>& seg) {
    uint32_t end = header_len(seg), n = 0;
    while (end - n > kTcpHeaderLen && seg[end - n - 1] == 0) ++n;
    return n;
}

// Where skb_data_end is, from the segment's start.
uint32_t visible_len(uint32_t op, const std::vector<uint8_t>& seg) {
    if (seg.empty() || op == sock_ops_op::kHdrOptLen) return 0;
    if (op == sock_ops_op::kWriteHdrOpt) return header_len(seg) - reserved_space(seg);
    return header_len(seg);
}

Error input_error(std::string what, std::string hint = "") {
    return make_error(ErrorKind::Load, std::move(what), std::nullopt, std::move(hint));
}

}  // namespace

Result<Unit> map_sock_ops_input(const RunInput& in, RunState& mem, Vm& vm, const Network& net) {
    const std::optional<uint32_t> index = net.program_socket_index();
    if (!index)
        return input_error(std::string("a sock_ops program runs on a TCP socket, but the host has ") +
                               (net.program_socket == Network::kAutoSocket
                                    ? "no established TCP socket"
                                    : "no socket " + std::to_string(net.program_socket)),
                           "Add a TCP socket to the host, or pick one with program_socket.");
    const HostSocket& s = net.sockets[*index];
    if (s.protocol != kIpprotoTcp)
        return input_error("sock_ops callbacks are made on TCP sockets, but the program socket " +
                               std::to_string(*index) + " is a UDP socket",
                           "Pick a TCP socket with program_socket.");
    mem.ctx = make_sock_ops();
    FieldContext& c = *mem.ctx;
    if (!in.ctx.empty()) std::memcpy(c.bytes().data(), in.ctx.data(), std::min(in.ctx.size(), c.bytes().size()));
    const uint32_t op = c.get_u32(sock_ops::kOp);
    if (op > sock_ops_op::kLast)
        return input_error("op " + std::to_string(op) + " is not a sock_ops callback (BPF_SOCK_OPS_VOID 0 to "
                                                         "BPF_SOCK_OPS_TSTAMP_SENDMSG_CB 20)",
                           "Set the context's op field.");
    for (const OpGate& g : kGates)
        if (g.op == op && !(s.sock_ops_cb_flags & g.flags))
            return input_error("the kernel makes callback " + std::to_string(op) + " only on a socket whose "
                               "bpf_sock_ops_cb_flags has " + g.names + ", and socket " + std::to_string(*index) +
                               "'s are " + hex(s.sock_ops_cb_flags),
                               "A sock_ops program sets them with bpf_sock_ops_cb_flags_set (or set the socket's "
                               "sock_ops_cb_flags in the host).");
    const auto sk_cb = s.options.find("SK_BPF_CB_FLAGS");
    if (op >= sock_ops_op::kTstampFirst && (sk_cb == s.options.end() || !(sk_cb->second & 1)))
        return input_error("the kernel makes the timestamping callbacks (16 to 20) only on a socket with "
                           "SK_BPF_CB_TX_TIMESTAMPING in SK_BPF_CB_FLAGS, which socket " + std::to_string(*index) +
                           " does not have",
                           "bpf_setsockopt(skops, SOL_SOCKET, SK_BPF_CB_FLAGS, 1) in an earlier callback sets it.");
    const std::vector<uint8_t>& seg = in.packet;
    if (!carries_segment(op) && !seg.empty())
        return input_error("callback " + std::to_string(op) + " carries no segment (skb_data is NULL), but the "
                                                              "input has a packet",
                           "Only ops 4, 5, 13, 14 and 15 carry a TCP segment; leave the packet empty.");
    // The established callbacks and HDR_OPT_LEN_CB may run without one (skb_data NULL), as
    // tcp_current_mss does; the parse and write callbacks always have one.
    if (op == sock_ops_op::kParseHdrOpt || op == sock_ops_op::kWriteHdrOpt || !seg.empty()) {
        if (seg.size() < kTcpHeaderLen || header_len(seg) < kTcpHeaderLen || header_len(seg) > seg.size())
            return input_error("callback " + std::to_string(op) + " carries a TCP segment: the packet must start "
                               "with a TCP header whose data offset fits it (" + std::to_string(seg.size()) +
                               " bytes given)",
                               "Give the segment from its TCP header on (20 to 60 bytes of header, then data).");
    }
    // The socket's side, as sock_ops_convert_ctx_access reads struct sock.
    std::vector<uint8_t>& b = c.bytes();
    c.set_u32(sock_ops::kFamily, s.family);
    if (s.family == kAfInet) {
        std::memcpy(&b[sock_ops::kRemoteIp4], s.remote_addr.data(), 4);
        std::memcpy(&b[sock_ops::kLocalIp4], s.local_addr.data(), 4);
    } else {
        std::memcpy(&b[sock_ops::kRemoteIp6], s.remote_addr.data(), 16);
        std::memcpy(&b[sock_ops::kLocalIp6], s.local_addr.data(), 16);
    }
    const uint32_t be_port = uint32_t(s.remote_port >> 8) | uint32_t(s.remote_port & 0xff) << 8;
    c.set_u32(sock_ops::kRemotePort, be_port << 16);
    c.set_u32(sock_ops::kLocalPort, s.local_port);
    c.set_u32(sock_ops::kState, uint32_t(s.state));
    const bool full = full_socket(s);
    c.set_u32(sock_ops::kIsFullsock, full);
    if (full) {
        c.set_u32(sock_ops::kCbFlags, s.sock_ops_cb_flags);
        store_le<uint64_t>(&b[sock_ops::kSk], socket_address(*index));
    } else {
        // The tcp_sock fields read 0 on a request or timewait socket, and sk is NULL.
        std::fill(b.begin() + sock_ops::kSndCwnd, b.begin() + sock_ops::kState, 0);
        std::fill(b.begin() + sock_ops::kState + 4, b.begin() + sock_ops::kSkbData, 0);
    }
    c.set_u32(sock_ops::kSkbLen, uint32_t(seg.size()));
    c.set_u32(sock_ops::kSkbTcpFlags, seg.size() > 13 ? seg[13] : 0);
    if (carries_segment(op) && !seg.empty()) {
        mem.packet.init_msg(seg);
        mem.packet.attach(vm.memory(), &c);
        mem.packet.set_geometry({0, 0, visible_len(op, seg)});
    }
    vm.memory().map_context(window::kContext, sock_ops::kSize, "bpf_sock_ops context", mem.ctx.get());
    return Unit{};
}

void start_sock_ops_run(const RunState& mem, NetRun& run) {
    if (!mem.ctx) return;
    const uint32_t op = mem.ctx->get_u32(sock_ops::kOp);
    const std::vector<uint8_t>& seg = mem.input.packet;
    const uint32_t options = seg.empty() ? 0 : header_len(seg) - kTcpHeaderLen;
    if (op == sock_ops_op::kHdrOptLen) run.hdr_opt_left = kMaxOptionSpace - std::min(options, kMaxOptionSpace);
    if (op == sock_ops_op::kWriteHdrOpt) run.hdr_opt_left = reserved_space(seg);
}

std::vector<uint8_t> sock_ops_segment_out(RunState& mem) {
    const std::vector<uint8_t>& seg = mem.input.packet;
    if (mem.packet.kind() == PacketBuffer::Kind::None) return seg;
    std::vector<uint8_t> out(mem.packet.frame(), mem.packet.frame() + seg.size());
    if (mem.ctx && mem.ctx->get_u32(sock_ops::kOp) == sock_ops_op::kWriteHdrOpt)
        std::fill(out.begin() + mem.packet.geometry().end, out.begin() + header_len(seg), kTcpoptNop);
    return out;
}

}  // namespace bpfplay
