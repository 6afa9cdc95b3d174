#include "core/context/cgroup_contexts.hpp"

#include <cstring>

#include "core/memory.hpp"

namespace bpfplay {

namespace {

using A = AttachType;

// bpf_ctx_narrow_access_ok for a 4-byte field: 1, 2 or 4 bytes.
bool narrow_ok(uint32_t size) { return size <= 4 && (size & (size - 1)) == 0; }

bool refuse(std::string& why, std::string text) {
    why = std::move(text);
    return false;
}

std::string bytes_text(uint32_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// sysctl_is_valid_access: write is read-only; file_pos may be read 1, 2 or 4 bytes at a time
// and written only as a whole u32.
bool sysctl_rule(uint32_t off, uint32_t size, bool write, AttachType, std::string& why) {
    if (off < bpf_sysctl::kFilePos) {
        if (write) return refuse(why, "field write is read-only");
        return narrow_ok(size) || refuse(why, "write is read 1, 2 or 4 bytes at a time");
    }
    if (write) return size == 4 || refuse(why, "file_pos is written 4 bytes at a time, not " + bytes_text(size));
    return narrow_ok(size) || refuse(why, "file_pos is read 1, 2 or 4 bytes at a time");
}

// cgroup_dev_is_valid_access: nothing is written; access_type may be read narrow, major and
// minor only whole.
bool dev_rule(uint32_t off, uint32_t size, bool write, AttachType, std::string& why) {
    if (write) return refuse(why, "struct bpf_cgroup_dev_ctx is read-only");
    if (off < bpf_cgroup_dev_ctx::kMajor)
        return narrow_ok(size) || refuse(why, "access_type is read 1, 2 or 4 bytes at a time");
    return size == 4 || refuse(why, "major and minor are read 4 bytes at a time");
}

// cg_sockopt_is_valid_access.
bool sockopt_rule(uint32_t off, uint32_t size, bool write, AttachType attach, std::string& why) {
    const bool get = attach == A::CgroupGetsockopt;
    if (write) {
        switch (off) {
        case bpf_sockopt::kRetval:
            if (size != 4) return refuse(why, "retval is written 4 bytes at a time");
            return get || refuse(why, "only a cgroup/getsockopt program may write retval (a setsockopt program "
                                      "calls bpf_set_retval)");
        case bpf_sockopt::kLevel:
        case bpf_sockopt::kOptname:
            if (size != 4) return refuse(why, "level and optname are written 4 bytes at a time");
            return !get || refuse(why, "only a cgroup/setsockopt program may change level and optname");
        case bpf_sockopt::kOptlen: return size == 4 || refuse(why, "optlen is written 4 bytes at a time");
        default: return refuse(why, "the field is read-only");
        }
    }
    switch (off) {
    case bpf_sockopt::kSk:
    case bpf_sockopt::kOptval:
    case bpf_sockopt::kOptvalEnd: return size == 8 || refuse(why, "sk, optval and optval_end are read as 8-byte pointers");
    case bpf_sockopt::kRetval:
        if (size != 4) return refuse(why, "retval is read 4 bytes at a time");
        return get || refuse(why, "only a cgroup/getsockopt program may read retval (a setsockopt program calls "
                                  "bpf_get_retval)");
    default: return size == 4 || refuse(why, "level, optname and optlen are read 4 bytes at a time");
    }
}

bool inet4(AttachType a) {
    return a == A::CgroupInet4Bind || a == A::CgroupInet4Connect || a == A::CgroupInet4Getpeername ||
           a == A::CgroupInet4Getsockname || a == A::CgroupUdp4Sendmsg || a == A::CgroupUdp4Recvmsg;
}
bool inet6(AttachType a) {
    return a == A::CgroupInet6Bind || a == A::CgroupInet6Connect || a == A::CgroupInet6Getpeername ||
           a == A::CgroupInet6Getsockname || a == A::CgroupUdp6Sendmsg || a == A::CgroupUdp6Recvmsg;
}

// bpf_ctx_wide_access_ok: an aligned 8-byte access inside a 16-byte address field.
bool wide_ok(uint32_t off, uint32_t size, uint32_t field) {
    return size == 8 && off >= field && off < field + 16 && (off - field) % 8 == 0;
}

// sock_addr_is_valid_access: the address fields of the attach type's family (msg_src_* only for
// sendmsg), read narrow or written whole (8 bytes at a time for the IPv6 arrays too); sk read as a
// pointer; the family, type and protocol fields read-only and whole.
bool sock_addr_rule(uint32_t off, uint32_t size, bool write, AttachType attach, std::string& why) {
    namespace S = bpf_sock_addr;
    const char* name = nullptr;
    if (off >= S::kUserIp4 && off < S::kUserIp6) {
        if (!inet4(attach)) return refuse(why, "user_ip4 belongs to the IPv4 attach types");
        name = "user_ip4";
    } else if (off >= S::kUserIp6 && off < S::kUserPort) {
        if (!inet6(attach)) return refuse(why, "user_ip6 belongs to the IPv6 attach types");
        name = "user_ip6";
    } else if (off >= S::kMsgSrcIp4 && off < S::kMsgSrcIp6) {
        if (attach != A::CgroupUdp4Sendmsg) return refuse(why, "msg_src_ip4 exists only for cgroup/sendmsg4");
        name = "msg_src_ip4";
    } else if (off >= S::kMsgSrcIp6 && off < S::kMsgSrcIp6 + 16) {
        if (attach != A::CgroupUdp6Sendmsg) return refuse(why, "msg_src_ip6 exists only for cgroup/sendmsg6");
        name = "msg_src_ip6";
    } else if (off >= S::kUserPort && off < S::kFamily) {
        name = "user_port";
    }
    if (name) {
        if (wide_ok(off, size, S::kUserIp6) || wide_ok(off, size, S::kMsgSrcIp6)) return true;
        if (write) return size == 4 || refuse(why, std::string(name) + " is written 4 bytes at a time");
        return narrow_ok(size) || refuse(why, std::string(name) + " is read 1, 2 or 4 bytes at a time");
    }
    if (off == S::kSk) {
        if (write) return refuse(why, "sk is read-only");
        return size == 8 || refuse(why, "sk is read as an 8-byte pointer");
    }
    if (write) return refuse(why, "user_family, family, type and protocol are read-only");
    return size == 4 || refuse(why, "user_family, family, type and protocol are read 4 bytes at a time");
}

// bpf_sock_is_valid_access (sizes: narrow reads of the 4-byte fields, dst_port 2 or 4 bytes, no
// access to the padding after it) and then __sock_filter_check_attach_type (who may touch what).
bool sock_rule(uint32_t off, uint32_t size, bool write, AttachType attach, std::string& why) {
    constexpr uint32_t kBoundDevIf = 0, kMark = 16, kPriority = 20, kSrcIp4 = 24, kSrcIp6 = 28, kSrcPort = 44,
                       kDstPort = 48, kDstIp4 = 52;
    if (off >= kDstPort + 2 && off < kDstIp4) return refuse(why, "bytes 50 and 51 are padding after dst_port");
    const bool narrow_field = off != kBoundDevIf && off != kMark && off != kPriority;
    if (off >= kDstPort && off < kDstPort + 2) {
        if (!(size == 4 || (size <= 2 && (size & (size - 1)) == 0)))
            return refuse(why, "dst_port is read 1, 2 or 4 bytes at a time");
    } else if (narrow_field ? !narrow_ok(size) : size != 4) {
        return refuse(why, std::string("the field is ") + (narrow_field ? "read 1, 2 or 4 bytes" : "accessed 4 bytes") +
                               " at a time");
    }
    const bool create = attach == A::CgroupInetSockCreate || attach == A::CgroupInetSockRelease;
    if (off == kBoundDevIf || off == kMark || off == kPriority)
        return create || refuse(why, "bound_dev_if, mark and priority belong to cgroup/sock_create and sock_release");
    if (off >= kSrcIp4 && off < kSrcIp6 && attach != A::CgroupInet4PostBind)
        return refuse(why, "src_ip4 exists only for cgroup/post_bind4");
    if (off >= kSrcIp6 && off < kSrcPort && attach != A::CgroupInet6PostBind)
        return refuse(why, "src_ip6 exists only for cgroup/post_bind6");
    if (off >= kSrcPort && off < kDstPort && attach != A::CgroupInet4PostBind && attach != A::CgroupInet6PostBind)
        return refuse(why, "src_port exists only for cgroup/post_bind4 and post_bind6");
    return !write || refuse(why, "the field is read-only");
}

}  // namespace

CgroupContext::CgroupContext(std::string struct_name, std::vector<ContextField> fields, uint32_t size, Rule rule,
                             AttachType attach)
    : FieldContext(std::move(struct_name), std::move(fields), size), rule_(rule), attach_(attach) {}

bool CgroupContext::load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) {
    // The kernel refuses misaligned context accesses (off % size) before looking at fields.
    if (off % size != 0 && off + size <= bytes().size())
        return refuse(why, "a " + bytes_text(size) + " access must start at a multiple of " + std::to_string(size));
    if (off + size <= bytes().size() && !rule_(off, size, false, attach_, why)) return false;
    return FieldContext::load(off, size, value, why);
}

bool CgroupContext::store(uint32_t off, uint32_t size, uint64_t value, std::string& why) {
    if (off % size != 0 && off + size <= bytes().size())
        return refuse(why, "a " + bytes_text(size) + " access must start at a multiple of " + std::to_string(size));
    if (off + size <= bytes().size() && !rule_(off, size, true, attach_, why)) return false;
    return FieldContext::store(off, size, value, why);
}

int32_t CgroupContext::retval() const {
    if (struct_name() == "bpf_sockopt") return int32_t(get_u32(bpf_sockopt::kRetval));
    return retval_;
}

void CgroupContext::set_retval(int32_t v) {
    if (struct_name() == "bpf_sockopt")
        set_u32(bpf_sockopt::kRetval, uint32_t(v));
    else
        retval_ = v;
}

std::span<uint8_t> CgroupContext::retval_bytes() {
    if (struct_name() == "bpf_sockopt") return std::span<uint8_t>(bytes()).subspan(bpf_sockopt::kRetval, 4);
    return {reinterpret_cast<uint8_t*>(&retval_), sizeof retval_};
}

std::unique_ptr<CgroupContext> make_bpf_sysctl() {
    return std::make_unique<CgroupContext>("bpf_sysctl",
                                           std::vector<ContextField>{
                                               {"write", 0, 4, "1 when the sysctl is being written, 0 when read"},
                                               {"file_pos", 4, 4, "the position in the sysctl file being read or written (writable)", FieldKind::Value, true},
                                           },
                                           bpf_sysctl::kSize, sysctl_rule, A::CgroupSysctl);
}

std::unique_ptr<CgroupContext> make_bpf_cgroup_dev_ctx() {
    return std::make_unique<CgroupContext>("bpf_cgroup_dev_ctx",
                                           std::vector<ContextField>{
                                               {"access_type", 0, 4, "(BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*: mknod/read/write, and block or char device"},
                                               {"major", 4, 4, "the device's major number"},
                                               {"minor", 8, 4, "the device's minor number"},
                                           },
                                           bpf_cgroup_dev_ctx::kSize, dev_rule, A::CgroupDevice);
}

std::unique_ptr<CgroupContext> make_bpf_sockopt(AttachType attach) {
    const bool get = attach == A::CgroupGetsockopt;
    return std::make_unique<CgroupContext>("bpf_sockopt",
                                           std::vector<ContextField>{
                                               {"sk", 0, 8, "the socket the option is set on or read from (a struct bpf_sock pointer)"},
                                               {"optval", 8, 8, "the option's value buffer (an 8-byte load gives the address)", FieldKind::PacketStart},
                                               {"optval_end", 16, 8, "one past the end of that buffer (an 8-byte load gives the address)", FieldKind::PacketEnd},
                                               {"level", 24, 4, "the option's level (SOL_SOCKET, SOL_TCP, ...), writable in setsockopt", FieldKind::Value, !get},
                                               {"optname", 28, 4, "the option's name (SO_MARK, TCP_CONGESTION, ...), writable in setsockopt", FieldKind::Value, !get},
                                               {"optlen", 32, 4, "the value's length in bytes; the program may shorten it", FieldKind::Value, true},
                                               {"retval", 36, 4, "what getsockopt returns to the caller (0 or -errno), writable in getsockopt", FieldKind::Value, get},
                                           },
                                           bpf_sockopt::kSize, sockopt_rule, attach);
}

std::unique_ptr<CgroupContext> make_bpf_sock_addr(AttachType attach) {
    const bool v4 = inet4(attach), v6 = inet6(attach);
    return std::make_unique<CgroupContext>(
        "bpf_sock_addr",
        std::vector<ContextField>{
            {"user_family", 0, 4, "the address family the caller passed: 2 AF_INET, 10 AF_INET6"},
            {"user_ip4", 4, 4, "the IPv4 address the caller passed to bind/connect/sendmsg, network byte order; writable to rewrite it", FieldKind::Value, v4},
            {"user_ip6", 8, 16, "the IPv6 address the caller passed, four u32s in network byte order; writable to rewrite it", FieldKind::Value, v6},
            {"user_port", 24, 4, "the port the caller passed, network byte order; writable to rewrite it", FieldKind::Value, true},
            {"family", 28, 4, "the socket's address family: 2 AF_INET, 10 AF_INET6"},
            {"type", 32, 4, "the socket's type: 1 SOCK_STREAM, 2 SOCK_DGRAM"},
            {"protocol", 36, 4, "the socket's protocol: 6 TCP, 17 UDP"},
            {"msg_src_ip4", 40, 4, "the IPv4 source address a UDP sendmsg will use (writable in sendmsg4)", FieldKind::Value, attach == A::CgroupUdp4Sendmsg},
            {"msg_src_ip6", 44, 16, "the IPv6 source address a UDP sendmsg will use (writable in sendmsg6)", FieldKind::Value, attach == A::CgroupUdp6Sendmsg},
            {"sk", 64, 8, "the socket (a struct bpf_sock pointer)"},
        },
        bpf_sock_addr::kSize, sock_addr_rule, attach);
}

std::unique_ptr<CgroupContext> make_cgroup_bpf_sock(AttachType attach) {
    const bool create = attach == A::CgroupInetSockCreate || attach == A::CgroupInetSockRelease;
    return std::make_unique<CgroupContext>("bpf_sock",
                                           std::vector<ContextField>{
                                               {"bound_dev_if", 0, 4, "the ifindex of the device the socket is bound to (0 none), writable at creation", FieldKind::Value, create},
                                               {"family", 4, 4, "the socket's address family: 2 AF_INET, 10 AF_INET6"},
                                               {"type", 8, 4, "the socket's type: 1 SOCK_STREAM, 2 SOCK_DGRAM"},
                                               {"protocol", 12, 4, "the socket's protocol: 6 TCP, 17 UDP"},
                                               {"mark", 16, 4, "the socket's mark (SO_MARK), writable at creation", FieldKind::Value, create},
                                               {"priority", 20, 4, "the socket's priority (SO_PRIORITY), writable at creation", FieldKind::Value, create},
                                               {"src_ip4", 24, 4, "the socket's local IPv4 address, network byte order (post_bind4 only)"},
                                               {"src_ip6", 28, 16, "the socket's local IPv6 address, four u32s in network byte order (post_bind6 only)"},
                                               {"src_port", 44, 4, "the socket's local port, host byte order (post_bind only)"},
                                               {"dst_port", 48, 4, "the socket's remote port, network byte order (2 bytes and 2 of padding)"},  // __be16 and 2 bytes of padding a 4-byte read includes
                                               {"dst_ip4", 52, 4, "the socket's remote IPv4 address, network byte order"},
                                               {"dst_ip6", 56, 16, "the socket's remote IPv6 address, four u32s in network byte order"},
                                               {"state", 72, 4, "the socket's TCP state (1 ESTABLISHED ... 10 LISTEN; 7 CLOSE for UDP)"},
                                               {"rx_queue_mapping", 76, 4, "the receive queue the socket's packets last came from (-1 when unknown)"},
                                           },
                                           80, sock_rule, attach);
}

CgroupContext* cgroup_context_at(const Memory& memory, uint64_t addr) {
    if ((addr & 0xffffffffull) != 0) return nullptr;
    return dynamic_cast<CgroupContext*>(memory.context_at(addr));
}

}  // namespace bpfplay
