// A struct_ops program's run (struct_ops_run.hpp).
#include "core/run/struct_ops_run.hpp"

#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/btf/builtin_target_btf.hpp"
#include "core/hex.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "core/journal.hpp"
#include "core/loader/loader.hpp"
#include "core/run/object_session.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// A member's place in struct tcp_sock, and its type.
struct FieldSpan {
    uint32_t off = 0, size = 0, type = 0;
    uint32_t bit = 0, bits = 0;  // a bitfield: its first bit within `off`'s byte on, and width
};

// Finds `name` among the members of struct/union `id` (at `base`), looking inside nested
// structs and unions depth first -- tcp_sock embeds inet_connection_sock, which embeds
// inet_sock, which embeds sock -- the first match wins.
std::optional<FieldSpan> find_tcp_member(const Btf& btf, uint32_t id, std::string_view name, uint32_t base, int depth = 0) {
    if (depth > 8) return std::nullopt;
    for (const BtfMember& m : btf.members(id)) {
        const uint32_t off = base + m.bit_offset / 8;
        const uint32_t t = btf.skip_modifiers(m.type);
        if (btf.string_at(m.name_off) == name) {
            const auto size = btf.resolve_size(m.type);
            if (m.bitfield_size) return FieldSpan{off, 1, t, m.bit_offset % 8, m.bitfield_size};
            return FieldSpan{off, size ? *size : 0, t};
        }
        if (btf.kind(t) == BtfKind::Struct || btf.kind(t) == BtfKind::Union)
            if (auto f = find_tcp_member(btf, t, name, off, depth + 1)) return f;
    }
    return std::nullopt;
}

// "icsk_ack.pending": each step inside the previous one's type.
FieldSpan find_tcp_sock_field(std::string_view path) {
    const Btf& btf = builtin_target_btf();
    FieldSpan at{0, 0, *btf.find_by_name("tcp_sock", BtfKind::Struct)};
    while (!path.empty()) {
        const size_t dot = path.find('.');
        auto f = find_tcp_member(btf, at.type, path.substr(0, dot), at.off);
        if (!f) return {};  // the built-in BTF has every path below (a test checks the sizes)
        at = *f;
        path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    }
    return at;
}

// The same, remembered: a TCP flow and the CA kfuncs look up the same few dozen paths for
// every member call, and each walk goes through tcp_sock's nested BTF members by name.
FieldSpan tcp_sock_field(std::string_view path) {
    thread_local std::unordered_map<std::string, FieldSpan> known;
    const auto it = known.find(std::string(path));
    if (it != known.end()) return it->second;
    const FieldSpan f = find_tcp_sock_field(path);
    known.emplace(std::string(path), f);
    return f;
}

// bpf_tcp_ca_btf_struct_access (net/ipv4/bpf_tcp_ca.c, Linux 6.18): a store must start at one of
// these members (anywhere inside icsk_ca_priv) and end within it.
struct Writable {
    const char* path;
    bool range;  // bpf_ctx_range: any offset inside
    FieldSpan at;
};

const std::vector<Writable>& writable_fields() {
    static const std::vector<Writable> fields = [] {
        std::vector<Writable> v = {
            {"sk_pacing_rate", false, {}}, {"sk_pacing_status", false, {}}, {"icsk_ca_priv", true, {}},
            {"icsk_ack.pending", false, {}}, {"snd_cwnd", false, {}},      {"snd_cwnd_cnt", false, {}},
            {"snd_cwnd_stamp", false, {}}, {"snd_ssthresh", false, {}},    {"ecn_flags", false, {}},
            {"app_limited", false, {}},
        };
        for (Writable& w : v) w.at = tcp_sock_field(w.path);
        return v;
    }();
    return fields;
}

// The fields that are the host socket's own (TcpInfo): written back after the run.
struct HostField {
    const char* path;
    uint32_t TcpInfo::*member;
};
constexpr HostField kHostFields[] = {
    {"snd_cwnd", &TcpInfo::snd_cwnd}, {"snd_ssthresh", &TcpInfo::snd_ssthresh}, {"ecn_flags", &TcpInfo::ecn_flags}};

// Serves stores into the sockets' window (read-only otherwise) for a struct_ops run: only the
// writable members of the run's socket. Loads keep Memory's fast path over the same bytes.
class TcpSockWrites final : public ContextAccess {
public:
    TcpSockWrites(std::vector<uint8_t>& bytes, uint32_t socket, uint32_t count)
        : bytes_(bytes), socket_(socket),
          obj_off_(uint32_t(socket_object_address(socket, count) - window_base(window::kSockets))),
          before_(bytes.begin() + obj_off_, bytes.begin() + obj_off_ + object_size()) {}

    uint32_t socket() const { return socket_; }
    static uint32_t object_size() { return socket_object_stride(); }
    std::span<const uint8_t> before() const { return before_; }
    void rebase() { before_.assign(now().begin(), now().end()); }
    std::span<const uint8_t> now() const { return {bytes_.data() + obj_off_, object_size()}; }

    bool load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) override {
        if (uint64_t(off) + size > bytes_.size()) {
            why = "past the end of the sockets' kernel objects";
            return false;
        }
        value = 0;
        std::memcpy(&value, bytes_.data() + off, size);
        return true;
    }

    bool store(uint32_t off, uint32_t size, uint64_t value, std::string& why) override {
        if (off < obj_off_ || off - obj_off_ >= object_size()) {
            why = "only the struct tcp_sock the program was called with may be written (bpf_tcp_ca_btf_struct_access: "
                  "\"only read is supported\" for anything else)";
            return false;
        }
        const uint32_t rel = off - obj_off_;
        if (auto refused = check(rel, size)) {
            why = *refused;
            return false;
        }
        std::memcpy(bytes_.data() + off, &value, size);
        return true;
    }

    std::span<uint8_t> state_bytes() override { return {bytes_.data() + obj_off_, object_size()}; }

    // Why the kernel refuses a store of `size` bytes at offset `rel` of tcp_sock, if it does.
    static std::optional<std::string> check(uint32_t rel, uint32_t size) {
        for (const Writable& w : writable_fields()) {
            const bool starts = w.range ? rel >= w.at.off && rel < w.at.off + w.at.size : rel == w.at.off;
            if (!starts) continue;
            if (rel + size > w.at.off + w.at.size)
                return "write access at off " + std::to_string(rel) + " with size " + std::to_string(size) +
                       " beyond the member of tcp_sock ended at " + std::to_string(w.at.off + w.at.size) + " (" +
                       w.path + ")";
            return std::nullopt;
        }
        return "no write support to tcp_sock at off " + std::to_string(rel) +
               ": a congestion control may write only sk_pacing_rate, sk_pacing_status, icsk_ca_priv, "
               "icsk_ack.pending, snd_cwnd, snd_cwnd_cnt, snd_cwnd_stamp, snd_ssthresh, ecn_flags and app_limited";
    }

private:
    std::vector<uint8_t>& bytes_;
    uint32_t socket_;
    uint32_t obj_off_;
    std::vector<uint8_t> before_;
};

uint64_t field_value(std::span<const uint8_t> obj, const FieldSpan& f) {
    uint64_t v = 0;
    std::memcpy(&v, obj.data() + f.off, std::min<uint32_t>(f.size, 8));
    return v;
}

// A member of the socket object, bitfields included (icsk_ca_state:5, is_cwnd_limited:1):
// read and written a bit at a time, as they may straddle a byte.
uint64_t object_member(std::span<const uint8_t> obj, const FieldSpan& f) {
    if (!f.bits) return field_value(obj, f);
    uint64_t v = 0;
    for (uint32_t i = 0; i < f.bits; ++i) {
        const uint32_t bit = f.bit + i;
        v |= uint64_t((obj[f.off + bit / 8] >> (bit % 8)) & 1) << i;
    }
    return v;
}

void set_object_member(std::span<uint8_t> obj, const FieldSpan& f, uint64_t value) {
    if (!f.bits) {
        std::memcpy(obj.data() + f.off, &value, std::min<uint32_t>(f.size, 8));
        return;
    }
    for (uint32_t i = 0; i < f.bits; ++i) {
        const uint32_t bit = f.bit + i;
        uint8_t& byte = obj[f.off + bit / 8];
        byte = uint8_t((byte & ~(1u << (bit % 8))) | (((value >> i) & 1) << (bit % 8)));
    }
}

// The flow's socket state into the run's socket object.
void apply_tcp_ca_call(const TcpCaCall& call, std::span<uint8_t> obj) {
    for (const auto& [path, value] : call.fields) {
        const FieldSpan f = tcp_sock_field(path);
        if (f.size) set_object_member(obj, f, value);
    }
    const FieldSpan priv = tcp_sock_field("icsk_ca_priv");
    // A flow's first call has no private state yet (and memcpy from an empty vector's NULL is UB).
    if (!call.ca_priv.empty())
        std::memcpy(obj.data() + priv.off, call.ca_priv.data(), std::min<size_t>(priv.size, call.ca_priv.size()));
}

// And back after the run.
void collect_tcp_ca_call(TcpCaCall& call, std::span<const uint8_t> obj) {
    for (auto& [path, value] : call.fields) {
        const FieldSpan f = tcp_sock_field(path);
        if (f.size) value = object_member(obj, f);
    }
    const FieldSpan priv = tcp_sock_field("icsk_ca_priv");
    call.ca_priv.assign(obj.begin() + priv.off, obj.begin() + priv.off + priv.size);
}

bool points_at_sock(const Btf& btf, uint32_t type) {
    const uint32_t t = btf.skip_modifiers(type);
    return btf.kind(t) == BtfKind::Ptr && btf.name(btf.skip_modifiers(btf.type(t)->ref)) == "sock";
}

}  // namespace

Result<Unit> setup_struct_ops_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm,
                                      const Network& net) {
    if (prog.struct_ops_type.empty())
        return make_error(ErrorKind::Load, "struct_ops program \"" + prog.name + "\" implements no member of a struct_ops map",
                          std::nullopt, "Point a function pointer of a SEC(\".struct_ops\") variable at it.");
    const Btf& btf = builtin_target_btf();
    const uint32_t type = *btf.find_by_name(prog.struct_ops_type, BtfKind::Struct);  // the loader found it
    const BtfMember& member = btf.members(type)[uint32_t(prog.attach)];
    const uint32_t ptr = btf.skip_modifiers(member.type);
    const uint32_t proto = btf.skip_modifiers(btf.type(ptr)->ref);
    const auto params = btf.params(proto);

    std::optional<uint32_t> socket;
    for (const BtfParam& p : params) {
        const uint32_t t = btf.skip_modifiers(p.type);
        if (btf.kind(t) != BtfKind::Ptr || btf.name(btf.skip_modifiers(btf.type(t)->ref)) != "sock") continue;
        socket = net.program_socket_index();
        const std::string kind = socket ? socket_object_type(net.sockets[*socket]) : "";
        if (kind != "tcp_sock" && kind != "tcp6_sock")
            return make_error(ErrorKind::Load,
                              prog.struct_ops_type + "." + prog.struct_ops_member +
                                  " runs on a TCP socket, but the host has " +
                                  (socket ? "socket " + std::to_string(*socket) + " there, which is not a full TCP socket"
                                          : std::string("no established TCP socket")),
                              std::nullopt, "Add an established TCP socket to the host, or pick one with program_socket.");
    }
    const uint32_t count = uint32_t(net.sockets.size());
    // In a flow, the struct a pointer argument points at follows the arguments (the kernel's is
    // on tcp_ack's stack; the program only reads it).
    const uint32_t args_size = uint32_t(params.size() * 8);
    const std::vector<uint8_t>* pointed = in.tcp_ca && !in.tcp_ca->pointed.empty() ? &in.tcp_ca->pointed : nullptr;
    run.raw_ctx.assign(args_size + (pointed ? (pointed->size() + 7) / 8 * 8 : 0), 0);
    if (pointed && !pointed->empty()) std::memcpy(run.raw_ctx.data() + args_size, pointed->data(), pointed->size());
    for (uint32_t i = 0; i < params.size(); ++i) {
        uint64_t v = 0;
        const uint32_t t = btf.skip_modifiers(params[i].type);
        if (socket && points_at_sock(btf, params[i].type))
            v = socket_object_address(*socket, count);
        else if (pointed && btf.kind(t) == BtfKind::Ptr)
            v = window_base(window::kContext) + args_size;
        else if (in.ctx.size() >= (i + 1) * 8)
            std::memcpy(&v, in.ctx.data() + i * 8, 8);
        std::memcpy(run.raw_ctx.data() + i * 8, &v, 8);
    }
    const std::string what = "arguments of " + prog.struct_ops_type + "." + prog.struct_ops_member;
    if (!run.raw_ctx.empty()) {
        // bpf_tcp_ca_is_valid_access: the arguments are read, never written.
        vm.memory().map(window::kContext, RegionKind::Context, kRead, run.raw_ctx.data(), uint32_t(run.raw_ctx.size()),
                        what);
        vm.memory().set_hint(window::kContext, "A struct_ops program's context is its member's " +
                                                   std::to_string(params.size()) +
                                                   " arguments, u64 each, read-only: the verifier refuses any other "
                                                   "access (\"func '" + prog.struct_ops_member +
                                                   "' doesn't have N-th argument\").");
    }
    if (socket && !run.kernel.sockets.empty()) {
        auto writes = std::make_shared<TcpSockWrites>(run.kernel.sockets, *socket, count);
        if (in.tcp_ca) {
            apply_tcp_ca_call(*in.tcp_ca, writes->state_bytes());
            writes->rebase();  // the flow's state is where the run starts, not a change
        }
        vm.memory().set_store_filter(window::kSockets, writes.get());
        run.kernel_writes = std::move(writes);
    }
    return Unit{};
}

void finish_struct_ops_run(RunState& run, Host& host, uint64_t executed, uint32_t pc) {
    auto* writes = dynamic_cast<TcpSockWrites*>(run.kernel_writes.get());
    if (!writes || writes->socket() >= host.net.sockets.size()) return;
    if (run.input.tcp_ca) {  // the flow reports the state itself (tcp_ca_flow.hpp), call by call
        collect_tcp_ca_call(*run.input.tcp_ca, writes->now());
        return;
    }
    HostSocket& s = host.net.sockets[writes->socket()];
    for (const Writable& w : writable_fields()) {
        const uint64_t was = field_value(writes->before(), w.at), now = field_value(writes->now(), w.at);
        const bool changed = std::memcmp(writes->before().data() + w.at.off, writes->now().data() + w.at.off, w.at.size) != 0;
        if (!changed) continue;
        std::string text = std::string("tcp_sock.") + w.path + " of " + describe_socket(s) + ": ";
        text += w.range ? "the congestion control's private data changed (lasts this run)"
                        : std::to_string(was) + " -> " + std::to_string(now);
        for (const HostField& f : kHostFields)
            if (std::string_view(f.path) == w.path) s.tcp.*f.member = uint32_t(now);
        host.events.push_back({executed, pc, "struct_ops", std::move(text)});
    }
}

std::optional<uint64_t> tcp_sock_load(Vm& vm, uint64_t tp, std::string_view path) {
    const FieldSpan f = tcp_sock_field(path);
    if (f.size == 0) return std::nullopt;
    const uint8_t* p = vm.memory().helper_ptr(tp + f.off, f.size, /*write=*/false);
    if (!p) return std::nullopt;
    uint64_t v = 0;
    std::memcpy(&v, p, std::min<uint32_t>(f.size, 8));
    if (f.bits) v = (v >> f.bit) & ((1ull << f.bits) - 1);
    return v;
}

std::optional<std::string> tcp_sock_store(Vm& vm, uint64_t tp, std::string_view path, uint64_t value) {
    const FieldSpan f = tcp_sock_field(path);
    const uint64_t addr = tp + f.off;
    auto* writes = dynamic_cast<TcpSockWrites*>(vm.memory().context_at(addr));
    if (!writes || (addr >> 32) != window::kSockets || f.size == 0 || f.bits)
        return "not a writable tcp_sock field of the run's socket";
    uint8_t* p = vm.memory().helper_ptr(addr, f.size, /*write=*/false);
    if (!p) return "outside the socket's kernel object";
    if (Journal* j = vm.journal()) j->mem(p, addr, f.size);
    std::string why;
    if (!writes->store(uint32_t(addr), f.size, value, why)) return why;
    return std::nullopt;
}

std::span<uint8_t> tcp_sock_ca_priv(Vm& vm, uint64_t tp) {
    const FieldSpan f = tcp_sock_field("icsk_ca_priv");
    const uint64_t addr = tp + f.off;
    auto* writes = dynamic_cast<TcpSockWrites*>(vm.memory().context_at(addr));
    if (!writes || (addr >> 32) != window::kSockets || f.size == 0) return {};
    uint8_t* p = vm.memory().helper_ptr(addr, f.size, /*write=*/false);
    if (!p) return {};
    if (Journal* j = vm.journal()) j->mem(p, addr, f.size);
    return {p, f.size};
}

}  // namespace bpfplay
