#include "core/verifier/struct_ops_rules.hpp"

#include <optional>
#include <string_view>

#include "core/btf/builtin_target_btf.hpp"
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/env.hpp"

namespace bpfplay::verifier {

namespace {

// The fields of struct tcp_sock a congestion control may write (Linux 6.18's
// bpf_tcp_ca_btf_struct_access), each by the struct that declares it and its path there; a
// struct sock and a struct inet_connection_sock start a tcp_sock, so their offsets are its.
struct TcpCaWritable {
    const char* owner;
    const char* path;
    bool whole_range;  // icsk_ca_priv: a write may start anywhere inside it (bpf_ctx_range)
};
constexpr TcpCaWritable kTcpCaWritable[] = {
    {"sock", "sk_pacing_rate", false},
    {"sock", "sk_pacing_status", false},
    {"inet_connection_sock", "icsk_ca_priv", true},
    {"inet_connection_sock", "icsk_ack.pending", false},
    {"tcp_sock", "snd_cwnd", false},
    {"tcp_sock", "snd_cwnd_cnt", false},
    {"tcp_sock", "snd_cwnd_stamp", false},
    {"tcp_sock", "snd_ssthresh", false},
    {"tcp_sock", "ecn_flags", false},
    {"tcp_sock", "app_limited", false},
};

struct TcpCaFieldSpan {
    int64_t off = 0;
    int64_t end = 0;
};

// The byte range of `path` ("icsk_ack.pending") inside struct `owner` of the built-in BTF.
std::optional<TcpCaFieldSpan> struct_field_span(const char* owner, std::string_view path) {
    const Btf& btf = builtin_target_btf();
    const auto id = btf.find_by_name(owner, BtfKind::Struct);
    if (!id) return std::nullopt;
    uint32_t t = *id;
    int64_t base = 0;
    for (;;) {
        const size_t dot = path.find('.');
        const std::string_view name = path.substr(0, dot);
        bool found = false;
        for (const BtfMember& m : btf.members(t)) {
            if (btf.string_at(m.name_off) != name) continue;
            base += m.bit_offset / 8;
            t = btf.skip_modifiers(m.type);
            found = true;
            break;
        }
        if (!found) return std::nullopt;
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
    }
    const auto size = btf.resolve_size(t);
    if (!size) return std::nullopt;
    return TcpCaFieldSpan{base, base + int64_t(*size)};
}

StructOpsWrite tcp_ca_write(uint32_t btf_id, int64_t off, uint32_t size) {
    if (btf_object_name(btf_id) != "tcp_sock") return {StructOpsWrite::Kind::Refused, "only read is supported"};
    for (const TcpCaWritable& w : kTcpCaWritable) {
        const auto span = struct_field_span(w.owner, w.path);
        if (!span) return {StructOpsWrite::Kind::CannotTell, fmt("the tcp_sock field %s (not in the built-in BTF)", w.path)};
        if (w.whole_range ? (off < span->off || off >= span->end) : off != span->off) continue;
        if (off + size > span->end)
            return {StructOpsWrite::Kind::Refused,
                    fmt("write access at off %lld with size %u beyond the member of tcp_sock ended at %lld", (long long)off, size,
                        (long long)span->end)};
        return {StructOpsWrite::Kind::Allowed, ""};
    }
    return {StructOpsWrite::Kind::Refused, fmt("no write support to tcp_sock at off %lld", (long long)off)};
}

}  // namespace

StructOpsWrite struct_ops_write(const std::string& ops, uint32_t btf_id, int64_t off, uint32_t size) {
    if (ops == "tcp_congestion_ops") return tcp_ca_write(btf_id, off, size);
    return {StructOpsWrite::Kind::CannotTell, "a write through a kernel object by a " + ops + " program"};
}

}  // namespace bpfplay::verifier
