// SYN cookie helpers (syncookie_helpers.hpp).
#include "core/run/syncookie_helpers.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kTcpHeaderLen, uapi::kIpv4HeaderLen, uapi::kIpv6HeaderLen;
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;
constexpr uint32_t kCookieBits = 24, kCookieMask = (1u << kCookieBits) - 1, kMaxSyncookieAge = 2;
// The MSS values a cookie can encode (msstab in net/ipv4/syncookies.c and net/ipv6/syncookies.c).
constexpr std::array<uint16_t, 4> kMssV4 = {536, 1300, 1440, 1460};
constexpr std::array<uint16_t, 4> kMssV6 = {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60};
// What a SYN without an MSS option gets: TCP_MSS_DEFAULT, and IPv6's minimum MTU less headers.
constexpr uint16_t kMssClampV4 = 536, kMssClampV6 = 1280 - 20 - 40;

uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

// SipHash-2-4 (lib/siphash.c), the kernel's cookie_hash.
uint64_t siphash(const uint8_t* in, size_t len, const uint8_t* key) {
    const uint64_t k0 = load_le<uint64_t>(key), k1 = load_le<uint64_t>(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    auto round = [&] {
        v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
        v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
        v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
        v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
    };
    const size_t whole = len / 8 * 8;
    for (size_t i = 0; i < whole; i += 8) {
        const uint64_t m = load_le<uint64_t>(in + i);
        v3 ^= m, round(), round(), v0 ^= m;
    }
    uint64_t b = uint64_t(len) << 56;
    for (size_t j = 0; j < len % 8; ++j) b |= uint64_t(in[whole + j]) << (8 * j);
    v3 ^= b, round(), round(), v0 ^= b;
    v2 ^= 0xff;
    for (int r = 0; r < 4; ++r) round();
    return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

// The packet's addresses and ports as the cookie hashes them (network byte order as in memory).
struct SynFlow {
    bool v6 = false;
    const uint8_t* iph = nullptr;  // struct iphdr or struct ipv6hdr
    const uint8_t* th = nullptr;   // struct tcphdr
};

// cookie_hash(saddr, daddr, sport, dport, count, c): siphash_4u32 for IPv4, siphash of
// {saddr, daddr, count, sport, dport} for IPv6.
uint32_t cookie_hash(const Network& net, const SynFlow& f, uint32_t count, int c) {
    const uint8_t* key = net.syncookie_secret.data() + 16 * c;
    uint8_t m[40];
    if (!f.v6) {
        std::memcpy(m, f.iph + 12, 8);   // saddr, daddr
        std::memcpy(m + 8, f.th + 2, 2); // (u32)sport << 16 | dport, little-endian: dport first
        std::memcpy(m + 10, f.th, 2);
        store_le<uint32_t>(m + 12, count);
        return uint32_t(siphash(m, 16, key));
    }
    std::memcpy(m, f.iph + 8, 32);
    store_le<uint32_t>(m + 32, count);
    std::memcpy(m + 36, f.th, 4);  // sport, dport
    return uint32_t(siphash(m, 40, key));
}

// tcp_cookie_time(): minutes of jiffies.
uint32_t cookie_time(const Host& h, uint64_t executed) {
    const uint64_t hz = h.hz ? h.hz : 250;
    return uint32_t(h.jiffies64(executed) / (60 * hz));
}

const std::array<uint16_t, 4>& mss_table(const SynFlow& f) { return f.v6 ? kMssV6 : kMssV4; }

// __cookie_v4/v6_init_sequence: the largest table MSS not above `mss` (written back), hashed
// with the SYN's sequence number.
uint32_t make_cookie(const Host& h, uint64_t executed, const SynFlow& f, uint16_t& mss) {
    const auto& tab = mss_table(f);
    uint32_t ind = uint32_t(tab.size() - 1);
    for (; ind; --ind)
        if (mss >= tab[ind]) break;
    mss = tab[ind];
    const uint32_t count = cookie_time(h, executed);
    return cookie_hash(h.net, f, 0, 0) + be32(f.th + 4) + (count << kCookieBits) +
           ((cookie_hash(h.net, f, count, 1) + ind) & kCookieMask);
}

// __cookie_v4/v6_check: the MSS the ACK's cookie (ack_seq - 1) encodes, or 0 when it is not a
// cookie of the last two minutes.
uint16_t check_cookie(const Host& h, uint64_t executed, const SynFlow& f) {
    uint32_t cookie = be32(f.th + 8) - 1;
    const uint32_t seq = be32(f.th + 4) - 1, count = cookie_time(h, executed);
    cookie -= cookie_hash(h.net, f, 0, 0) + seq;
    const uint32_t diff = (count - (cookie >> kCookieBits)) & (0xffffffffu >> kCookieBits);
    if (diff >= kMaxSyncookieAge) return 0;
    const uint32_t ind = (cookie - cookie_hash(h.net, f, count - diff, 1)) & kCookieMask;
    return ind < mss_table(f).size() ? mss_table(f)[ind] : 0;
}

// tcp_parse_mss_option(th, 0): the SYN's MSS option, 0 without one.
uint16_t parse_mss(const uint8_t* th) {
    const uint8_t* p = th + kTcpHeaderLen;
    int length = int(th[12] >> 4) * 4 - int(kTcpHeaderLen);
    uint16_t mss = 0;
    while (length > 0) {
        const int opcode = *p++;
        if (opcode == 0) return mss;  // TCPOPT_EOL
        if (opcode == 1) {            // TCPOPT_NOP
            --length;
            continue;
        }
        if (length < 2) return mss;
        const int opsize = *p++;
        if (opsize < 2 || opsize > length) return mss;
        if (opcode == 2 && opsize == 4) {  // TCPOPT_MSS
            const uint16_t in = uint16_t(p[0] << 8 | p[1]);
            if (in) mss = in;
        }
        p += opsize - 2;
        length -= opsize;
    }
    return mss;
}

std::string flow_text(const SynFlow& f) {
    const uint16_t sport = uint16_t(f.th[0] << 8 | f.th[1]), dport = uint16_t(f.th[2] << 8 | f.th[3]);
    if (f.v6) return "port " + std::to_string(sport) + " -> " + std::to_string(dport);
    auto ip = [](const uint8_t* a) {
        return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
               std::to_string(a[3]);
    };
    return ip(f.iph + 12) + ":" + std::to_string(sport) + " -> " + ip(f.iph + 16) + ":" + std::to_string(dport);
}

const char* kSecretNote = " (a keyed hash: the kernel's key is random per boot, this host's is its syncookie_secret)";

// The listener argument: a TCP socket in LISTEN, else -EINVAL. nullopt: the run stopped.
std::optional<uint32_t> listener_arg(Vm& vm, const Host& h, const char* helper, uint64_t sk) {
    const auto i = socket_of_pointer(sk, uint32_t(h.net.sockets.size()));
    if (!i)
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(helper) + ": r1 = " + hex(sk) +
                                      " is not a socket pointer, so the kernel's verifier refuses the call",
                                  vm.current_pc()));
    return i;
}

// The checks bpf_tcp_gen_syncookie and bpf_tcp_check_syncookie share after the header's
// version: which family the packet is, or an error.
std::optional<int64_t> family_error(const HostSocket& s, const uint8_t* iph, uint32_t iph_len, bool& v6) {
    switch (iph[0] >> 4) {
    case 4:
        v6 = false;
        return std::nullopt;  // an IPv6 listener takes IPv4 too unless IPV6_V6ONLY, which the host never sets
    case 6:
        v6 = true;
        if (iph_len < kIpv6HeaderLen || s.family != kAfInet6) return -kEINVAL;
        return std::nullopt;
    default: return -kerrno::kEPROTONOSUPPORT;
    }
}

// What bpf_tcp_gen_syncookie and bpf_tcp_check_syncookie both take: the listener, the IP and
// the TCP header, read through the checked memory path; nullopt when the run stopped on one.
struct CookieCall {
    Host* h = nullptr;
    uint32_t listener = 0;
    const uint8_t* iph = nullptr;
    const uint8_t* th = nullptr;
    // An error return, said in the host event log.
    uint64_t fail(Vm& vm, const char* helper, int64_t err, const std::string& why) const {
        log_host_event(vm, *h, helper, why + ": returns " + std::to_string(err));
        return uint64_t(err);
    }
};

std::optional<CookieCall> cookie_call(Vm& vm, const char* helper, uint64_t sk, uint64_t iph_addr, uint64_t iph_len,
                                      uint64_t th_addr, uint64_t th_len) {
    CookieCall c;
    c.h = host_for(vm, helper);
    if (!c.h) return std::nullopt;
    const auto i = listener_arg(vm, *c.h, helper, sk);
    if (!i) return std::nullopt;
    c.listener = *i;
    c.iph = helper_read(vm, helper, iph_addr, uint32_t(iph_len));
    c.th = helper_read(vm, helper, th_addr, uint32_t(th_len));
    if ((!c.iph && iph_len) || (!c.th && th_len)) return std::nullopt;
    return c;
}

uint64_t tcp_gen_syncookie(Vm& vm, uint64_t sk, uint64_t iph_addr, uint64_t iph_len, uint64_t th_addr, uint64_t th_len) {
    constexpr const char* kName = "bpf_tcp_gen_syncookie";
    const auto call = cookie_call(vm, kName, sk, iph_addr, iph_len, th_addr, th_len);
    if (!call) return 0;
    const auto& [h, i, iph, th] = *call;
    const HostSocket& s = h->net.sockets[i];
    auto fail = [&](int64_t err, const std::string& why) { return call->fail(vm, kName, err, why); };
    if (th_len < kTcpHeaderLen || th_len != uint32_t(th[12] >> 4) * 4)
        return fail(-kEINVAL, "th_len " + std::to_string(th_len) + " is not the TCP header's length (doff * 4, at least 20)");
    if (!s.listening()) return fail(-kEINVAL, describe_socket(s) + " is not a TCP listener");
    if (h->net.tcp_syncookies == 0) return fail(-kerrno::kENOENT, "net.ipv4.tcp_syncookies is 0: the host never sends cookies");
    if (!(th[13] & kSyn) || (th[13] & (kAck | kFin | kRst)))
        return fail(-kEINVAL, "the TCP header is not a SYN (SYN set, ACK, FIN and RST clear)");
    if (iph_len < kIpv4HeaderLen) return fail(-kEINVAL, "iph_len " + std::to_string(iph_len) + " is shorter than an IPv4 header");
    SynFlow f{false, iph, th};
    if (auto err = family_error(s, iph, uint32_t(iph_len), f.v6))
        return fail(*err, *err == -kEINVAL ? "an IPv6 packet needs a 40-byte header and an IPv6 listener"
                                           : "the IP header's version is neither 4 nor 6");
    // tcp_get_syncookie_mss: cookies only when the SYN queue is full (or tcp_syncookies is 2).
    if (h->net.tcp_syncookies != 2 && !s.syn_flood)
        return fail(-kerrno::kENOENT, describe_socket(s) + " has room in its SYN queue, so the kernel sends no cookie "
                                                   "(set the socket's syn_flood, or the host's tcp_syncookies to 2)");
    uint16_t mss = parse_mss(th);
    if (!mss) mss = f.v6 ? kMssClampV6 : kMssClampV4;
    const uint32_t cookie = make_cookie(*h, vm.executed_now(), f, mss);
    // tcp_synq_overflow: the listener has just answered with a cookie, so ACKs carrying one are
    // checked (bpf_tcp_check_syncookie) for the next two minutes.
    auto& marked = h->net.run.cookie_listeners;
    if (std::find(marked.begin(), marked.end(), i) == marked.end()) marked.push_back(i);
    log_host_event(vm, *h, kName,
                   describe_socket(s) + " answers the SYN " + flow_text(f) + " with SYN cookie " + hex(cookie) +
                       kSecretNote + ", encoding MSS " + std::to_string(mss));
    return cookie | uint64_t(mss) << 32;
}

uint64_t tcp_check_syncookie(Vm& vm, uint64_t sk, uint64_t iph_addr, uint64_t iph_len, uint64_t th_addr, uint64_t th_len) {
    constexpr const char* kName = "bpf_tcp_check_syncookie";
    const auto call = cookie_call(vm, kName, sk, iph_addr, iph_len, th_addr, th_len);
    if (!call) return 0;
    const auto& [h, i, iph, th] = *call;
    const HostSocket& s = h->net.sockets[i];
    auto fail = [&](int64_t err, const std::string& why) { return call->fail(vm, kName, err, why); };
    if (th_len < kTcpHeaderLen) return fail(-kEINVAL, "th_len " + std::to_string(th_len) + " is shorter than a TCP header");
    if (!s.listening()) return fail(-kEINVAL, describe_socket(s) + " is not a TCP listener");
    if (h->net.tcp_syncookies == 0) return fail(-kEINVAL, "net.ipv4.tcp_syncookies is 0");
    if (!(th[13] & kAck) || (th[13] & (kRst | kSyn)))
        return fail(-kerrno::kENOENT, "the TCP header is not an ACK (ACK set, RST and SYN clear)");
    if (iph_len < kIpv4HeaderLen) return fail(-kEINVAL, "iph_len " + std::to_string(iph_len) + " is shorter than an IPv4 header");
    // tcp_synq_no_recent_overflow: without a recent SYN flood the listener sent no cookies.
    const auto& marked = h->net.run.cookie_listeners;
    if (!s.syn_flood && std::find(marked.begin(), marked.end(), i) == marked.end())
        return fail(-kerrno::kENOENT, describe_socket(s) + " sent no SYN cookie in the last two minutes (its SYN queue has not "
                                                   "overflowed: set the socket's syn_flood)");
    SynFlow f{false, iph, th};
    if (auto err = family_error(s, iph, uint32_t(iph_len), f.v6))
        return fail(*err, *err == -kEINVAL ? "an IPv6 packet needs a 40-byte header and an IPv6 listener"
                                           : "the IP header's version is neither 4 nor 6");
    const uint16_t mss = check_cookie(*h, vm.executed_now(), f);
    const uint32_t cookie = be32(th + 8) - 1;
    if (!mss) return fail(-kerrno::kENOENT, "the ACK " + flow_text(f) + " carries no valid SYN cookie (ack_seq - 1 = " + hex(cookie) + ")");
    log_host_event(vm, *h, kName,
                   "the ACK " + flow_text(f) + " carries SYN cookie " + hex(cookie) + ", valid for " +
                       describe_socket(s) + " with MSS " + std::to_string(mss) + ": returns 0");
    return 0;
}

// bpf_tcp_raw_gen_syncookie_ipv4/ipv6: r1 = the IP header (fixed size), r2/r3 = the TCP header.
uint64_t raw_gen(Vm& vm, const char* name, bool v6, uint64_t iph_addr, uint64_t th_addr, uint64_t th_len) {
    Host* h = host_for(vm, name);
    if (!h) return 0;
    const uint8_t* iph = helper_read(vm, name, iph_addr, v6 ? kIpv6HeaderLen : kIpv4HeaderLen);
    const uint8_t* th = helper_read(vm, name, th_addr, uint32_t(th_len));
    if (!iph || (!th && th_len)) return 0;
    if (th_len < kTcpHeaderLen || th_len != uint32_t(th[12] >> 4) * 4) {
        log_host_event(vm, *h, name,
                       "th_len " + std::to_string(th_len) + " is not the TCP header's length (doff * 4, at least 20): returns -22");
        return helper_errno(kEINVAL);
    }
    const SynFlow f{v6, iph, th};
    uint16_t mss = parse_mss(th);
    if (!mss) mss = v6 ? kMssClampV6 : kMssClampV4;
    const uint32_t cookie = make_cookie(*h, vm.executed_now(), f, mss);
    log_host_event(vm, *h, name,
                   "SYN " + flow_text(f) + ": SYN cookie " + hex(cookie) + kSecretNote + ", encoding MSS " +
                       std::to_string(mss));
    return cookie | uint64_t(mss) << 32;
}

uint64_t raw_check(Vm& vm, const char* name, bool v6, uint64_t iph_addr, uint64_t th_addr) {
    Host* h = host_for(vm, name);
    if (!h) return 0;
    const uint8_t* iph = helper_read(vm, name, iph_addr, v6 ? kIpv6HeaderLen : kIpv4HeaderLen);
    const uint8_t* th = helper_read(vm, name, th_addr, kTcpHeaderLen);
    if (!iph || !th) return 0;
    const SynFlow f{v6, iph, th};
    const uint16_t mss = check_cookie(*h, vm.executed_now(), f);
    const uint32_t cookie = be32(th + 8) - 1;
    if (!mss) {
        log_host_event(vm, *h, name,
                       "the ACK " + flow_text(f) + " carries no valid SYN cookie (ack_seq - 1 = " + hex(cookie) +
                           "): returns -13");
        return helper_errno(kerrno::kEACCES);
    }
    log_host_event(vm, *h, name,
                   "the ACK " + flow_text(f) + " carries a valid SYN cookie " + hex(cookie) + " (MSS " +
                       std::to_string(mss) + "): returns 0");
    return 0;
}

uint64_t raw_gen_v4(Vm& vm, uint64_t iph, uint64_t th, uint64_t len, uint64_t, uint64_t) {
    return raw_gen(vm, "bpf_tcp_raw_gen_syncookie_ipv4", false, iph, th, len);
}
uint64_t raw_gen_v6(Vm& vm, uint64_t iph, uint64_t th, uint64_t len, uint64_t, uint64_t) {
    return raw_gen(vm, "bpf_tcp_raw_gen_syncookie_ipv6", true, iph, th, len);
}
uint64_t raw_check_v4(Vm& vm, uint64_t iph, uint64_t th, uint64_t, uint64_t, uint64_t) {
    return raw_check(vm, "bpf_tcp_raw_check_syncookie_ipv4", false, iph, th);
}
uint64_t raw_check_v6(Vm& vm, uint64_t iph, uint64_t th, uint64_t, uint64_t, uint64_t) {
    return raw_check(vm, "bpf_tcp_raw_check_syncookie_ipv6", true, iph, th);
}

constexpr HelperImpl kSyncookieHelperImpls[] = {
    {100, tcp_check_syncookie},  // bpf_tcp_check_syncookie
    {110, tcp_gen_syncookie},    // bpf_tcp_gen_syncookie
    {204, raw_gen_v4},           // bpf_tcp_raw_gen_syncookie_ipv4
    {205, raw_gen_v6},           // bpf_tcp_raw_gen_syncookie_ipv6
    {206, raw_check_v4},         // bpf_tcp_raw_check_syncookie_ipv4
    {207, raw_check_v6},         // bpf_tcp_raw_check_syncookie_ipv6
};

} // namespace

std::span<const HelperImpl> syncookie_helper_impls() { return kSyncookieHelperImpls; }

} // namespace bpfplay
