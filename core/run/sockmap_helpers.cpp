#include "core/run/sockmap_helpers.hpp"

#include <cstring>
#include <string>

#include "core/context/contexts.hpp"
#include "core/context/field_context.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/sock_map.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kSkDrop, uapi::kSkPass, uapi::kBpfFIngress;
// bpf_sock_ops.op values whose socket may be added (sock_map_op_okay).
constexpr uint32_t kActiveEstablishedCb = 4, kPassiveEstablishedCb = 5, kTcpListenCb = 11;

// "sockhash \"by_port\"".
std::string map_label(const Map& map) {
    return std::string(map.type() == MapType::Sockmap ? "sockmap" : "sockhash") + " \"" + map.name() + "\"";
}

std::string socket_state_text(const Network& net, uint32_t index) {
    const HostSocket& s = net.sockets[index];
    return "socket " + std::to_string(index) + " (cookie " + std::to_string(s.cookie) + ", " +
           (s.protocol == kIpprotoTcp ? std::string(tcp_state_name(s.state)) + " TCP" : std::string("UDP")) +
           " port " + std::to_string(s.local_port) + ")";
}

// The map argument, or nullptr after stopping the run as the verifier would refuse the call.
Map* sock_map_arg(Vm& vm, const char* name, int32_t id, uint64_t handle, MapType want) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* map = maps ? maps->from_handle(handle) : nullptr;
    const char* want_name = want == MapType::Sockmap ? "sockmap" : "sockhash";
    if (!map) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(name) + ": r2 = " + hex(handle) + " is not a map",
                                  vm.current_pc(), std::string("Pass a ") + want_name + ": r2 = <map> ll."));
        return nullptr;
    }
    if (map->type() != want) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(name) + " cannot be used on " + map_label(*map) +
                                      ": the kernel's verifier refuses it (\"cannot pass map_type " +
                                      std::to_string(static_cast<uint32_t>(map->type())) + " into func " + name +
                                      "#" + std::to_string(id) + "\")",
                                  vm.current_pc(), std::string(name) + " takes a " + want_name + "."));
        return nullptr;
    }
    return map;
}

// The key_size bytes a hash helper's key pointer names, or nullptr after stopping the run.
const uint8_t* key_arg(Vm& vm, const char* name, const Map& map, uint64_t addr) {
    const uint8_t* key = vm.memory().helper_ptr(addr, map.key_size(), /*write=*/false);
    if (!key) fail_helper_access(vm, name, addr, map.key_size(), Access::HelperRead);
    return key;
}

// sock_map_redirect_allowed: not a listening TCP socket; a UDP socket must be connected.
bool redirect_allowed(const HostSocket& s) {
    if (s.protocol == kIpprotoTcp) return s.state != TcpState::Listen;
    return kernel_sk_state(s) == uint8_t(TcpState::Established);
}

// The four redirect helpers: look the socket up, check it, record where the skb or message goes.
uint64_t sock_redirect(Vm& vm, const char* name, int32_t id, MapType type, PacketHook hook, uint64_t map_handle,
                  uint64_t key_arg_value, uint64_t flags) {
    Host* h = host_for(vm, name);
    if (!h) return 0;
    Map* map = sock_map_arg(vm, name, id, map_handle, type);
    if (!map) return 0;
    std::optional<uint64_t> cookie;
    std::string key_text;
    if (type == MapType::Sockmap) {
        const uint32_t key = uint32_t(key_arg_value);
        key_text = "key " + std::to_string(key);
        if (!(flags & ~kBpfFIngress)) cookie = static_cast<SockMap*>(map)->socket_at(key);
    } else {
        const uint8_t* key = key_arg(vm, name, *map, key_arg_value);
        if (!key) return 0;
        key_text = "key " + hex_bytes(std::span<const uint8_t>(key, map->key_size()));
        if (!(flags & ~kBpfFIngress)) cookie = static_cast<SockHash*>(map)->socket_of(key);
    }
    const char* what = hook == PacketHook::SkMsg ? "message" : "skb";
    if (flags & ~kBpfFIngress) {
        log_host_event(vm, *h, name, "flags " + hex(flags) + " have bits other than BPF_F_INGRESS: returns SK_DROP");
        return kSkDrop;
    }
    const std::optional<uint32_t> index = cookie ? socket_with_cookie(h->net, *cookie) : std::nullopt;
    if (!index) {
        log_host_event(vm, *h, name, map_label(*map) + " has no socket at " + key_text + ": returns SK_DROP");
        return kSkDrop;
    }
    const HostSocket& s = h->net.sockets[*index];
    if (!redirect_allowed(s)) {
        log_host_event(vm, *h, name,
                       map_label(*map) + " " + key_text + " is " + socket_state_text(h->net, *index) + ", which " +
                           (s.protocol == kIpprotoTcp ? "is listening" : "is not connected") +
                           ": nothing can be redirected to it, returns SK_DROP");
        return kSkDrop;
    }
    const bool ingress = flags & kBpfFIngress;
    h->net.run.sock_redirect = SockRedirect{true, *index, ingress, map_label(*map)};
    log_host_event(vm, *h, name,
                   map_label(*map) + " " + key_text + " is " + socket_state_text(h->net, *index) + ": the " + what +
                       (ingress ? " goes onto its receive queue (BPF_F_INGRESS)" : " is sent out of it") +
                       " if the program returns SK_PASS; returns SK_PASS");
    return kSkPass;
}

uint64_t sk_redirect_map(Vm& vm, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
    return sock_redirect(vm, "bpf_sk_redirect_map", 52, MapType::Sockmap, PacketHook::SkSkb, map, key, flags);
}
uint64_t sk_redirect_hash(Vm& vm, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
    return sock_redirect(vm, "bpf_sk_redirect_hash", 72, MapType::Sockhash, PacketHook::SkSkb, map, key, flags);
}
uint64_t msg_redirect_map(Vm& vm, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
    return sock_redirect(vm, "bpf_msg_redirect_map", 60, MapType::Sockmap, PacketHook::SkMsg, map, key, flags);
}
uint64_t msg_redirect_hash(Vm& vm, uint64_t, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
    return sock_redirect(vm, "bpf_msg_redirect_hash", 71, MapType::Sockhash, PacketHook::SkMsg, map, key, flags);
}

// bpf_sock_map_update / bpf_sock_hash_update: the sock_ops program's socket, from the callbacks
// of an established or listening socket only.
uint64_t sock_update(Vm& vm, const char* name, int32_t id, MapType type, uint64_t ctx, uint64_t map_handle,
                     uint64_t key_addr, uint64_t flags) {
    Host* h = host_for(vm, name);
    if (!h) return 0;
    Map* map = sock_map_arg(vm, name, id, map_handle, type);
    if (!map) return 0;
    const uint8_t* key = key_arg(vm, name, *map, key_addr);
    if (!key) return 0;
    // struct bpf_sock_ops starts with op (the run's context, or raw bytes).
    uint32_t op = 0;
    if (const auto* fields = dynamic_cast<const FieldContext*>(vm.memory().context_at(ctx)))
        op = fields->get_u32(0);
    else if (const uint8_t* op_bytes = vm.memory().helper_ptr(ctx, 4, /*write=*/false))
        op = load_le<uint32_t>(op_bytes);
    const std::optional<uint32_t> index = h->net.program_socket_index();
    if (!index) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(name) + ": the host has no socket for the sock_ops "
                                                                        "program to run on",
                                  vm.current_pc(), "Add an established TCP socket to the host, or pick one with "
                                                   "program_socket."));
        return 0;
    }
    if (op != kActiveEstablishedCb && op != kPassiveEstablishedCb && op != kTcpListenCb) {
        log_host_event(vm, *h, name,
                       "op " + std::to_string(op) +
                           " is not BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB (4), PASSIVE_ESTABLISHED_CB (5) or "
                           "TCP_LISTEN_CB (11): returns -EOPNOTSUPP");
        return helper_errno(kerrno::kEOPNOTSUPP);
    }
    const uint64_t cookie = h->net.sockets[*index].cookie;
    const int64_t rc = type == MapType::Sockmap
                           ? static_cast<SockMap*>(map)->update_socket(load_le<uint32_t>(key), cookie, flags)
                           : static_cast<SockHash*>(map)->update_socket(key, cookie, flags);
    log_host_event(vm, *h, name,
                   rc == 0 ? map_label(*map) + " now holds " + socket_state_text(h->net, *index) + " at key " +
                                 hex_bytes(std::span<const uint8_t>(key, map->key_size()))
                           : map_label(*map) + " refuses " + socket_state_text(h->net, *index) + ": returns " +
                                 std::to_string(rc));
    return uint64_t(rc);
}

uint64_t sock_map_update(Vm& vm, uint64_t ctx, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
    return sock_update(vm, "bpf_sock_map_update", 53, MapType::Sockmap, ctx, map, key, flags);
}
uint64_t sock_hash_update(Vm& vm, uint64_t ctx, uint64_t map, uint64_t key, uint64_t flags, uint64_t) {
    return sock_update(vm, "bpf_sock_hash_update", 70, MapType::Sockhash, ctx, map, key, flags);
}

// The message of an sk_msg run, or nullptr after stopping the run.
PacketBuffer* message_of(Vm& vm, const char* name) {
    PacketBuffer* p = packet_of(vm);
    if (p && p->kind() == PacketBuffer::Kind::Msg && p->ctx()) return p;
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(name) + ": the program has no message (it is not an "
                                                                    "sk_msg program run on one)",
                              vm.current_pc()));
    return nullptr;
}

uint32_t message_size(const PacketBuffer& p) { return p.ctx()->get_u32(sk_msg_md::kSize); }

uint64_t msg_apply_bytes(Vm& vm, uint64_t, uint64_t bytes, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_msg_apply_bytes";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    h->net.run.apply_bytes = uint32_t(bytes);
    log_host_event(vm, *h, kName,
                   "the verdict applies to the next " + std::to_string(uint32_t(bytes)) +
                       " bytes; the program runs again for the bytes after them");
    return 0;
}

uint64_t msg_cork_bytes(Vm& vm, uint64_t, uint64_t bytes, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_msg_cork_bytes";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    h->net.run.cork_bytes = uint32_t(bytes);
    log_host_event(vm, *h, kName,
                   "the kernel holds the data back until " + std::to_string(uint32_t(bytes)) +
                       " bytes are queued, then runs the program on them");
    return 0;
}

// bpf_msg_pull_data: data..data_end becomes [start, end) of the (one-element) message.
uint64_t msg_pull_data(Vm& vm, uint64_t, uint64_t start_arg, uint64_t end_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_msg_pull_data";
    PacketBuffer* p = message_of(vm, kName);
    if (!p) return 0;
    const uint32_t start = uint32_t(start_arg), end = uint32_t(end_arg), size = message_size(*p);
    if (flags || end <= start || start >= size || end > size) return helper_errno(kEINVAL);
    p->record(vm);
    p->set_geometry({start, start, end});
    return 0;
}

// bpf_msg_push_data: `len` new bytes (zeros here; the kernel's are a fresh page's) at `start`,
// which may be the message's end; data..data_end covers the whole message again.
uint64_t msg_push_data(Vm& vm, uint64_t, uint64_t start_arg, uint64_t len_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_msg_push_data";
    PacketBuffer* p = message_of(vm, kName);
    if (!p) return 0;
    const uint32_t start = uint32_t(start_arg), len = uint32_t(len_arg), size = message_size(*p);
    if (flags) return helper_errno(kEINVAL);
    if (len == 0) return 0;
    if (start > size) return helper_errno(kEINVAL);
    if (uint64_t(size) + len > p->frame_size()) return helper_errno(kerrno::kENOMEM);
    p->record(vm);
    p->save_bytes(vm, start, size + len - start);
    uint8_t* f = p->frame();
    std::memmove(f + start + len, f + start, size - start);
    std::memset(f + start, 0, len);
    p->ctx()->set_u32(sk_msg_md::kSize, size + len);
    p->set_geometry({0, 0, size + len});
    return 0;
}

// bpf_msg_pop_data: removes [start, start + len) of the message.
uint64_t msg_pop_data(Vm& vm, uint64_t, uint64_t start_arg, uint64_t len_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_msg_pop_data";
    PacketBuffer* p = message_of(vm, kName);
    if (!p) return 0;
    const uint32_t start = uint32_t(start_arg), len = uint32_t(len_arg), size = message_size(*p);
    if (flags || len == 0) return helper_errno(kEINVAL);
    if (start >= size || uint64_t(start) + len > size) return helper_errno(kEINVAL);
    p->record(vm);
    p->save_bytes(vm, start, size - start);
    uint8_t* f = p->frame();
    std::memmove(f + start, f + start + len, size - start - len);
    std::memset(f + size - len, 0, len);
    p->ctx()->set_u32(sk_msg_md::kSize, size - len);
    p->set_geometry({0, 0, size - len});
    return 0;
}

constexpr HelperImpl kSockmapHelperImpls[] = {
    {52, sk_redirect_map},    // bpf_sk_redirect_map
    {53, sock_map_update},    // bpf_sock_map_update
    {60, msg_redirect_map},   // bpf_msg_redirect_map
    {61, msg_apply_bytes},    // bpf_msg_apply_bytes
    {62, msg_cork_bytes},     // bpf_msg_cork_bytes
    {63, msg_pull_data},      // bpf_msg_pull_data
    {70, sock_hash_update},   // bpf_sock_hash_update
    {71, msg_redirect_hash},  // bpf_msg_redirect_hash
    {72, sk_redirect_hash},   // bpf_sk_redirect_hash
    {90, msg_push_data},      // bpf_msg_push_data
    {91, msg_pop_data},       // bpf_msg_pop_data
};

}  // namespace

std::span<const HelperImpl> sockmap_helper_impls() { return kSockmapHelperImpls; }

void attach_socket_resolver(MapSet& maps, const Host* host) {
    maps.set_socket_resolver([host](uint64_t cookie) -> std::optional<SocketInfo> {
        const Network& net = host->net;
        const std::optional<uint32_t> index = socket_with_cookie(net, cookie);
        if (!index) return std::nullopt;
        const HostSocket& s = net.sockets[*index];
        const bool tcp = s.protocol == kIpprotoTcp;
        return SocketInfo{*index, socket_address(*index), tcp, kernel_sk_state(s), s.reuseport,
                          tcp ? s.state == TcpState::Listen : s.local_port != 0};
    });
}

}  // namespace bpfplay
