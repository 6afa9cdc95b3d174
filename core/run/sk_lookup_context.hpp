#pragma once
// The context of an sk_lookup program (struct bpf_sk_lookup): the kernel runs it when an
// incoming TCP SYN or UDP datagram looks for its socket (inet_lookup_run_sk_lookup), before the
// listening / bound socket tables; the program may answer with any listener or unconnected UDP
// socket (bpf_sk_assign), whatever address and port that socket is bound to.
//
// A run is what BPF_PROG_TEST_RUN does (net/bpf/test_run.c, bpf_prog_test_run_sk_lookup): no
// packet (data_in must be empty: -EINVAL), the connection described by ctx_in, which is
// required (-EINVAL without it) and checked: sk must be 0 (-EINVAL), nothing may follow
// local_port (ingress_ifindex included: -EINVAL), local_port must fit 16 bits (-ERANGE), family
// (taken as 16 bits) must be AF_INET or AF_INET6 (-EAFNOSUPPORT). protocol is not checked.
// What the program reads (sk_lookup_convert_ctx_access on the test run's bpf_sk_lookup_kern):
// family and protocol as 16-bit values, the addresses of the family only (an IPv4 run reads 0 in
// the ip6 fields and the other way round), remote_port the big-endian 16 bits, local_port,
// ingress_ifindex 0, and sk the socket bpf_sk_assign selected (NULL before).
// After the run ctx_out is ctx_in with cookie (sk's union) = the selected socket's cookie, or 0;
// a selected socket with SO_REUSEPORT and no BPF_SK_LOOKUP_F_NO_REUSEPORT fails the test run
// with -EOPNOTSUPP (the event log says so).
//
// Access (sk_lookup_is_valid_access): read-only, aligned; sk as a whole 8-byte load
// (PTR_TO_SOCKET_OR_NULL); the u32 fields in 1, 2 or 4 bytes; remote_port in 1 or 2 bytes, or 4
// at its offset (old programs), and its 2 bytes of padding readable as 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/context/field_context.hpp"
#include "core/error.hpp"

namespace bpfplay {

class Vm;
struct Network;
struct RunInput;
struct RunState;

namespace bpf_sk_lookup {
constexpr uint32_t kSk = 0, kFamily = 8, kProtocol = 12, kRemoteIp4 = 16, kRemoteIp6 = 20, kRemotePort = 36,
                   kPad = 38, kLocalIp4 = 40, kLocalIp6 = 44, kLocalPort = 60, kIngressIfindex = 64, kSize = 72;
}

class SkLookupContext final : public FieldContext {
public:
    SkLookupContext();
    bool load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) override;
    bool store(uint32_t off, uint32_t size, uint64_t value, std::string& why) override;

    // The connection as ctx_in gave it (ctx_out is these bytes with the cookie).
    std::vector<uint8_t> ctx_in;
    // bpf_sk_assign's answer: the socket (index in Network::sockets) and its flags' NO_REUSEPORT.
    std::optional<uint32_t> selected;
    bool no_reuseport = false;
};

// Builds the context from `in`, or the test run's refusal.
Result<Unit> setup_sk_lookup_context(const RunInput& in, RunState& mem, Vm& vm);

// ctx_out: ctx_in with the selected socket's cookie (0 for none) in its first 8 bytes.
std::vector<uint8_t> sk_lookup_ctx_out(const RunState& run, const Network& net);

// What the kernel does with the verdict: the socket the connection goes to, the kernel's own
// lookup, or the refusal. Empty for other programs.
std::vector<std::string> sk_lookup_exit_report(const RunState& run, const Network& net, uint64_t r0);

}  // namespace bpfplay
