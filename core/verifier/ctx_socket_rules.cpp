#include "core/verifier/ctx_socket_rules.hpp"

#include <algorithm>
#include <initializer_list>

namespace bpfplay::verifier {

namespace {

// bpf_ctx_narrow_access_ok: a power-of-two part of a u32 field (the offset's alignment is
// checked before).
bool ctx_narrow_ok(uint32_t size) { return size <= 4 && (size & (size - 1)) == 0; }

// cgroup_dev_is_valid_access (struct bpf_cgroup_dev_ctx { u32 access_type, major, minor; }):
// access_type may be read in part, major and minor only whole; nothing is written.
constexpr uint32_t kCgroupDevCtxSize = 12;
CtxRead cgroup_dev_ctx_read(uint32_t off, uint32_t size) {
    if (off + size > kCgroupDevCtxSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    if (off < 4) return ctx_narrow_ok(size) ? CtxRead::Number : CtxRead::Refused;
    return size == 4 ? CtxRead::Number : CtxRead::Refused;
}

// sysctl_is_valid_access (struct bpf_sysctl { u32 write; u32 file_pos; }): both read in part;
// only file_pos is written, whole.
constexpr uint32_t kSysctlCtxSize = 8;
constexpr uint32_t kSysctlFilePosOff = 4;
CtxRead sysctl_ctx_read(uint32_t off, uint32_t size) {
    if (off + size > kSysctlCtxSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    return ctx_narrow_ok(size) ? CtxRead::Number : CtxRead::Refused;
}
bool sysctl_ctx_write(uint32_t off, uint32_t size) { return off == kSysctlFilePosOff && size == 4; }

// sock_ops_is_valid_access (struct bpf_sock_ops of Linux 6.18, 224 bytes): u32 fields whole;
// the 8-byte fields (the byte counters, sk a socket or NULL, skb_data/skb_data_end the
// segment's TCP header as a packet, skb_hwtstamp) whole from their start, no part of them
// otherwise (6.18 checks them as ranges); skb_tcp_flags read in part from its first byte; only
// reply and sk_txhash written, whole.
namespace sock_ops_off {
constexpr uint32_t kReply = 4, kSkTxhash = 164, kBytesReceived = 168, kSk = 184, kSkbData = 192, kSkbDataEnd = 200,
                   kSkbTcpFlags = 212, kSkbHwtstamp = 216, kSize = 224;
}
CtxRead sock_ops_ctx_read(uint32_t off, uint32_t size) {
    using namespace sock_ops_off;
    if (off >= kSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    if ((off >= kBytesReceived && off < kSkbDataEnd + 8) || off >= kSkbHwtstamp) {
        if (size != 8) return CtxRead::Refused;  // aligned: at the field's start
        switch (off) {
        case kSk: return CtxRead::SockOrNull;
        case kSkbData: return CtxRead::PacketStart;
        case kSkbDataEnd: return CtxRead::PacketEnd;
        }
        return CtxRead::Number;
    }
    if (off == kSkbTcpFlags) return ctx_narrow_ok(size) ? CtxRead::Number : CtxRead::Refused;
    return size == 4 ? CtxRead::Number : CtxRead::Refused;
}
bool sock_ops_ctx_write(uint32_t off, uint32_t size) {
    return (off == sock_ops_off::kReply || off == sock_ops_off::kSkTxhash) && size == 4;
}

// sk_msg_is_valid_access (struct sk_msg_md, 80 bytes): read-only; data and data_end the
// message as a packet, sk the socket (never NULL), all 8 bytes whole; the address, port and
// size fields 4 bytes at a time.
namespace sk_msg_off {
constexpr uint32_t kData = 0, kDataEnd = 8, kFamily = 16, kSk = 72, kSize = 80;
}
CtxRead sk_msg_ctx_read(uint32_t off, uint32_t size) {
    using namespace sk_msg_off;
    if (off >= kSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    switch (off) {
    case kData: return size == 8 ? CtxRead::PacketStart : CtxRead::Refused;
    case kDataEnd: return size == 8 ? CtxRead::PacketEnd : CtxRead::Refused;
    case kSk: return size == 8 ? CtxRead::Sock : CtxRead::Refused;
    }
    return off >= kFamily && off < kSk && size == 4 ? CtxRead::Number : CtxRead::Refused;
}

// sk_reuseport_is_valid_access (struct sk_reuseport_md, 56 bytes): read-only; data/data_end
// the packet and sk the listening socket, 8 bytes whole; hash whole; len, eth_protocol (at
// least its 2 bytes), ip_protocol and bind_inany in part.
namespace sk_reuseport_off {
constexpr uint32_t kData = 0, kDataEnd = 8, kLen = 16, kEthProtocol = 20, kHash = 32, kSk = 40, kMigratingSk = 48,
                   kSize = 56;
}
CtxRead sk_reuseport_ctx_read(uint32_t off, uint32_t size) {
    using namespace sk_reuseport_off;
    if (off >= kSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    switch (off) {
    case kData: return size == 8 ? CtxRead::PacketStart : CtxRead::Refused;
    case kDataEnd: return size == 8 ? CtxRead::PacketEnd : CtxRead::Refused;
    case kHash: return size == 4 ? CtxRead::Number : CtxRead::Refused;
    case kSk: return size == 8 ? CtxRead::Sock : CtxRead::Refused;
    // PTR_TO_SOCK_COMMON_OR_NULL, which the checker's sockets do not tell apart.
    case kMigratingSk: return size == 8 ? CtxRead::Unmodelled : CtxRead::Refused;
    }
    if (off >= kEthProtocol && off < kEthProtocol + 4 && size < 2) return CtxRead::Refused;
    return off >= kLen && off < kHash && ctx_narrow_ok(size) ? CtxRead::Number : CtxRead::Refused;
}

// sock_addr_is_valid_access (struct bpf_sock_addr, 72 bytes). The address fields exist only
// for the attach types of their family (user_ip4 for inet4 hooks, msg_src_ip4 for udp4
// sendmsg...); they and user_port are read in part, written whole, and user_ip6 / msg_src_ip6
// also 8 bytes at a time from an 8-aligned offset. sk (after 4 bytes of padding, refused) is
// the socket, read whole; the other fields are read whole and never written.
namespace sock_addr_off {
constexpr uint32_t kUserIp4 = 4, kUserIp6 = 8, kUserPort = 24, kMsgSrcIp4 = 40, kMsgSrcIp6 = 44, kPadding = 60, kSk = 64,
                   kSize = 72;
}

bool sock_addr_field_for_attach(uint32_t off, AttachType a) {
    using namespace sock_addr_off;
    using A = AttachType;
    auto in = [a](std::initializer_list<A> list) { return std::find(list.begin(), list.end(), a) != list.end(); };
    if (off >= kUserIp4 && off < kUserIp4 + 4)
        return in({A::CgroupInet4Bind, A::CgroupInet4Connect, A::CgroupInet4Getpeername, A::CgroupInet4Getsockname,
                   A::CgroupUdp4Sendmsg, A::CgroupUdp4Recvmsg});
    if (off >= kUserIp6 && off < kUserIp6 + 16)
        return in({A::CgroupInet6Bind, A::CgroupInet6Connect, A::CgroupInet6Getpeername, A::CgroupInet6Getsockname,
                   A::CgroupUdp6Sendmsg, A::CgroupUdp6Recvmsg});
    if (off >= kMsgSrcIp4 && off < kMsgSrcIp4 + 4) return a == A::CgroupUdp4Sendmsg;
    if (off >= kMsgSrcIp6 && off < kMsgSrcIp6 + 16) return a == A::CgroupUdp6Sendmsg;
    return true;
}

// bpf_ctx_wide_access_ok: 8 bytes of an array of u32 from an 8-aligned offset inside it.
bool sock_addr_wide_ok(uint32_t off, uint32_t size) {
    using namespace sock_addr_off;
    auto within = [&](uint32_t start) { return off >= start && off + size <= start + 16; };
    return size == 8 && off % 8 == 0 && (within(kUserIp6) || within(kMsgSrcIp6));
}

bool sock_addr_is_address(uint32_t off) {
    using namespace sock_addr_off;
    return (off >= kUserIp4 && off < kUserPort + 4) || (off >= kMsgSrcIp4 && off < kMsgSrcIp6 + 16);
}

CtxRead sock_addr_ctx_read(AttachType attach, uint32_t off, uint32_t size) {
    using namespace sock_addr_off;
    if (off >= kSize || !ctx_aligned(off, size) || !sock_addr_field_for_attach(off, attach)) return CtxRead::Refused;
    if (sock_addr_is_address(off))
        return sock_addr_wide_ok(off, size) || ctx_narrow_ok(size) ? CtxRead::Number : CtxRead::Refused;
    if (off == kSk) return size == 8 ? CtxRead::Sock : CtxRead::Refused;
    return size == 4 && off < kPadding ? CtxRead::Number : CtxRead::Refused;
}

bool sock_addr_ctx_write(AttachType attach, uint32_t off, uint32_t size) {
    if (off >= sock_addr_off::kSize || !ctx_aligned(off, size) || !sock_addr_field_for_attach(off, attach)) return false;
    return sock_addr_is_address(off) && (sock_addr_wide_ok(off, size) || size == 4);
}

// A cgroup/sock program's struct bpf_sock (80 bytes): bpf_sock_is_valid_access, then
// __sock_filter_check_attach_type. state, family, type, protocol, src_port and
// rx_queue_mapping are read in part from their first byte; the addresses in part anywhere;
// dst_port 2 bytes (or 4 from its start), its padding refused; the rest whole. bound_dev_if,
// mark and priority exist for sock_create/sock_release only, which may also write them; the
// source address and port for post_bind only; nothing else is written.
namespace bpf_sock_off {
constexpr uint32_t kBoundDevIf = 0, kFamily = 4, kType = 8, kProtocol = 12, kMark = 16, kPriority = 20, kSrcIp4 = 24,
                   kSrcIp6 = 28, kSrcPort = 44, kDstPort = 48, kDstIp4 = 52, kDstIp6 = 56, kState = 72,
                   kRxQueueMapping = 76, kSize = 80;
}

bool bpf_sock_layout_ok(uint32_t off, uint32_t size) {
    using namespace bpf_sock_off;
    if (off >= kSize || !ctx_aligned(off, size)) return false;
    switch (off) {
    case kState:
    case kFamily:
    case kType:
    case kProtocol:
    case kSrcPort:
    case kRxQueueMapping: return ctx_narrow_ok(size);
    }
    const bool address = (off >= kSrcIp4 && off < kSrcPort) || (off >= kDstIp4 && off < kDstIp6 + 16);
    if (address) return ctx_narrow_ok(size);
    if (off >= kDstPort && off < kDstPort + 2) return size == 4 ? off == kDstPort : size <= 2 && ctx_narrow_ok(size);
    if (off >= kDstPort + 2 && off < kDstIp4) return false;
    return size == 4;
}

bool bpf_sock_attach_ok(AttachType attach, uint32_t off, bool write) {
    using namespace bpf_sock_off;
    using A = AttachType;
    if (off == kBoundDevIf || off == kMark || off == kPriority)
        return attach == A::CgroupInetSockCreate || attach == A::CgroupInetSockRelease;
    if (off >= kSrcIp4 && off < kSrcIp4 + 4) return attach == A::CgroupInet4PostBind && !write;
    if (off >= kSrcIp6 && off < kSrcPort) return attach == A::CgroupInet6PostBind && !write;
    if (off == kSrcPort) return (attach == A::CgroupInet4PostBind || attach == A::CgroupInet6PostBind) && !write;
    return !write;
}

CtxRead cgroup_sock_ctx_read(AttachType attach, uint32_t off, uint32_t size) {
    return bpf_sock_layout_ok(off, size) && bpf_sock_attach_ok(attach, off, false) ? CtxRead::Number : CtxRead::Refused;
}
bool cgroup_sock_ctx_write(AttachType attach, uint32_t off, uint32_t size) {
    return bpf_sock_layout_ok(off, size) && bpf_sock_attach_ok(attach, off, true);
}

// syscall_prog_is_valid_access: the context is the caller's buffer, of a size only known when
// the program runs; any aligned access below U16_MAX is allowed, reads and writes alike.
constexpr uint32_t kSyscallCtxLimit = 65535;
CtxRead syscall_ctx_read(uint32_t off, uint32_t size) {
    return off < kSyscallCtxLimit && ctx_aligned(off, size) ? CtxRead::Number : CtxRead::Refused;
}
bool syscall_ctx_write(uint32_t off, uint32_t size) { return syscall_ctx_read(off, size) == CtxRead::Number; }

// cg_sockopt_is_valid_access (struct bpf_sockopt, 40 bytes): sk the socket, optval/optval_end
// the option value as a packet, 8 bytes whole from their start; level, optname, optlen read
// whole, and retval for getsockopt only; writes: optlen, retval (getsockopt), level and optname
// (setsockopt), 4 bytes.
namespace sockopt_off {
constexpr uint32_t kSk = 0, kOptval = 8, kOptvalEnd = 16, kLevel = 24, kOptname = 28, kOptlen = 32, kRetval = 36,
                   kSize = 40;
}
CtxRead sockopt_ctx_read(AttachType attach, uint32_t off, uint32_t size) {
    using namespace sockopt_off;
    if (off >= kSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    if (off < kLevel) {
        if (size != 8) return CtxRead::Refused;
        switch (off) {
        case kSk: return CtxRead::Sock;
        case kOptval: return CtxRead::PacketStart;
        case kOptvalEnd: return CtxRead::PacketEnd;
        }
        return CtxRead::Refused;
    }
    if (size != 4) return CtxRead::Refused;
    if (off == kRetval && attach != AttachType::CgroupGetsockopt) return CtxRead::Refused;
    return CtxRead::Number;
}
bool sockopt_ctx_write(AttachType attach, uint32_t off, uint32_t size) {
    using namespace sockopt_off;
    if (size != 4) return false;
    switch (off) {
    case kRetval: return attach == AttachType::CgroupGetsockopt;
    case kLevel:
    case kOptname: return attach == AttachType::CgroupSetsockopt;
    case kOptlen: return true;
    }
    return false;
}

// sk_lookup_is_valid_access (struct bpf_sk_lookup, 68 bytes), read only: sk (a socket or NULL)
// 8 bytes whole at 0; the u32 fields read in part at any aligned offset; remote_port, a __be16,
// read whole as 4 bytes (for old programs) or in part, and the 2 bytes of zero padding after it
// in part; nothing else.
namespace sk_lookup_off {
constexpr uint32_t kSk = 0, kFamily = 8, kRemotePort = 36, kLocalIp4 = 40, kSize = 68;
}
CtxRead sk_lookup_ctx_read(uint32_t off, uint32_t size) {
    using namespace sk_lookup_off;
    if (off >= kSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    if (off < kFamily) return off == kSk && size == 8 ? CtxRead::SockOrNull : CtxRead::Refused;
    if (off == kRemotePort && size == 4) return CtxRead::Number;
    if (off >= kRemotePort && off < kLocalIp4) return size <= 2 ? CtxRead::Number : CtxRead::Refused;
    return ctx_narrow_ok(size) ? CtxRead::Number : CtxRead::Refused;
}

// nf_is_valid_access (net/netfilter/nf_bpf_link.c; struct bpf_nf_ctx { const struct
// nf_hook_state *state; struct sk_buff *skb; }), read only: each pointer 8 bytes, a trusted
// pointer to the kernel struct (nf_ptr_to_btf_id: PTR_TO_BTF_ID | PTR_TRUSTED).
constexpr uint32_t kNfCtxSize = 16;
CtxRead netfilter_ctx_read(uint32_t off, uint32_t size) {
    if (off >= kNfCtxSize || size != 8) return CtxRead::Refused;
    // The kernel checks each pointer's 8 bytes as a range, not its start: a misaligned read
    // inside one is not modelled.
    return off % 8 == 0 ? CtxRead::TrustedObject : CtxRead::Unmodelled;
}

// The types checked by offset and size alone, with what they may write (nullptr: nothing).
using SocketCtxRead = CtxRead (*)(uint32_t off, uint32_t size);
using SocketCtxWrite = bool (*)(uint32_t off, uint32_t size);
struct SocketCtxRule {
    ProgType type;
    SocketCtxRead read;
    SocketCtxWrite write;
};
constexpr SocketCtxRule kSocketCtxRules[] = {
    {ProgType::CgroupDevice, cgroup_dev_ctx_read, nullptr},
    {ProgType::CgroupSysctl, sysctl_ctx_read, sysctl_ctx_write},
    {ProgType::SockOps, sock_ops_ctx_read, sock_ops_ctx_write},
    {ProgType::SkMsg, sk_msg_ctx_read, nullptr},
    {ProgType::SkReuseport, sk_reuseport_ctx_read, nullptr},
    {ProgType::Syscall, syscall_ctx_read, syscall_ctx_write},
    {ProgType::SkLookup, sk_lookup_ctx_read, nullptr},
    {ProgType::Netfilter, netfilter_ctx_read, nullptr},
};

const SocketCtxRule* socket_ctx_rule(ProgType type) {
    for (const SocketCtxRule& r : kSocketCtxRules)
        if (r.type == type) return &r;
    return nullptr;
}

}  // namespace

bool socket_ctx_modelled(ProgType type) {
    return type == ProgType::CgroupSockAddr || type == ProgType::CgroupSock || type == ProgType::CgroupSockopt ||
           socket_ctx_rule(type) != nullptr;
}

CtxRead socket_ctx_read(ProgType type, AttachType attach, uint32_t off, uint32_t size) {
    if (type == ProgType::CgroupSockAddr) return sock_addr_ctx_read(attach, off, size);
    if (type == ProgType::CgroupSock) return cgroup_sock_ctx_read(attach, off, size);
    if (type == ProgType::CgroupSockopt) return sockopt_ctx_read(attach, off, size);
    const SocketCtxRule* rule = socket_ctx_rule(type);
    return rule ? rule->read(off, size) : CtxRead::Unmodelled;
}

bool socket_ctx_write(ProgType type, AttachType attach, uint32_t off, uint32_t size) {
    if (type == ProgType::CgroupSockAddr) return sock_addr_ctx_write(attach, off, size);
    if (type == ProgType::CgroupSock) return cgroup_sock_ctx_write(attach, off, size);
    if (type == ProgType::CgroupSockopt) return sockopt_ctx_write(attach, off, size);
    const SocketCtxRule* rule = socket_ctx_rule(type);
    return rule && rule->write && rule->write(off, size);
}

}  // namespace bpfplay::verifier

namespace bpfplay::verifier {

const char* ctx_object_struct(ProgType type, uint32_t off) {
    if (type == ProgType::Netfilter) return off == 0 ? "nf_hook_state" : "sk_buff";
    return nullptr;
}

}  // namespace bpfplay::verifier
