// What a BPF TCP congestion control (a tcp_congestion_ops struct_ops map) may call besides the
// base helpers: bpf_tcp_send_ack (helper 116, net/ipv4/bpf_tcp_ca.c) and the kernel's own Reno
// building blocks, registered as kfuncs for struct_ops programs (net/ipv4/tcp_cong.c):
// tcp_reno_ssthresh, tcp_reno_undo_cwnd, tcp_slow_start, tcp_cong_avoid_ai, tcp_reno_cong_avoid.
// They read and write the run's socket object (struct tcp_sock, struct_ops_run.hpp) through
// the checked memory path, writes under the same rules as the program's own stores.
#include <algorithm>
#include <string>

#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/hex.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/net_model.hpp"
#include "core/host/socket_objects.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/run/struct_ops_run.hpp"
#include "core/run/tcp_ca_access.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace tcp_ca {

using helper_error::fail;

bool read(Vm& vm, const char* fn, uint64_t tp, const char* path, uint64_t& out) {
    if (auto v = tcp_sock_load(vm, tp, path)) {
        out = *v;
        return true;
    }
    fail(vm, fn, "cannot read tcp_sock." + std::string(path) + " through " + hex(tp),
         "The argument must be the struct sock / struct tcp_sock the program was called with.");
    return false;
}

bool write(Vm& vm, const char* fn, uint64_t tp, const char* path, uint64_t value) {
    if (auto why = tcp_sock_store(vm, tp, path, value)) {
        fail(vm, fn, "cannot write tcp_sock." + std::string(path) + ": " + *why);
        return false;
    }
    return true;
}

std::span<uint8_t> priv(Vm& vm, const char* fn, uint64_t tp) {
    const std::span<uint8_t> p = tcp_sock_ca_priv(vm, tp);
    if (p.empty())
        fail(vm, fn, "cannot reach the congestion control's private data (icsk_ca_priv) through " + hex(tp),
             "The argument must be the struct sock the program was called with.");
    return p;
}

uint32_t hz(Vm& vm) {
    const Host* h = host_for(vm, "tcp_jiffies32");
    return h ? (h->hz ? h->hz : 250) : 0;  // as tick_ns() reads it
}

uint32_t jiffies32(Vm& vm) {
    const Host* h = host_for(vm, "tcp_jiffies32");
    return h ? uint32_t(h->jiffies64(vm.executed_now())) : 0;
}

uint32_t usecs_to_jiffies(uint32_t usecs, uint32_t hz_value) {
    if (hz_value == 0) return 0;
    return uint32_t((uint64_t(usecs) * hz_value + 999'999) / 1'000'000);
}

std::optional<uint32_t> slow_start(Vm& vm, const char* fn, uint64_t tp, uint32_t acked) {
    uint64_t cwnd = 0, ssthresh = 0, clamp = 0;
    if (!read(vm, fn, tp, "snd_cwnd", cwnd) || !read(vm, fn, tp, "snd_ssthresh", ssthresh) ||
        !read(vm, fn, tp, "snd_cwnd_clamp", clamp))
        return std::nullopt;
    const uint32_t grown = std::min(uint32_t(cwnd) + acked, uint32_t(ssthresh));
    acked -= grown - uint32_t(cwnd);
    if (!write(vm, fn, tp, "snd_cwnd", std::min(grown, uint32_t(clamp)))) return std::nullopt;
    return acked;
}

bool cong_avoid_ai(Vm& vm, const char* fn, uint64_t tp, uint32_t w, uint32_t acked) {
    uint64_t cwnd = 0, cnt = 0, clamp = 0;
    if (!read(vm, fn, tp, "snd_cwnd", cwnd) || !read(vm, fn, tp, "snd_cwnd_cnt", cnt) ||
        !read(vm, fn, tp, "snd_cwnd_clamp", clamp))
        return false;
    uint32_t c = uint32_t(cwnd), n = uint32_t(cnt);
    if (n >= w) {
        n = 0;
        ++c;
    }
    n += acked;
    if (w && n >= w) {  // the kernel divides by w unchecked; w is the program's (0 is its bug)
        const uint32_t delta = n / w;
        n -= delta * w;
        c += delta;
    }
    c = std::min(c, uint32_t(clamp));
    return write(vm, fn, tp, "snd_cwnd_cnt", n) && write(vm, fn, tp, "snd_cwnd", c);
}

std::optional<AckedLeft> slow_start_first(Vm& vm, const char* fn, uint64_t sk, uint32_t acked) {
    const auto limited = is_cwnd_limited(vm, fn, sk);
    if (!limited || !*limited) return std::nullopt;
    uint64_t cwnd = 0, ssthresh = 0;
    if (!read(vm, fn, sk, "snd_cwnd", cwnd) || !read(vm, fn, sk, "snd_ssthresh", ssthresh)) return std::nullopt;
    if (uint32_t(cwnd) < uint32_t(ssthresh)) {
        const auto left = slow_start(vm, fn, sk, acked);
        if (!left || *left == 0) return std::nullopt;
        acked = *left;
        if (!read(vm, fn, sk, "snd_cwnd", cwnd)) return std::nullopt;
    }
    return AckedLeft{acked, uint32_t(cwnd)};
}

std::optional<bool> is_cwnd_limited(Vm& vm, const char* fn, uint64_t tp) {
    uint64_t limited = 0, cwnd = 0, ssthresh = 0, max_out = 0;
    if (!read(vm, fn, tp, "is_cwnd_limited", limited) || !read(vm, fn, tp, "snd_cwnd", cwnd) ||
        !read(vm, fn, tp, "snd_ssthresh", ssthresh) || !read(vm, fn, tp, "max_packets_out", max_out))
        return std::nullopt;
    if (limited) return true;
    // In slow start, cwnd may grow to twice what was in flight.
    return uint32_t(cwnd) < uint32_t(ssthresh) && uint32_t(cwnd) < 2 * uint32_t(max_out);
}

const uint8_t* arg_bytes(Vm& vm, const char* fn, uint64_t addr, uint32_t size, const char* what) {
    const uint8_t* p = vm.memory().helper_ptr(addr, size, /*write=*/false);
    if (!p) fail(vm, fn, std::string("cannot read the ") + what + " at " + hex(addr));
    return p;
}

}  // namespace tcp_ca

namespace {

using helper_error::fail;

// long bpf_tcp_send_ack(void *tp, u32 rcv_nxt): __tcp_send_ack(sk, rcv_nxt, 0), an ACK now.
uint64_t tcp_send_ack(Vm& vm, uint64_t tp, uint64_t rcv_nxt, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_tcp_send_ack";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const uint32_t n = uint32_t(h->net.sockets.size());
    const auto index = socket_object_index(tp, n);
    if (!index || h->net.sockets[*index].protocol != kIpprotoTcp) {
        fail(vm, kName, "r1 = " + hex(tp) + " is not a struct tcp_sock (the verifier wants the socket the "
                                            "congestion control was called with: \"R1 type=... expected=ptr_tcp_sock\")");
        return 0;
    }
    log_host_event(vm, *h, kName,
                   "an ACK is sent now on " + describe_socket(h->net.sockets[*index]) + ", acknowledging up to " +
                       std::to_string(uint32_t(rcv_nxt)) + " (rcv_nxt); returns 0");
    return 0;
}

// u32 tcp_reno_ssthresh(struct sock *sk): max(snd_cwnd >> 1, 2).
uint64_t reno_ssthresh(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    uint64_t cwnd = 0;
    if (!tcp_ca::read(vm, "tcp_reno_ssthresh", sk, "snd_cwnd", cwnd)) return 0;
    return std::max<uint32_t>(uint32_t(cwnd) >> 1, 2);
}

// u32 tcp_reno_undo_cwnd(struct sock *sk): max(snd_cwnd, prior_cwnd).
uint64_t reno_undo_cwnd(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    uint64_t cwnd = 0, prior = 0;
    if (!tcp_ca::read(vm, "tcp_reno_undo_cwnd", sk, "snd_cwnd", cwnd) ||
        !tcp_ca::read(vm, "tcp_reno_undo_cwnd", sk, "prior_cwnd", prior))
        return 0;
    return std::max(uint32_t(cwnd), uint32_t(prior));
}

uint64_t tcp_slow_start_kfunc(Vm& vm, uint64_t tp, uint64_t acked, uint64_t, uint64_t, uint64_t) {
    return tcp_ca::slow_start(vm, "tcp_slow_start", tp, uint32_t(acked)).value_or(0);
}

uint64_t tcp_cong_avoid_ai_kfunc(Vm& vm, uint64_t tp, uint64_t w, uint64_t acked, uint64_t, uint64_t) {
    if (uint32_t(w) == 0) {
        fail(vm, "tcp_cong_avoid_ai", "w is 0: the kernel divides snd_cwnd_cnt by it (a division by zero)");
        return 0;
    }
    tcp_ca::cong_avoid_ai(vm, "tcp_cong_avoid_ai", tp, uint32_t(w), uint32_t(acked));
    return 0;
}

// void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked): nothing unless the window is
// what limits sending (tcp_is_cwnd_limited); slow start below ssthresh, then additive increase.
uint64_t reno_cong_avoid(Vm& vm, uint64_t sk, uint64_t, uint64_t acked_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "tcp_reno_cong_avoid";
    const auto left = tcp_ca::slow_start_first(vm, kName, sk, uint32_t(acked_arg));
    if (left) tcp_ca::cong_avoid_ai(vm, kName, sk, left->cwnd, left->acked);
    return 0;
}

constexpr HelperImpl kTcpCaHelperImpls[] = {{116, tcp_send_ack}};

constexpr KfuncImpl kTcpCaKfuncImpls[] = {
    {"tcp_cong_avoid_ai", tcp_cong_avoid_ai_kfunc},
    {"tcp_reno_cong_avoid", reno_cong_avoid},
    {"tcp_reno_ssthresh", reno_ssthresh},
    {"tcp_reno_undo_cwnd", reno_undo_cwnd},
    {"tcp_slow_start", tcp_slow_start_kfunc},
};

}  // namespace

std::span<const HelperImpl> tcp_ca_helper_impls() { return kTcpCaHelperImpls; }
std::span<const KfuncImpl> tcp_ca_kfunc_impls() { return kTcpCaKfuncImpls; }

}  // namespace bpfplay
