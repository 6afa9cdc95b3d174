#pragma once
// What the kernel's congestion control functions (kfuncs for struct_ops programs:
// tcp_ca_kfuncs.cpp, tcp_cubic_kfuncs.cpp, tcp_dctcp_kfuncs.cpp, tcp_bbr_kfuncs.cpp) need of
// the run's socket: its tcp_sock members, its icsk_ca_priv bytes, the clock. A kfunc handed
// anything but the socket the program was called with stops the run with a message naming it.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace bpfplay {

class Vm;

namespace tcp_ca {

// What the kernel enumerates for congestion controls (include/net/tcp.h, inet_connection_sock.h).
constexpr uint32_t kStateOpen = 0, kStateDisorder = 1, kStateCwr = 2, kStateRecovery = 3, kStateLoss = 4;  // tcp_ca_state
constexpr uint32_t kEventTxStart = 0, kEventCwndRestart = 1, kEventCompleteCwr = 2, kEventLoss = 3,
                   kEventEcnNoCe = 4, kEventEcnIsCe = 5;             // enum tcp_ca_event
constexpr uint32_t kAckSlowpath = 1, kAckWinUpdate = 2, kAckEce = 4;  // in_ack_event flags
constexpr uint32_t kEcnOk = 1, kEcnQueueCwr = 2, kEcnDemandCwr = 4;   // tcp_sock.ecn_flags
constexpr uint32_t kInfiniteSsthresh = 0x7fffffff;                   // TCP_INFINITE_SSTHRESH

// A tcp_sock member ("snd_cwnd", "icsk_ca_state", "sk_pacing_rate"; bitfields too). False,
// and the run stopped, when `tp` is not a socket object.
bool read(Vm& vm, const char* fn, uint64_t tp, const char* path, uint64_t& out);
// Stored under the program's own rules (bpf_tcp_ca_btf_struct_access), journaled.
bool write(Vm& vm, const char* fn, uint64_t tp, const char* path, uint64_t value);

// The socket's icsk_ca_priv, to read and write in place (journaled first); empty, and the run
// stopped, when `tp` is not the run's socket.
std::span<uint8_t> priv(Vm& vm, const char* fn, uint64_t tp);

// A congestion control's private struct (struct bictcp, struct dctcp) in icsk_ca_priv,
// loaded and stored whole: the kernel's layout is the C++ struct's (static_asserts keep it).
template <class T>
bool load_priv(Vm& vm, const char* fn, uint64_t tp, T& out) {
    static_assert(sizeof(T) <= 104, "ICSK_CA_PRIV_SIZE is 13 u64s");
    const std::span<uint8_t> p = priv(vm, fn, tp);
    if (p.size() < sizeof(T)) return false;
    std::memcpy(&out, p.data(), sizeof(T));
    return true;
}
template <class T>
bool store_priv(Vm& vm, const char* fn, uint64_t tp, const T& in) {
    const std::span<uint8_t> p = priv(vm, fn, tp);
    if (p.size() < sizeof(T)) return false;
    std::memcpy(p.data(), &in, sizeof(T));
    return true;
}

// tcp_jiffies32 and CONFIG_HZ of the emulated host (0 when the run has no host).
uint32_t jiffies32(Vm& vm);
uint32_t hz(Vm& vm);
// usecs_to_jiffies: rounded up, as the kernel's _usecs_to_jiffies does.
uint32_t usecs_to_jiffies(uint32_t usecs, uint32_t hz);

// The kernel's Reno building blocks (net/ipv4/tcp_cong.c), for the CAs built on them.
// tcp_slow_start: the acked segments left over (nullopt: the run stopped).
std::optional<uint32_t> slow_start(Vm& vm, const char* fn, uint64_t tp, uint32_t acked);
bool cong_avoid_ai(Vm& vm, const char* fn, uint64_t tp, uint32_t w, uint32_t acked);
// tcp_is_cwnd_limited (include/net/tcp.h); nullopt: the run stopped.
std::optional<bool> is_cwnd_limited(Vm& vm, const char* fn, uint64_t tp);
// What tcp_reno_cong_avoid and cubictcp_cong_avoid both do first: nothing unless the window is
// what limits sending, then slow start while below ssthresh. The acked segments left for the
// congestion-avoidance part and snd_cwnd after slow start; nullopt: nothing more to do (or the
// run stopped).
struct AckedLeft {
    uint32_t acked;
    uint32_t cwnd;
};
std::optional<AckedLeft> slow_start_first(Vm& vm, const char* fn, uint64_t sk, uint32_t acked);

// A pointer argument's bytes (struct ack_sample, struct rate_sample), read; nullptr and the
// run stopped when unreadable.
const uint8_t* arg_bytes(Vm& vm, const char* fn, uint64_t addr, uint32_t size, const char* what);

}  // namespace tcp_ca
}  // namespace bpfplay
