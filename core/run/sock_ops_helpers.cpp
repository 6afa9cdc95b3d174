#include "core/run/sock_ops_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/context/contexts.hpp"
#include "core/context/field_context.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/journal.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/run/sock_ops_context.hpp"
#include "core/run/sockopt.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kAllCbFlags, uapi::kTcpHeaderLen, uapi::kTcpoptNop;
constexpr uint8_t kTcpoptEol = 0, kTcpoptExp = 254;
constexpr uint64_t kLoadHdrOptTcpSyn = 1;  // BPF_LOAD_HDR_OPT_TCP_SYN

// Puts back a host socket (and the sock_ops context, whose bpf_sock_ops_cb_flags reads it).
class RestoreSocket final : public UndoAction {
  public:
    RestoreSocket(Host& host, uint32_t index, FieldContext* ctx)
        : host_(host), index_(index), socket_(host.net.sockets[index]), ctx_(ctx),
          ctx_bytes_(ctx ? ctx->bytes() : std::vector<uint8_t>{}) {}
    void undo() override {
        if (index_ < host_.net.sockets.size()) host_.net.sockets[index_] = socket_;
        if (ctx_) ctx_->bytes() = ctx_bytes_;
    }
    size_t bytes() const override { return sizeof *this + ctx_bytes_.size() + socket_.options.size() * 48; }

  private:
    Host& host_;
    uint32_t index_;
    HostSocket socket_;
    FieldContext* ctx_;
    std::vector<uint8_t> ctx_bytes_;
};

// The run's struct bpf_sock_ops, when `ctx` is it.
FieldContext* sock_ops_ctx(Vm& vm, uint64_t ctx) {
    auto* c = dynamic_cast<FieldContext*>(vm.memory().context_at(ctx));
    return c && c->struct_name() == "bpf_sock_ops" ? c : nullptr;
}

std::string socket_text(const Network& net, uint32_t index) {
    const HostSocket& s = net.sockets[index];
    return "socket " + std::to_string(index) + " (cookie " + std::to_string(s.cookie) + ", port " +
           std::to_string(s.local_port) + ")";
}

std::string errno_text(int64_t rc) {
    switch (-rc) {
    case 1: return "-EPERM";
    case 2: return "-ENOENT";
    case 14: return "-EFAULT";
    case 17: return "-EEXIST";
    case 19: return "-ENODEV";
    case 22: return "-EINVAL";
    case 28: return "-ENOSPC";
    case 42: return "-ENOMSG";
    case 92: return "-ENOPROTOOPT";
    case 95: return "-EOPNOTSUPP";
    case 524: return "-ENOTSUPP";
    }
    return std::to_string(rc);
}

// The socket a program's helper acts on: the host's program socket (sock_ops callbacks, and the
// cgroup programs that run on one), or nullopt after stopping the run.
std::optional<uint32_t> program_socket_or_fail(Vm& vm, Host& h, const char* name) {
    if (auto index = h.net.program_socket_index()) return index;
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(name) + ": the host has no socket for the program to "
                                                                    "run on",
                              vm.current_pc(), "Add a TCP socket to the host, or pick one with program_socket_or_fail."));
    return std::nullopt;
}

// A sock_ops callback made without the socket lock (the timestamping ones): -EOPNOTSUPP.
bool unlocked_op(Vm& vm, uint64_t ctx) {
    const FieldContext* c = sock_ops_ctx(vm, ctx);
    return c && !sock_ops_locked(c->get_u32(sock_ops::kOp));
}

uint64_t unlocked(Vm& vm, Host& h, const char* name) {
    log_host_event(vm, h, name, "this callback runs without the socket lock (ops 16 to 20): returns -EOPNOTSUPP");
    return helper_errno(kerrno::kEOPNOTSUPP);
}

uint64_t setsockopt_impl(Vm& vm, uint64_t ctx, uint64_t level, uint64_t optname, uint64_t optval, uint64_t optlen) {
    constexpr const char* kName = "bpf_setsockopt";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (unlocked_op(vm, ctx)) return unlocked(vm, *h, kName);
    const std::optional<uint32_t> index = program_socket_or_fail(vm, *h, kName);
    return index ? setsockopt_on(vm, *index, level, optname, optval, optlen) : 0;
}

uint64_t getsockopt_impl(Vm& vm, uint64_t ctx, uint64_t level, uint64_t optname, uint64_t optval, uint64_t optlen) {
    constexpr const char* kName = "bpf_getsockopt";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (unlocked_op(vm, ctx)) return unlocked(vm, *h, kName);
    const std::optional<uint32_t> index = program_socket_or_fail(vm, *h, kName);
    if (!index) return 0;
    // bpf_sock_ops_getsockopt: TCP_BPF_SYN, _SYN_IP, _SYN_MAC copy the SYN the socket saved.
    if (sock_ops_ctx(vm, ctx) && int32_t(level) == 6 && int32_t(optname) >= 1005 && int32_t(optname) <= 1007) {
        uint8_t* out = vm.memory().helper_ptr(optval, uint32_t(optlen), /*write=*/true);
        if (!out || optlen == 0) {
            fail_helper_access(vm, kName, optval, uint32_t(optlen), Access::HelperWrite);
            return 0;
        }
        std::fill(out, out + uint32_t(optlen), 0);
        return helper_errno(kerrno::kENOENT);  // no syn_skb here, and the host keeps no saved SYN
    }
    return getsockopt_on(vm, *index, level, optname, optval, optlen);
}

uint64_t cb_flags_set(Vm& vm, uint64_t ctx, uint64_t argval, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sock_ops_cb_flags_set";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (unlocked_op(vm, ctx)) return unlocked(vm, *h, kName);
    const std::optional<uint32_t> index = program_socket_or_fail(vm, *h, kName);
    if (!index) return 0;
    HostSocket& s = h->net.sockets[*index];
    const int32_t arg = int32_t(argval);
    if (s.state == TcpState::TimeWait || s.state == TcpState::NewSynRecv) {
        log_host_event(vm, *h, kName, socket_text(h->net, *index) + " is not a full socket: returns -EINVAL");
        return helper_errno(kEINVAL);
    }
    FieldContext* c = sock_ops_ctx(vm, ctx);
    if (Journal* j = vm.journal()) j->external(std::make_unique<RestoreSocket>(*h, *index, c));
    const uint32_t old = s.sock_ops_cb_flags;
    s.sock_ops_cb_flags = uint32_t(arg) & kAllCbFlags;
    if (c) c->set_u32(sock_ops::kCbFlags, s.sock_ops_cb_flags);
    const int32_t unknown = arg & ~int32_t(kAllCbFlags);
    log_host_event(vm, *h, kName,
                   socket_text(h->net, *index) + "'s bpf_sock_ops_cb_flags go from " + hex(old) + " to " +
                       hex(s.sock_ops_cb_flags) + ": the callbacks that follow are chosen by them; returns " +
                       (unknown ? hex(uint32_t(unknown)) + " (the bits this kernel does not know)" : std::string("0")));
    return uint64_t(int64_t(unknown));
}

// bpf_search_tcp_opt over [op, opend): the option's offset, or -errno; `eol` says the options ended.
int64_t search_tcp_opt(const uint8_t* base, uint32_t op, uint32_t opend, uint8_t kind, const uint8_t* magic,
                       uint8_t magic_len, bool& eol) {
    eol = false;
    while (op < opend) {
        const uint8_t k = base[op];
        if (k == kTcpoptEol) {
            eol = true;
            return -kerrno::kENOMSG;
        }
        if (k == kTcpoptNop) {
            ++op;
            continue;
        }
        if (opend - op < 2 || opend - op < base[op + 1] || base[op + 1] < 2) return -kerrno::kEFAULT;
        const uint8_t len = base[op + 1];
        if (k == kind) {
            if (!magic_len) return op;
            if (magic_len > len - 2) return -kerrno::kENOMSG;
            if (!std::memcmp(base + op + 2, magic, magic_len)) return op;
        }
        op += len;
    }
    return -kerrno::kENOMSG;
}

// The segment of a header-option callback, or nullptr (the op carries none).
PacketBuffer* segment_of(Vm& vm) {
    PacketBuffer* p = packet_of(vm);
    return p && p->kind() == PacketBuffer::Kind::Msg ? p : nullptr;
}

uint64_t hdr_opt_result(Vm& vm, Host& h, const char* name, int64_t rc, const std::string& why) {
    log_host_event(vm, h, name, why + ": returns " + (rc < 0 ? errno_text(rc) : std::to_string(rc)));
    return uint64_t(rc);
}

uint64_t load_hdr_opt(Vm& vm, uint64_t ctx, uint64_t search_res, uint64_t len_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_load_hdr_opt";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const FieldContext* c = sock_ops_ctx(vm, ctx);
    const uint32_t op = c ? c->get_u32(sock_ops::kOp) : 0;
    if (!sock_ops_locked(op)) return unlocked(vm, *h, kName);
    const uint32_t len = uint32_t(len_arg);
    uint8_t* res = vm.memory().helper_ptr(search_res, len, /*write=*/true);
    if (!res || len == 0) {
        fail_helper_access(vm, kName, search_res, len, Access::HelperWrite);
        return 0;
    }
    if (len < 2 || (flags & ~kLoadHdrOptTcpSyn))
        return hdr_opt_result(vm, *h, kName, -kEINVAL, len < 2 ? "len is below 2" : "flags has unknown bits");
    const uint8_t kind = res[0], kind_len = res[1];
    if (kind_len > len || kind == kTcpoptNop || kind == kTcpoptEol)
        return hdr_opt_result(vm, *h, kName, -kEINVAL,
                              kind_len > len ? "searchby_res[1] is longer than len"
                                             : "NOP and EOL cannot be searched for");
    uint8_t magic[4] = {};
    uint8_t magic_len = 0;
    if (kind == kTcpoptExp || kind == 253) {
        if (kind_len != 4 && kind_len != 6)
            return hdr_opt_result(vm, *h, kName, -kEINVAL,
                                  "an experimental kind is searched by its 2- or 4-byte magic: searchby_res[1] is 4 or 6");
        magic_len = kind_len - 2;
        std::memcpy(magic, res + 2, magic_len);
    } else if (kind_len) {
        return hdr_opt_result(vm, *h, kName, -kEINVAL, "searchby_res[1] is 0 when searching a regular kind");
    }
    if (flags & kLoadHdrOptTcpSyn)
        return hdr_opt_result(vm, *h, kName, -kerrno::kENOENT,
                              "BPF_LOAD_HDR_OPT_TCP_SYN: the socket has no saved SYN (bpfplay keeps none)");
    PacketBuffer* seg = segment_of(vm);
    if (!seg || op == sock_ops_op::kHdrOptLen)
        return hdr_opt_result(vm, *h, kName, -kerrno::kEPERM, "callback " + std::to_string(op) + " has no header to read");
    bool eol = false;
    const int64_t at = search_tcp_opt(seg->frame(), kTcpHeaderLen, seg->geometry().end, kind, magic, magic_len, eol);
    const std::string what = "kind " + std::to_string(kind) +
                             (magic_len ? " magic " + hex_bytes(std::span<const uint8_t>(magic, magic_len)) : "");
    if (at < 0) return hdr_opt_result(vm, *h, kName, at, "no option " + what + " in the TCP header");
    const uint8_t* found = seg->frame() + at;
    uint32_t copy = found[1];
    int64_t rc = copy;
    if (copy > len) {
        rc = -kENOSPC;
        copy = len;
    }
    std::memcpy(res, found, copy);
    return hdr_opt_result(vm, *h, kName, rc,
                          "option " + what + " at TCP header byte " + std::to_string(at) + ", " +
                              std::to_string(found[1]) + " bytes" + (rc < 0 ? ", longer than len (copied " +
                                                                                  std::to_string(copy) + ")"
                                                                            : ""));
}

uint64_t store_hdr_opt(Vm& vm, uint64_t ctx, uint64_t from, uint64_t len_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_store_hdr_opt";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const FieldContext* c = sock_ops_ctx(vm, ctx);
    const uint32_t op = c ? c->get_u32(sock_ops::kOp) : 0;
    if (op != sock_ops_op::kWriteHdrOpt)
        return hdr_opt_result(vm, *h, kName, -kerrno::kEPERM, "only BPF_SOCK_OPS_WRITE_HDR_OPT_CB (15) writes options");
    const uint32_t len = uint32_t(len_arg);
    const uint8_t* src = vm.memory().helper_ptr(from, len, /*write=*/false);
    if (!src || len == 0) {
        fail_helper_access(vm, kName, from, len, Access::HelperRead);
        return 0;
    }
    if (len < 2 || flags) return hdr_opt_result(vm, *h, kName, -kEINVAL, len < 2 ? "len is below 2" : "flags is not 0");
    const uint8_t kind = src[0], kind_len = src[1];
    if (kind_len > len || kind == kTcpoptNop || kind == kTcpoptEol)
        return hdr_opt_result(vm, *h, kName, -kEINVAL,
                              kind_len > len ? "from[1] (the option's length) is longer than len"
                                             : "NOP and EOL are not written");
    NetRun& run = h->net.run;
    if (kind_len > run.hdr_opt_left)
        return hdr_opt_result(vm, *h, kName, -kENOSPC,
                              "the option is " + std::to_string(kind_len) + " bytes, the reserved space has " +
                                  std::to_string(run.hdr_opt_left) + " left");
    uint8_t magic[2] = {};
    uint8_t magic_len = 0;
    if (kind == kTcpoptExp || kind == 253) {
        if (kind_len < 4)
            return hdr_opt_result(vm, *h, kName, -kEINVAL, "an experimental option has a magic: at least 4 bytes");
        std::memcpy(magic, src + 2, 2);
        magic_len = 2;
    }
    PacketBuffer* seg = segment_of(vm);
    if (!seg) return hdr_opt_result(vm, *h, kName, -kerrno::kEPERM, "the callback has no segment");
    const uint32_t end = seg->geometry().end;
    bool eol = false;
    const int64_t at = search_tcp_opt(seg->frame(), kTcpHeaderLen, end, kind, magic, magic_len, eol);
    const std::string what = "kind " + std::to_string(kind) +
                             (magic_len ? " magic " + hex_bytes(std::span<const uint8_t>(magic, magic_len)) : "");
    if (at >= 0)
        return hdr_opt_result(vm, *h, kName, -kerrno::kEEXIST,
                              "the header already has option " + what + " (at byte " + std::to_string(at) + ")");
    if (at != -kerrno::kENOMSG) return hdr_opt_result(vm, *h, kName, at, "the header's options are malformed");
    if (eol) return hdr_opt_result(vm, *h, kName, -kENOSPC, "the header's options end with EOL");
    seg->record(vm);
    seg->save_bytes(vm, end, kind_len);
    std::memcpy(seg->frame() + end, src, kind_len);
    run.hdr_opt_left -= kind_len;
    run.hdr_opt_used += kind_len;
    seg->set_geometry({0, 0, end + kind_len});
    return hdr_opt_result(vm, *h, kName, 0,
                          "option " + what + " (" + std::to_string(kind_len) + " bytes: " +
                              hex_bytes(std::span<const uint8_t>(seg->frame() + end, kind_len)) +
                              ") written at TCP header byte " + std::to_string(end) + ", " +
                              std::to_string(run.hdr_opt_left) + " reserved bytes left");
}

uint64_t reserve_hdr_opt(Vm& vm, uint64_t ctx, uint64_t len_arg, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_reserve_hdr_opt";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const FieldContext* c = sock_ops_ctx(vm, ctx);
    const uint32_t op = c ? c->get_u32(sock_ops::kOp) : 0;
    if (op != sock_ops_op::kHdrOptLen)
        return hdr_opt_result(vm, *h, kName, -kerrno::kEPERM, "only BPF_SOCK_OPS_HDR_OPT_LEN_CB (14) reserves option space");
    const uint32_t len = uint32_t(len_arg);
    if (flags || len < 2) return hdr_opt_result(vm, *h, kName, -kEINVAL, flags ? "flags is not 0" : "len is below 2");
    NetRun& run = h->net.run;
    if (len > run.hdr_opt_left)
        return hdr_opt_result(vm, *h, kName, -kENOSPC,
                              std::to_string(len) + " bytes asked, " + std::to_string(run.hdr_opt_left) +
                                  " bytes of TCP option space left");
    run.hdr_opt_left -= len;
    run.hdr_opt_used += len;
    return hdr_opt_result(vm, *h, kName, 0,
                          std::to_string(len) + " bytes reserved (" + std::to_string(run.hdr_opt_used) +
                              " in all; the header grows by " + std::to_string((run.hdr_opt_used + 3) & ~3u) +
                              ", rounded up to 4), " + std::to_string(run.hdr_opt_left) + " left");
}

constexpr HelperImpl kSockOpsHelperImpls[] = {
    {49, setsockopt_impl},
    {57, getsockopt_impl},
    {59, cb_flags_set},
    {142, load_hdr_opt},
    {143, store_hdr_opt},
    {144, reserve_hdr_opt},
};

}  // namespace

uint64_t setsockopt_on(Vm& vm, uint32_t socket, uint64_t level, uint64_t optname, uint64_t optval, uint64_t optlen) {
    constexpr const char* kName = "bpf_setsockopt";
    Host* h = host_for(vm, kName);
    if (!h || socket >= h->net.sockets.size()) return 0;
    const uint32_t len = uint32_t(optlen);
    const uint8_t* val = vm.memory().helper_ptr(optval, len, /*write=*/false);
    if (!val || len == 0) {
        fail_helper_access(vm, kName, optval, len, Access::HelperRead);
        return 0;
    }
    if (Journal* j = vm.journal()) j->external(std::make_unique<RestoreSocket>(*h, socket, nullptr));
    std::string said;
    const int64_t rc = socket_setsockopt(h->net, h->net.sockets[socket], int32_t(level), int32_t(optname),
                                         std::span<const uint8_t>(val, len), said);
    log_host_event(vm, *h, kName,
                   socket_text(h->net, socket) + " " + sockopt_level_name(int32_t(level)) + ": " + said +
                       "; returns " + (rc ? errno_text(rc) : std::string("0")));
    return uint64_t(rc);
}

uint64_t getsockopt_on(Vm& vm, uint32_t socket, uint64_t level, uint64_t optname, uint64_t optval, uint64_t optlen) {
    constexpr const char* kName = "bpf_getsockopt";
    Host* h = host_for(vm, kName);
    if (!h || socket >= h->net.sockets.size()) return 0;
    const uint32_t len = uint32_t(optlen);
    uint8_t* out = vm.memory().helper_ptr(optval, len, /*write=*/true);
    if (!out || len == 0) {
        fail_helper_access(vm, kName, optval, len, Access::HelperWrite);
        return 0;
    }
    std::string said;
    return uint64_t(socket_getsockopt(h->net.sockets[socket], int32_t(level), int32_t(optname),
                                      std::span<uint8_t>(out, len), said));
}

std::span<const HelperImpl> sock_ops_helper_impls() { return kSockOpsHelperImpls; }

}  // namespace bpfplay
