#pragma once
// Running a struct_ops program (a member of a struct_ops map, core/loader/struct_ops.cpp) as
// the kernel calls it: its context is the member's arguments as u64s, like a tracing program's
// (ctx[i] = argument i of the member's prototype in the kernel BTF). For tcp_congestion_ops the
// `struct sock *sk` argument is the run's socket (Network::program_socket: the first
// established TCP socket by default) as its kernel object, laid out as struct tcp_sock
// (socket_objects.hpp), so tcp_sk(sk)->snd_cwnd reads the host's values. The other arguments
// come from the run's ctx bytes (u64 each, little-endian; missing ones are 0).
//
// The program may write what the kernel lets a congestion control write
// (bpf_tcp_ca_btf_struct_access): sock.sk_pacing_rate and sk_pacing_status,
// inet_connection_sock.icsk_ca_priv and icsk_ack.pending, tcp_sock.snd_cwnd, snd_cwnd_cnt,
// snd_cwnd_stamp, snd_ssthresh, ecn_flags and app_limited; any other store into the socket
// stops the run with the verifier's message. After the run, snd_cwnd, snd_ssthresh and
// ecn_flags go back to the host's socket (the next run sees them), and every field the
// program changed is in the event log. The rest (the CA's private icsk_ca_priv) lasts one run.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/helpers/registry.hpp"

namespace bpfplay {

class Vm;
struct Host;
struct LoadedProgram;
struct Network;
struct RunInput;
struct RunState;

// A caller that plays a whole connection through several member calls (the TCP flow,
// tcp_ca_flow.hpp) keeps the socket's congestion state between them here: the kernel's socket
// lives on across calls, a run's socket object does not. Set before the run, read back after
// an exit (the program and the kfuncs may have changed them).
struct TcpCaCall {
    // tcp_sock members by path ("snd_cwnd", "icsk_ca_state"; bitfields too).
    std::vector<std::pair<std::string, uint64_t>> fields;
    std::vector<uint8_t> ca_priv;  // inet_connection_sock.icsk_ca_priv: the CA's private state
    // What a pointer argument other than the socket points at (pkts_acked's struct ack_sample,
    // cong_control's struct rate_sample), laid out as the kernel's struct; read-only.
    std::vector<uint8_t> pointed;
};

// Maps the context, and the socket's writable fields, for a struct_ops program (after the
// kernel objects are mapped). Errors: no TCP socket to run on, a member bpfplay cannot call.
Result<Unit> setup_struct_ops_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm,
                                      const Network& net);
// After the run: the written fields back to the host's socket, and what changed to the log.
void finish_struct_ops_run(RunState& run, Host& host, uint64_t executed, uint32_t pc);

// The tcp_sock member at `path` ("snd_cwnd", "icsk_ack.pending"; bitfields too) of the
// socket object at `tp`, read through the checked memory path; nullopt when unreadable.
std::optional<uint64_t> tcp_sock_load(Vm& vm, uint64_t tp, std::string_view path);
// Stores it (the tcp_ca kfuncs write snd_cwnd and snd_cwnd_cnt this way): checked as the
// program's own stores are, journaled for reverse stepping. nullopt when done; else why not.
std::optional<std::string> tcp_sock_store(Vm& vm, uint64_t tp, std::string_view path, uint64_t value);

// The congestion control's private bytes (inet_connection_sock.icsk_ca_priv) of the run's
// socket at `tp`, to read and write in place (journaled first, for reverse stepping); empty when
// `tp` is not the socket the struct_ops program was called with.
std::span<uint8_t> tcp_sock_ca_priv(Vm& vm, uint64_t tp);

// Helper 116, bpf_tcp_send_ack (tcp_congestion_ops programs only): tcp_ca_kfuncs.cpp.
std::span<const HelperImpl> tcp_ca_helper_impls();

}  // namespace bpfplay
