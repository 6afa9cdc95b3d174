#include "core/run/cgroup_prog_setup.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "core/context/cgroup_contexts.hpp"
#include "core/hex.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/uapi_consts.hpp"

namespace bpfplay {

namespace {

using A = AttachType;
constexpr int32_t kEperm = -1, kEfault = -14;
using uapi::kPageSize;

void copy_ctx_in(FieldContext& c, const RunInput& in) {
    if (!in.ctx.empty()) std::memcpy(c.bytes().data(), in.ctx.data(), std::min(in.ctx.size(), c.bytes().size()));
}

void map_ctx(RunState& run, Vm& vm, std::unique_ptr<CgroupContext> ctx) {
    ctx->keep_initial();
    const uint32_t size = uint32_t(ctx->bytes().size());
    const std::string name = ctx->struct_name() + " context";
    run.ctx = std::move(ctx);
    vm.memory().map_context(window::kContext, size, name, run.ctx.get());
}

// The socket the system call works on: the host's program socket (Network::program_socket).
Result<uint64_t> syscall_socket(const Host& host, const char* what) {
    if (auto index = host.net.program_socket_index()) return socket_address(*index);
    return make_error(ErrorKind::Load,
                      std::string("a ") + what + " program runs on a socket (its context's sk), but the host has " +
                          (host.net.program_socket == Network::kAutoSocket
                               ? "no established TCP socket"
                               : "no socket " + std::to_string(host.net.program_socket)),
                      std::nullopt, "Add an established TCP socket to the host, or pick one with program_socket.");
}

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '\n') out += "\\n";
        else if (ch == '\t') out += "\\t";
        else if (ch == '"') out += "\\\"";
        else if (uint8_t(ch) < 0x20 || uint8_t(ch) >= 0x7f) out += "\\x" + hex_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&ch), 1));
        else out += ch;
    }
    return out + "\"";
}

std::string result_text(int32_t ret) { return ret == 0 ? "0" : errno_name(ret); }

bool is_err_value(int32_t v) { return v < 0 && v >= -4095; }

}  // namespace

int32_t cgroup_syscall_result(int32_t retval, uint32_t verdict) {
    if (verdict == 0 && !is_err_value(retval)) return kEperm;
    return retval;
}

Result<Unit> setup_sysctl_context(const RunInput&, RunState& run, Vm& vm, const Host& host) {
    auto ctx = make_bpf_sysctl();
    const HostSysctl& s = host.sysctl;
    ctx->set_u32(bpf_sysctl::kWrite, s.write ? 1 : 0);
    ctx->set_u32(bpf_sysctl::kFilePos, s.file_pos);
    // __cgroup_bpf_run_filter_sysctl: a write's buffer, cut to a page; none for a read or an
    // empty write.
    if (s.write && !s.new_value.empty()) {
        CgroupContext::SysctlValue& v = ctx->sysctl_value();
        v.len = uint32_t(std::min<size_t>(s.new_value.size(), kPageSize));
        std::memcpy(v.bytes.data(), s.new_value.data(), v.len);
    }
    map_ctx(run, vm, std::move(ctx));
    return Unit{};
}

Result<Unit> setup_cgroup_dev_context(const RunInput& in, RunState& run, Vm& vm) {
    auto ctx = make_bpf_cgroup_dev_ctx();
    copy_ctx_in(*ctx, in);
    map_ctx(run, vm, std::move(ctx));
    return Unit{};
}

Result<Unit> setup_sockopt_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm,
                                   const Host& host) {
    auto sk = syscall_socket(host, "cgroup sockopt");
    if (!sk.ok()) return sk.error();
    auto ctx = make_bpf_sockopt(prog.attach);
    copy_ctx_in(*ctx, in);
    const bool get = prog.attach == A::CgroupGetsockopt;
    const int32_t value_len = int32_t(std::min<size_t>(in.packet.size(), INT32_MAX));
    std::vector<uint8_t> buf;
    if (get) {
        // __cgroup_bpf_run_filter_getsockopt: the caller's buffer is optlen bytes (the option's
        // own length when not given); the kernel's getsockopt already ran and returned retval.
        const int32_t given = int32_t(ctx->get_u32(bpf_sockopt::kOptlen));
        const int32_t max_optlen = given != 0 ? given : value_len;
        const int32_t retval = int32_t(ctx->get_u32(bpf_sockopt::kRetval));
        if (max_optlen < 0)
            return make_error(ErrorKind::Load, "-EINVAL: getsockopt's optlen (the caller's buffer size) is " +
                                                   std::to_string(max_optlen));
        if (retval == 0 && value_len > max_optlen)
            return make_error(ErrorKind::Load,
                              "the option's value has " + std::to_string(value_len) +
                                  " bytes, more than the caller's buffer (optlen " + std::to_string(max_optlen) + ")",
                              std::nullopt, "Give a longer optlen, or a shorter value (the packet input).");
        ctx->max_optlen = std::min<int32_t>(max_optlen, kPageSize);
        buf.assign(size_t(ctx->max_optlen), 0);
        if (retval == 0) {
            // The kernel's getsockopt succeeded: the program sees its value and length.
            std::copy_n(in.packet.begin(), std::min(value_len, ctx->max_optlen), buf.begin());
            ctx->set_u32(bpf_sockopt::kOptlen, uint32_t(value_len));
        } else {
            ctx->set_u32(bpf_sockopt::kOptlen, uint32_t(max_optlen));
        }
        ctx->user_optlen = max_optlen;
    } else {
        // __cgroup_bpf_run_filter_setsockopt: a buffer of at least 16 bytes (room to replace a
        // short value by a longer one), at most a page.
        ctx->max_optlen = std::min<int32_t>(std::max<int32_t>(16, value_len), kPageSize);
        buf.assign(size_t(ctx->max_optlen), 0);
        std::copy_n(in.packet.begin(), std::min(value_len, ctx->max_optlen), buf.begin());
        ctx->set_u32(bpf_sockopt::kOptlen, uint32_t(value_len));
        ctx->set_u32(bpf_sockopt::kRetval, 0);
        ctx->user_optlen = value_len;
    }
    store_le<uint64_t>(&ctx->bytes()[bpf_sockopt::kSk], sk.value());
    run.packet.init_msg(buf);
    CgroupContext& c = *ctx;
    map_ctx(run, vm, std::move(ctx));
    run.packet.attach(vm.memory(), &c);
    c.keep_initial();
    return Unit{};
}

namespace {

bool v6_attach(AttachType a) {
    return a == A::CgroupInet6Bind || a == A::CgroupInet6Connect || a == A::CgroupInet6Getpeername ||
           a == A::CgroupInet6Getsockname || a == A::CgroupUdp6Sendmsg || a == A::CgroupUdp6Recvmsg;
}
bool udp_attach(AttachType a) {
    return a == A::CgroupUdp4Sendmsg || a == A::CgroupUdp6Sendmsg || a == A::CgroupUdp4Recvmsg ||
           a == A::CgroupUdp6Recvmsg;
}

}  // namespace

Result<Unit> setup_sock_addr_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm,
                                     const Host& host) {
    auto sk = syscall_socket(host, "cgroup sock_addr");
    if (!sk.ok()) return sk.error();
    auto ctx = make_bpf_sock_addr(prog.attach);
    copy_ctx_in(*ctx, in);
    const uint32_t family = v6_attach(prog.attach) ? kAfInet6 : kAfInet;
    const bool udp = udp_attach(prog.attach);
    auto default_u32 = [&](uint32_t off, uint32_t v) {
        if (ctx->get_u32(off) == 0) ctx->set_u32(off, v);
    };
    default_u32(bpf_sock_addr::kUserFamily, family);
    default_u32(bpf_sock_addr::kFamily, family);
    default_u32(bpf_sock_addr::kType, udp ? 2 : 1);  // SOCK_DGRAM : SOCK_STREAM
    default_u32(bpf_sock_addr::kProtocol, udp ? kIpprotoUdp : kIpprotoTcp);
    store_le<uint64_t>(&ctx->bytes()[bpf_sock_addr::kSk], sk.value());
    map_ctx(run, vm, std::move(ctx));
    return Unit{};
}

Result<Unit> setup_cgroup_sock_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm) {
    auto ctx = make_cgroup_bpf_sock(prog.attach);
    copy_ctx_in(*ctx, in);
    auto default_u32 = [&](uint32_t off, uint32_t v) {
        if (ctx->get_u32(off) == 0) ctx->set_u32(off, v);
    };
    default_u32(bpf_sock::kFamily, prog.attach == A::CgroupInet6PostBind ? kAfInet6 : kAfInet);
    default_u32(bpf_sock::kType, 1);  // SOCK_STREAM
    default_u32(bpf_sock::kProtocol, kIpprotoTcp);
    map_ctx(run, vm, std::move(ctx));
    return Unit{};
}

namespace {

std::string sock_report(const CgroupContext& c, const Host& host, int32_t ret) {
    const A a = c.attach();
    if (a == A::CgroupInetSockRelease) return "the socket is released (the kernel does not look at the return value)";
    if (a == A::CgroupInet4PostBind || a == A::CgroupInet6PostBind) {
        const bool v6 = a == A::CgroupInet6PostBind;
        char text[INET6_ADDRSTRLEN] = {};
        inet_ntop(v6 ? AF_INET6 : AF_INET, &c.bytes()[v6 ? bpf_sock::kSrcIp6 : bpf_sock::kSrcIp4], text, sizeof text);
        const std::string where = (v6 ? "[" + std::string(text) + "]" : std::string(text)) + ":" +
                                  std::to_string(c.get_u32(bpf_sock::kSrcPort));
        return ret == 0 ? "bind to " + where + " stands"
                        : "bind to " + where + " fails with " + errno_name(ret) + " (the kernel undoes the bind)";
    }
    if (ret != 0) return "socket(2) fails with " + errno_name(ret) + ": the socket is not created";
    std::string text = "the socket is created";
    std::string changes;
    auto changed = [&](uint32_t off) { return c.get_u32(off) != load_le<uint32_t>(&c.initial()[off]); };
    if (changed(bpf_sock::kBoundDevIf)) {
        const uint32_t ifindex = c.get_u32(bpf_sock::kBoundDevIf);
        const NetDevice* dev = host.net.device(ifindex);
        changes += ifindex == 0 ? std::string("bound to no device")
                                : "bound to " + (dev ? dev->name : std::string("no such device")) + " (ifindex " +
                                      std::to_string(ifindex) + ")";
    }
    if (changed(bpf_sock::kMark))
        changes += (changes.empty() ? "" : ", ") + std::string("mark ") + hex(c.get_u32(bpf_sock::kMark));
    if (changed(bpf_sock::kPriority))
        changes += (changes.empty() ? "" : ", ") + std::string("priority ") + std::to_string(c.get_u32(bpf_sock::kPriority));
    return changes.empty() ? text : text + ", " + changes;
}

std::string sysctl_report(const CgroupContext& c, const Host& host, int32_t ret, std::vector<std::string>& out) {
    const HostSysctl& s = host.sysctl;
    const std::string path = "/proc/sys/" + s.name;
    const CgroupContext::SysctlValue& v = c.sysctl_value();
    if (s.write) {
        const std::string what = "write of " + quoted(std::string_view(s.new_value).substr(0, kPageSize)) + " to " + path;
        if (ret != 0) return what + " refused: write(2) fails with " + errno_name(ret);
        out.push_back(what + " allowed");
        if (v.updated)
            out.push_back("bpf_sysctl_set_new_value replaced the value: the sysctl receives " +
                          quoted(std::string_view(v.bytes.data(), v.len)) + " (" + std::to_string(v.len) +
                          " bytes) instead");
    } else {
        const std::string what = "read of " + path;
        if (ret != 0) return what + " refused: read(2) fails with " + errno_name(ret);
        out.push_back(what + " allowed");
    }
    const uint32_t pos = c.get_u32(bpf_sysctl::kFilePos);
    if (pos != s.file_pos)
        return "the program moved the file position from " + std::to_string(s.file_pos) + " to " + std::to_string(pos);
    return {};
}

std::string dev_report(const CgroupContext& c, int32_t ret) {
    const uint32_t at = c.get_u32(bpf_cgroup_dev_ctx::kAccessType);
    const uint32_t type = at & 0xffff, access = at >> 16;
    std::string acc;
    for (auto [bit, name] : {std::pair{2u, "read"}, std::pair{4u, "write"}, std::pair{1u, "mknod"}})
        if (access & bit) acc += (acc.empty() ? "" : "/") + std::string(name);
    if (acc.empty()) acc = "access";
    const char* kind = type == 1 ? "block device " : type == 2 ? "char device " : "device ";
    const std::string what = acc + " of " + kind + std::to_string(c.get_u32(bpf_cgroup_dev_ctx::kMajor)) + ":" +
                             std::to_string(c.get_u32(bpf_cgroup_dev_ctx::kMinor));
    return ret == 0 ? what + " allowed" : what + " refused: the open or mknod fails with " + errno_name(ret);
}

void sockopt_report(const CgroupContext& c, int32_t ret, const PacketBuffer& packet, std::vector<std::string>& out) {
    const bool get = c.attach() == A::CgroupGetsockopt;
    const int32_t level = int32_t(c.get_u32(bpf_sockopt::kLevel)), optname = int32_t(c.get_u32(bpf_sockopt::kOptname));
    const int32_t optlen = int32_t(c.get_u32(bpf_sockopt::kOptlen));
    const std::string call = std::string(get ? "getsockopt" : "setsockopt") + "(level " + std::to_string(level) +
                             ", optname " + std::to_string(optname) + ")";
    const std::vector<uint8_t> bytes = packet.bytes();
    auto shown = [&](int32_t n) {
        return hex_bytes_spaced(std::span<const uint8_t>(bytes).first(std::min<size_t>(size_t(n), bytes.size())));
    };
    const std::string bounds = "optlen " + std::to_string(optlen) + " is outside " + (get ? "0" : "-1") + " to " +
                               std::to_string(c.max_optlen) + " (the buffer's size)";
    if (!get) {
        if (ret != 0) {
            out.push_back(call + " fails with " + errno_name(ret) + "; the kernel's handler does not run");
        } else if (optlen == -1) {
            out.push_back(call + " returns 0 without the kernel's handler (the program set optlen to -1)");
        } else if (optlen > c.max_optlen || optlen < -1) {
            out.push_back(call + " fails with -EFAULT: " + bounds);
        } else {
            const int32_t l0 = int32_t(load_le<uint32_t>(&c.initial()[bpf_sockopt::kLevel]));
            const int32_t n0 = int32_t(load_le<uint32_t>(&c.initial()[bpf_sockopt::kOptname]));
            std::string text = "the kernel's setsockopt runs";
            if (l0 != level || n0 != optname)
                text += " with level " + std::to_string(level) + ", optname " + std::to_string(optname) +
                        " (the caller asked for level " + std::to_string(l0) + ", optname " + std::to_string(n0) + ")";
            text += optlen == 0 ? " on the caller's own " + std::to_string(c.user_optlen) + "-byte value"
                                : " on the program's " + std::to_string(optlen) + "-byte value: " + shown(optlen);
            out.push_back(text);
        }
        return;
    }
    if (ret < 0) {
        out.push_back(call + " returns " + errno_name(ret) + " to the caller");
    } else if (optlen > c.max_optlen || optlen < 0) {
        out.push_back(call + " fails with -EFAULT: " + bounds);
    } else if (optlen != 0) {
        out.push_back(call + " returns " + std::to_string(ret) + "; the caller sees optlen " + std::to_string(optlen) +
                      " and the value " + shown(optlen));
    } else {
        out.push_back(call + " returns " + std::to_string(ret) + "; the caller's buffer and optlen stay as the kernel "
                      "left them (the program set optlen to 0)");
    }
}

std::string endpoint(const std::vector<uint8_t>& b, bool v6, uint32_t ip_off) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, &b[ip_off], text, sizeof text);
    const uint16_t port = uint16_t(b[bpf_sock_addr::kUserPort] << 8 | b[bpf_sock_addr::kUserPort + 1]);
    return v6 ? "[" + std::string(text) + "]:" + std::to_string(port) : std::string(text) + ":" + std::to_string(port);
}

void sock_addr_report(const CgroupContext& c, int32_t ret, uint64_t r0, std::vector<std::string>& out) {
    const A a = c.attach();
    const bool v6 = v6_attach(a);
    const char* verb = "the call with";
    if (a == A::CgroupInet4Bind || a == A::CgroupInet6Bind) verb = "bind to";
    if (a == A::CgroupInet4Connect || a == A::CgroupInet6Connect) verb = "connect to";
    if (a == A::CgroupUdp4Sendmsg || a == A::CgroupUdp6Sendmsg) verb = "sendmsg to";
    if (a == A::CgroupUdp4Recvmsg || a == A::CgroupUdp6Recvmsg) verb = "recvmsg from";
    if (a == A::CgroupInet4Getpeername || a == A::CgroupInet6Getpeername) verb = "getpeername reporting";
    if (a == A::CgroupInet4Getsockname || a == A::CgroupInet6Getsockname) verb = "getsockname reporting";
    const uint32_t ip_off = v6 ? bpf_sock_addr::kUserIp6 : bpf_sock_addr::kUserIp4;
    const std::string before = endpoint(c.initial(), v6, ip_off), after = endpoint(c.bytes(), v6, ip_off);
    std::string text = std::string(verb) + " " + before;
    if (before != after) text += " rewritten to " + after;
    if (ret != 0) {
        out.push_back(text + ": refused, the system call fails with " + errno_name(ret));
        return;
    }
    out.push_back(text + (before != after ? "" : ": allowed, unchanged"));
    if ((a == A::CgroupUdp4Sendmsg || a == A::CgroupUdp6Sendmsg)) {
        const uint32_t src = v6 ? bpf_sock_addr::kMsgSrcIp6 : bpf_sock_addr::kMsgSrcIp4;
        const size_t n = v6 ? 16 : 4;
        if (!std::equal(c.initial().begin() + src, c.initial().begin() + src + n, c.bytes().begin() + src)) {
            char s[INET6_ADDRSTRLEN] = {};
            inet_ntop(v6 ? AF_INET6 : AF_INET, &c.bytes()[src], s, sizeof s);
            out.push_back("the datagram leaves from source address " + std::string(s));
        }
    }
    // Bind programs may return 3: bit 1 lets the bind use a port below 1024 without
    // CAP_NET_BIND_SERVICE (BPF_RET_BIND_NO_CAP_NET_BIND_SERVICE).
    if ((a == A::CgroupInet4Bind || a == A::CgroupInet6Bind) && (r0 & 2))
        out.push_back("the bind may use a privileged port without CAP_NET_BIND_SERVICE (the program returned " +
                      std::to_string(uint32_t(r0)) + ")");
}

}  // namespace

std::vector<std::string> cgroup_exit_report(const RunState& run, const Host& host, uint64_t r0) {
    std::vector<std::string> out;
    const auto* c = dynamic_cast<const CgroupContext*>(run.ctx.get());
    if (!c) return out;
    const A a = c->attach();
    // bpf_prog_run_array_cg: bind hooks take bit 1 of the return value as a flag.
    uint32_t verdict = uint32_t(r0);
    if (a == A::CgroupInet4Bind || a == A::CgroupInet6Bind) verdict &= 1;
    const int32_t ret = cgroup_syscall_result(c->retval(), verdict);
    const std::string& name = c->struct_name();
    if (name == "bpf_sysctl") {
        if (std::string last = sysctl_report(*c, host, ret, out); !last.empty()) out.push_back(std::move(last));
    } else if (name == "bpf_cgroup_dev_ctx") {
        out.push_back(dev_report(*c, ret));
    } else if (name == "bpf_sockopt") {
        sockopt_report(*c, ret, run.packet, out);
    } else if (name == "bpf_sock_addr") {
        sock_addr_report(*c, ret, r0, out);
    } else if (name == "bpf_sock") {
        out.push_back(sock_report(*c, host, ret));
    }
    if (ret != 0 && ret != kEperm && ret != kEfault && is_err_value(c->retval()))
        out.push_back("(" + result_text(ret) + " is the retval the program set with bpf_set_retval)");
    return out;
}

}  // namespace bpfplay
