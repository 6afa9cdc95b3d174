#include "core/run/sk_lookup_context.hpp"

#include <algorithm>
#include <cstring>

#include "core/host/kernel_objects.hpp"
#include "core/host/net_model.hpp"
#include "core/memory.hpp"
#include "core/run/object_session.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

namespace lk = bpf_sk_lookup;
using uapi::kSkPass;

Error sk_lookup_refusal(const std::string& what, const std::string& fix) {
    return make_error(ErrorKind::Load, what, std::nullopt, fix);
}

bool all_zero(const std::vector<uint8_t>& b, size_t from, size_t to) {
    return std::all_of(b.begin() + long(std::min(from, b.size())), b.begin() + long(std::min(to, b.size())),
                       [](uint8_t v) { return v == 0; });
}

}  // namespace

SkLookupContext::SkLookupContext()
    : FieldContext("bpf_sk_lookup",
                   {
                       {"sk", lk::kSk, 8, "the socket bpf_sk_assign selected so far (NULL before); in ctx_out, its cookie", FieldKind::Value, false, 8},
                       {"family", lk::kFamily, 4, "the connection's family: 2 AF_INET, 10 AF_INET6"},
                       {"protocol", lk::kProtocol, 4, "the IP protocol: 6 TCP (a SYN), 17 UDP (a datagram)"},
                       {"remote_ip4", lk::kRemoteIp4, 4, "the sender's IPv4 address, network byte order (0 for IPv6)"},
                       {"remote_ip6", lk::kRemoteIp6, 16, "the sender's IPv6 address, network byte order (0 for IPv4)"},
                       {"remote_port", lk::kRemotePort, 2, "the sender's port, network byte order (a 4-byte load reads it zero-extended)"},
                       {"pad", lk::kPad, 2, "zero padding after remote_port (reads 0)"},
                       {"local_ip4", lk::kLocalIp4, 4, "the destination IPv4 address, network byte order (0 for IPv6)"},
                       {"local_ip6", lk::kLocalIp6, 16, "the destination IPv6 address, network byte order (0 for IPv4)"},
                       {"local_port", lk::kLocalPort, 4, "the destination port, host byte order"},
                       {"ingress_ifindex", lk::kIngressIfindex, 4, "the arriving interface (inet_iif); 0 in a test run"},
                   },
                   lk::kSize) {}

bool SkLookupContext::load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) {
    if (off % size != 0) {
        why = "the kernel allows only aligned loads inside struct bpf_sk_lookup";
        return false;
    }
    if (off >= lk::kIngressIfindex + 4) {
        why = "struct bpf_sk_lookup has no field past ingress_ifindex (bytes 68 to 71 are padding)";
        return false;
    }
    // The old 4-byte remote_port: one load of the port and the zero padding after it.
    if (off == lk::kRemotePort && size == 4) {
        value = uint64_t(bytes()[lk::kRemotePort]) | uint64_t(bytes()[lk::kRemotePort + 1]) << 8;
        return true;
    }
    if (off >= lk::kFamily && size > 4) {
        why = "the fields after sk are read 1, 2 or 4 bytes at a time";
        return false;
    }
    return FieldContext::load(off, size, value, why);
}

bool SkLookupContext::store(uint32_t, uint32_t, uint64_t, std::string& why) {
    why = "struct bpf_sk_lookup is read-only (select a socket with bpf_sk_assign)";
    return false;
}

Result<Unit> setup_sk_lookup_context(const RunInput& in, RunState& mem, Vm& vm) {
    if (!in.packet.empty())
        return sk_lookup_refusal("-EINVAL: BPF_PROG_TEST_RUN of an sk_lookup program takes no packet (data_in), but the "
                                 "input has " + std::to_string(in.packet.size()) + " bytes",
                                 "Describe the connection in the context (struct bpf_sk_lookup) instead.");
    if (in.ctx.empty())
        return sk_lookup_refusal("-EINVAL: an sk_lookup test run needs a context (ctx_in, struct bpf_sk_lookup) to "
                                 "describe the connection",
                                 "Give family, protocol, the addresses and the ports (--ctx HEX, 72 bytes).");
    const std::vector<uint8_t>& c = in.ctx;
    // bpf_ctx_init: bytes past the struct must be zero.
    if (!all_zero(c, lk::kSize, c.size()))
        return sk_lookup_refusal("-E2BIG: the context has " + std::to_string(c.size()) +
                                     " bytes and some past struct bpf_sk_lookup's 72 are not zero", "");
    std::vector<uint8_t> b(c);
    b.resize(lk::kSize, 0);
    if (!all_zero(b, lk::kSk, lk::kSk + 8))
        return sk_lookup_refusal("-EINVAL: the context's sk must be 0: the program selects the socket",
                                 "Leave bytes 0 to 7 zero.");
    if (!all_zero(b, lk::kLocalPort + 4, lk::kSize))
        return sk_lookup_refusal("-EINVAL: nothing may follow local_port in an sk_lookup test run's context "
                                 "(ingress_ifindex must be 0)",
                                 "Leave bytes 64 to 71 zero.");
    const uint32_t local_port = load_le<uint32_t>(&b[lk::kLocalPort]);
    if (local_port > 0xffff)
        return sk_lookup_refusal("-ERANGE: local_port " + std::to_string(local_port) + " does not fit 16 bits", "");
    // The test run keeps 16 bits of family and protocol (bpf_sk_lookup_kern's u16 fields).
    const uint32_t family = load_le<uint32_t>(&b[lk::kFamily]) & 0xffff;
    const uint32_t protocol = load_le<uint32_t>(&b[lk::kProtocol]) & 0xffff;
    if (family != kAfInet && family != kAfInet6)
        return sk_lookup_refusal("-EAFNOSUPPORT: family " + std::to_string(family) +
                                     " is not AF_INET (2) or AF_INET6 (10)", "");
    auto ctx = std::make_unique<SkLookupContext>();
    SkLookupContext& k = *ctx;
    k.ctx_in = c;
    std::vector<uint8_t>& f = k.bytes();
    k.set_u32(lk::kFamily, family);
    k.set_u32(lk::kProtocol, protocol);
    f[lk::kRemotePort] = b[lk::kRemotePort];
    f[lk::kRemotePort + 1] = b[lk::kRemotePort + 1];
    k.set_u32(lk::kLocalPort, local_port);
    // Only the family's addresses: the other family's fields read as zero.
    if (family == kAfInet) {
        std::memcpy(&f[lk::kRemoteIp4], &b[lk::kRemoteIp4], 4);
        std::memcpy(&f[lk::kLocalIp4], &b[lk::kLocalIp4], 4);
    } else {
        std::memcpy(&f[lk::kRemoteIp6], &b[lk::kRemoteIp6], 16);
        std::memcpy(&f[lk::kLocalIp6], &b[lk::kLocalIp6], 16);
    }
    mem.ctx = std::move(ctx);
    vm.memory().map_context(window::kContext, lk::kSize, "bpf_sk_lookup context", mem.ctx.get());
    return Unit{};
}

std::vector<uint8_t> sk_lookup_ctx_out(const RunState& run, const Network& net) {
    const auto* c = dynamic_cast<const SkLookupContext*>(run.ctx.get());
    if (!c) return {};
    std::vector<uint8_t> out = c->ctx_in;
    out.resize(lk::kSize, 0);
    const uint64_t cookie = c->selected && *c->selected < net.sockets.size() ? net.sockets[*c->selected].cookie : 0;
    store_le<uint64_t>(&out[lk::kSk], cookie);
    return out;
}

std::vector<std::string> sk_lookup_exit_report(const RunState& run, const Network& net, uint64_t r0) {
    const auto* c = dynamic_cast<const SkLookupContext*>(run.ctx.get());
    if (!c) return {};
    const bool tcp = c->get_u32(lk::kProtocol) == kIpprotoTcp;
    const std::string what = tcp ? "the connection (SYN)" : "the datagram";
    const HostSocket* s = c->selected && *c->selected < net.sockets.size() ? &net.sockets[*c->selected] : nullptr;
    if (r0 != kSkPass)
        return {"SK_DROP: the lookup fails: " + what + " is refused (-ECONNREFUSED)" +
                (s ? ", whatever socket was selected" : "")};
    if (!s) return {"SK_PASS without a selection: " + what + " goes on to the kernel's own socket lookup"};
    std::vector<std::string> out{"SK_PASS: " + what + " goes to " + describe_socket(*s) + ", which bpf_sk_assign selected"};
    if (s->reuseport && !c->no_reuseport)
        out.push_back("the selected socket has SO_REUSEPORT and BPF_SK_LOOKUP_F_NO_REUSEPORT was not passed: the kernel "
                      "would pick from its reuseport group, which BPF_PROG_TEST_RUN cannot: the test run fails "
                      "with -EOPNOTSUPP");
    return out;
}

}  // namespace bpfplay
