// DCTCP's functions as kfuncs for struct_ops programs (net/ipv4/tcp_dctcp.c and tcp_dctcp.h,
// Linux 6.18: dctcp_init, _update_alpha, _state, _cwnd_event, _ssthresh, _cwnd_undo), over the
// run's socket: struct dctcp in icsk_ca_priv, the module's defaults (g = 1/16, alpha starting at
// its maximum 1024). alpha is the fraction of CE-marked segments, smoothed once a round; the
// window shrinks by alpha / 2 on a mark instead of by half.
#include <algorithm>
#include <string>

#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/tcp_ca_access.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// struct dctcp, as the kernel lays it out.
struct Dctcp {
    uint32_t old_delivered, old_delivered_ce;  // tp->delivered(_ce) when the round started
    uint32_t prior_rcv_nxt;
    uint32_t dctcp_alpha;                      // out of 1024
    uint32_t next_seq;                         // the round ends when snd_una passes it
    uint32_t ce_state;                         // the last segment received was CE-marked
    uint32_t loss_cwnd;                        // cwnd before the last reduction (for undo)
};
static_assert(sizeof(Dctcp) == 28);

constexpr uint32_t kDctcpMaxAlpha = 1024, kDctcpShiftG = 4, kDctcpAlphaOnInit = kDctcpMaxAlpha;
constexpr uint32_t kDctcpIcskAckTimer = 2, kDctcpIcskAckNow = 16;   // icsk_ack.pending
constexpr uint32_t kDctcpSkClose = 7, kDctcpSkListen = 10;  // TCP_CLOSE, TCP_LISTEN

// dctcp_reset: a new observation round starts at snd_nxt.
bool dctcp_reset(Vm& vm, const char* fn, uint64_t sk, Dctcp& ca) {
    uint64_t snd_nxt = 0, delivered = 0, delivered_ce = 0;
    if (!tcp_ca::read(vm, fn, sk, "snd_nxt", snd_nxt) || !tcp_ca::read(vm, fn, sk, "delivered", delivered) ||
        !tcp_ca::read(vm, fn, sk, "delivered_ce", delivered_ce))
        return false;
    ca.next_seq = uint32_t(snd_nxt);
    ca.old_delivered = uint32_t(delivered);
    ca.old_delivered_ce = uint32_t(delivered_ce);
    return true;
}

// void dctcp_init(struct sock *sk)
uint64_t dctcp_init(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "dctcp_init";
    uint64_t ecn_flags = 0, state = 0, rcv_nxt = 0;
    if (!tcp_ca::read(vm, kName, sk, "ecn_flags", ecn_flags) || !tcp_ca::read(vm, kName, sk, "skc_state", state) ||
        !tcp_ca::read(vm, kName, sk, "rcv_nxt", rcv_nxt))
        return 0;
    if (!(ecn_flags & tcp_ca::kEcnOk) && state != kDctcpSkListen && state != kDctcpSkClose) {
        // The kernel gives up on DCTCP here: the socket's ops become dctcp_reno (Reno) and its
        // packets stop carrying ECT. A BPF congestion control stays what it is in bpfplay.
        if (Host* h = host_for(vm, kName))
            log_host_event(vm, *h, kName,
                           "the socket did not negotiate ECN (tcp_sock.ecn_flags has no TCP_ECN_OK): the kernel "
                           "would switch it to dctcp-reno (plain Reno) and stop marking its packets ECT; "
                           "icsk_ca_priv is left as it was");
        return 0;
    }
    Dctcp ca{};
    if (!tcp_ca::load_priv(vm, kName, sk, ca)) return 0;
    ca.prior_rcv_nxt = uint32_t(rcv_nxt);
    ca.dctcp_alpha = std::min(kDctcpAlphaOnInit, kDctcpMaxAlpha);
    ca.loss_cwnd = 0;
    ca.ce_state = 0;
    if (!dctcp_reset(vm, kName, sk, ca)) return 0;
    tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

// u32 dctcp_ssthresh(struct sock *sk): cwnd * (1 - alpha / 2), at least 2.
uint64_t dctcp_ssthresh(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "dctcp_ssthresh";
    Dctcp ca{};
    uint64_t cwnd64 = 0;
    if (!tcp_ca::load_priv(vm, kName, sk, ca) || !tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd64)) return 0;
    const uint32_t cwnd = uint32_t(cwnd64);
    ca.loss_cwnd = cwnd;
    if (!tcp_ca::store_priv(vm, kName, sk, ca)) return 0;
    return std::max(cwnd - ((cwnd * ca.dctcp_alpha) >> 11), 2u);
}

uint32_t min_not_zero(uint32_t x, uint32_t y) { return x == 0 ? y : y == 0 ? x : std::min(x, y); }

// void dctcp_update_alpha(struct sock *sk, u32 flags) (DCTCP's in_ack_event): once a round
// (snd_una past next_seq), alpha = (1 - g) * alpha + g * (CE-marked / delivered).
uint64_t dctcp_update_alpha(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "dctcp_update_alpha";
    Dctcp ca{};
    uint64_t snd_una = 0, delivered = 0, delivered_ce = 0;
    if (!tcp_ca::load_priv(vm, kName, sk, ca) || !tcp_ca::read(vm, kName, sk, "snd_una", snd_una) ||
        !tcp_ca::read(vm, kName, sk, "delivered", delivered) || !tcp_ca::read(vm, kName, sk, "delivered_ce", delivered_ce))
        return 0;
    if (int32_t(uint32_t(snd_una) - ca.next_seq) < 0) return 0;  // the round goes on
    uint32_t ce = uint32_t(delivered_ce) - ca.old_delivered_ce;
    uint32_t alpha = ca.dctcp_alpha;
    alpha -= min_not_zero(alpha, alpha >> kDctcpShiftG);
    if (ce) {
        const uint32_t acked = uint32_t(delivered) - ca.old_delivered;
        ce <<= (10 - kDctcpShiftG);
        ce /= std::max(1u, acked);
        alpha = std::min(alpha + ce, kDctcpMaxAlpha);
    }
    ca.dctcp_alpha = alpha;
    if (!dctcp_reset(vm, kName, sk, ca)) return 0;
    tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

// dctcp_react_to_loss: a real loss halves the window as Reno does.
bool dctcp_react_to_loss(Vm& vm, const char* fn, uint64_t sk, Dctcp& ca) {
    uint64_t cwnd = 0;
    if (!tcp_ca::read(vm, fn, sk, "snd_cwnd", cwnd)) return false;
    ca.loss_cwnd = uint32_t(cwnd);
    return tcp_ca::write(vm, fn, sk, "snd_ssthresh", std::max(uint32_t(cwnd) >> 1, 2u));
}

// void dctcp_state(struct sock *sk, u8 new_state): entering Recovery is a loss.
uint64_t dctcp_state(Vm& vm, uint64_t sk, uint64_t new_state, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "dctcp_state";
    uint64_t state = 0;
    if (!tcp_ca::read(vm, kName, sk, "icsk_ca_state", state)) return 0;
    if (uint8_t(new_state) != tcp_ca::kStateRecovery || uint8_t(new_state) == state) return 0;
    Dctcp ca{};
    if (tcp_ca::load_priv(vm, kName, sk, ca) && dctcp_react_to_loss(vm, kName, sk, ca))
        tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

bool dctcp_ece_ack_cwr(Vm& vm, const char* fn, uint64_t sk, uint32_t ce_state) {
    uint64_t flags = 0;
    if (!tcp_ca::read(vm, fn, sk, "ecn_flags", flags)) return false;
    flags = ce_state == 1 ? flags | tcp_ca::kEcnDemandCwr : flags & ~uint64_t(tcp_ca::kEcnDemandCwr);
    return tcp_ca::write(vm, fn, sk, "ecn_flags", flags);
}

// dctcp_ece_ack_update (the receiver's CE state machine): a change of CE state is ACKed at once,
// after any delayed ACK still owed for the old state.
bool dctcp_ece_ack_update(Vm& vm, const char* fn, uint64_t sk, uint64_t event, Dctcp& ca) {
    const uint32_t new_ce = event == tcp_ca::kEventEcnIsCe ? 1 : 0;
    uint64_t pending = 0, rcv_nxt = 0;
    if (!tcp_ca::read(vm, fn, sk, "icsk_ack.pending", pending) || !tcp_ca::read(vm, fn, sk, "rcv_nxt", rcv_nxt))
        return false;
    if (ca.ce_state != new_ce) {
        if (pending & kDctcpIcskAckTimer) {
            if (!dctcp_ece_ack_cwr(vm, fn, sk, ca.ce_state)) return false;
            if (Host* h = host_for(vm, fn))
                log_host_event(vm, *h, fn,
                               "the delayed ACK for the old CE state is sent now (__tcp_send_ack), acknowledging up to " +
                                   std::to_string(ca.prior_rcv_nxt));
        }
        if (!tcp_ca::write(vm, fn, sk, "icsk_ack.pending", pending | kDctcpIcskAckNow)) return false;
    }
    ca.prior_rcv_nxt = uint32_t(rcv_nxt);
    ca.ce_state = new_ce;
    return dctcp_ece_ack_cwr(vm, fn, sk, new_ce);
}

// void dctcp_cwnd_event(struct sock *sk, enum tcp_ca_event ev)
uint64_t dctcp_cwnd_event(Vm& vm, uint64_t sk, uint64_t ev, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "dctcp_cwnd_event";
    const uint32_t event = uint32_t(ev);
    if (event != tcp_ca::kEventEcnIsCe && event != tcp_ca::kEventEcnNoCe && event != tcp_ca::kEventLoss) return 0;
    Dctcp ca{};
    if (!tcp_ca::load_priv(vm, kName, sk, ca)) return 0;
    const bool ok = event == tcp_ca::kEventLoss ? dctcp_react_to_loss(vm, kName, sk, ca)
                                          : dctcp_ece_ack_update(vm, kName, sk, event, ca);
    if (ok) tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

// u32 dctcp_cwnd_undo(struct sock *sk): max(snd_cwnd, loss_cwnd).
uint64_t dctcp_cwnd_undo(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "dctcp_cwnd_undo";
    Dctcp ca{};
    uint64_t cwnd = 0;
    if (!tcp_ca::load_priv(vm, kName, sk, ca) || !tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd)) return 0;
    return std::max(uint32_t(cwnd), ca.loss_cwnd);
}

constexpr KfuncImpl kDctcpKfuncImpls[] = {
    {"dctcp_cwnd_event", dctcp_cwnd_event},
    {"dctcp_cwnd_undo", dctcp_cwnd_undo},
    {"dctcp_init", dctcp_init},
    {"dctcp_ssthresh", dctcp_ssthresh},
    {"dctcp_state", dctcp_state},
    {"dctcp_update_alpha", dctcp_update_alpha},
};

}  // namespace

std::span<const KfuncImpl> dctcp_kfunc_impls() { return kDctcpKfuncImpls; }

}  // namespace bpfplay
