#include "core/run/redirect_helpers.hpp"

#include <string>

#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/maps/cpu_map.hpp"
#include "core/maps/dev_map.hpp"
#include "core/maps/xsk_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int32_t kRedirectId = 23, kRedirectMapId = 51;
constexpr uint64_t kXdpAborted = 0, kXdpRedirect = 4;
using uapi::kTcActShot, uapi::kTcActRedirect, uapi::kBpfFIngress;
constexpr uint64_t kBpfFBroadcast = 1 << 3, kBpfFExcludeIngress = 1 << 4;
constexpr uint64_t kXdpActionMask = 3; // XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX

uint64_t redirect(Vm& vm, uint64_t ifindex_arg, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_redirect";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const uint32_t ifindex = uint32_t(ifindex_arg);
    const std::string where = h->net.device_label(ifindex);
    RedirectTarget& t = h->net.run.redirect;
    switch (h->net.run.hook) {
    case PacketHook::Xdp:
        // bpf_xdp_redirect: XDP takes no flags at all.
        if (flags) {
            log_host_event(vm, *h, kName,
                           "flags " + hex(flags) +
                               " are not allowed in XDP (they must be 0): returns "
                               "XDP_ABORTED and the target is unchanged");
            return kXdpAborted;
        }
        t = RedirectTarget{true, ifindex, 0, "", {}};
        log_host_event(vm, *h, kName, "the packet goes to " + where + " if the program returns XDP_REDIRECT");
        return kXdpRedirect;
    case PacketHook::LwtXmit:  // the same bpf_redirect; BPF_REDIRECT is TC_ACT_REDIRECT's value
    case PacketHook::Tc:
        // BPF_F_INGRESS is the only flag a program may pass; the others are the kernel's own.
        if (flags & ~kBpfFIngress) {
            log_host_event(vm, *h, kName,
                           "flags " + hex(flags) +
                               " have bits other than BPF_F_INGRESS: returns "
                               "TC_ACT_SHOT and the target is unchanged");
            return kTcActShot;
        }
        t = RedirectTarget{true, ifindex, flags, "", {}};
        log_host_event(
            vm, *h, kName,
            std::string("the packet goes to ") + where +
                (flags & kBpfFIngress ? " as an incoming packet (BPF_F_INGRESS)" : " to be sent out") +
                (h->net.run.hook == PacketHook::Tc ? " if the program returns TC_ACT_REDIRECT"
                                                   : " if the program returns BPF_REDIRECT"));
        return kTcActRedirect;
    case PacketHook::SocketFilter:
    case PacketHook::SkMsg:
    case PacketHook::SkSkb:
    case PacketHook::SkSkbParser:
    case PacketHook::LwtIn:
    case PacketHook::LwtOut:
    case PacketHook::LwtSeg6local:
    case PacketHook::None: break;
    }
    return no_packet_hook(vm, kName);
}

// cpu_map_redirect / xsk_map_redirect -> __bpf_xdp_redirect_map with no broadcast flags: an empty
// slot (or a key past max_entries) returns the flags' low bits and forgets the map.
uint64_t redirect_to_cpu_or_socket(Vm& vm, Host& h, Map& map, uint64_t key_arg, uint64_t flags) {
    constexpr const char* kName = "bpf_redirect_map";
    const bool cpumap = map.type() == MapType::Cpumap;
    const std::string what = std::string(cpumap ? "cpumap" : "xskmap") + " \"" + map.name() + "\"";
    if (flags & ~kXdpActionMask) {
        log_host_event(vm, h, kName, "flags " + hex(flags) + " have bits a " + (cpumap ? "cpumap" : "xskmap") +
                                         " does not take: returns XDP_ABORTED");
        return kXdpAborted;
    }
    RedirectTarget& t = h.net.run.redirect;
    const uint32_t key = uint32_t(key_arg);
    const std::optional<uint32_t> target =
        cpumap ? static_cast<CpuMap&>(map).qsize_of(key) : static_cast<XskMap&>(map).socket_at(key);
    if (!target) {
        t.map.clear();
        t.broadcast.clear();
        t.flags = 0;
        t.kind = RedirectKind::Device;
        log_host_event(vm, h, kName,
                       what + " has no entry for key " + std::to_string(key) + ": returns " +
                           std::to_string(flags & kXdpActionMask) + ", the low bits of the flags");
        return flags & kXdpActionMask;
    }
    RedirectTarget r;
    r.set = true;
    r.ifindex = t.ifindex;  // the last bpf_redirect's device stays in bpf_redirect_info
    r.map = map.name();
    r.kind = cpumap ? RedirectKind::Cpu : RedirectKind::XdpSocket;
    r.index = key;
    r.socket = cpumap ? 0 : *target;
    t = std::move(r);
    log_host_event(vm, h, kName,
                   what + " key " + std::to_string(key) +
                       (cpumap ? " is CPU " + std::to_string(key) + " (queue of " + std::to_string(*target) + ")"
                               : " holds the AF_XDP socket fd " + std::to_string(*target)) +
                       ": the packet goes there if the program returns XDP_REDIRECT");
    return kXdpRedirect;
}

// bpf_xdp_redirect_map -> dev_map_redirect -> __bpf_xdp_redirect_map.
uint64_t redirect_map(Vm& vm, uint64_t map_arg, uint64_t key_arg, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_redirect_map";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (h->net.run.hook != PacketHook::Xdp) return no_packet_hook(vm, kName);
    MapSet* maps = vm.env->maps;
    Map* map = maps ? maps->from_handle(map_arg) : nullptr;
    if (!map) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(kName) + ": r1 = " + hex(map_arg) + " is not a map",
                                  vm.current_pc(), "Pass a devmap: r1 = <map> ll."));
        return 0;
    }
    if (map->type() == MapType::Cpumap || map->type() == MapType::Xskmap)
        return redirect_to_cpu_or_socket(vm, *h, *map, key_arg, flags);
    if (map->type() != MapType::Devmap && map->type() != MapType::DevmapHash) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(kName) + " cannot be used on " + map->describe() +
                                      ": the kernel's verifier refuses it (\"cannot pass map_type " +
                                      std::to_string(static_cast<uint32_t>(map->type())) + " into func " +
                                      kName + "#51\")",
                                  vm.current_pc(), "bpf_redirect_map takes a devmap, devmap_hash, cpumap or xskmap."));
        return 0;
    }
    const std::string devmap = "devmap \"" + map->name() + "\"";
    if (flags & ~(kXdpActionMask | kBpfFBroadcast | kBpfFExcludeIngress)) {
        log_host_event(vm, *h, kName, "flags " + hex(flags) + " have unknown bits: returns XDP_ABORTED");
        return kXdpAborted;
    }
    RedirectTarget& t = h->net.run.redirect;
    const uint32_t key = uint32_t(key_arg); // the devmap's lookup takes a u32 key
    const std::optional<uint32_t> ifindex = devmap_ifindex(*map, key);
    if (flags & kBpfFBroadcast) {
        RedirectTarget b{true, 0, flags & (kBpfFBroadcast | kBpfFExcludeIngress), map->name(), {}};
        map->for_each_entry([&](std::span<const uint8_t> k, uint32_t) {
            if (auto dev = devmap_ifindex(*map, load_le<uint32_t>(k.data()))) b.broadcast.push_back(*dev);
            return true;
        });
        t = std::move(b);
        log_host_event(vm, *h, kName,
                       "the packet is copied to every device in " + devmap +
                           (flags & kBpfFExcludeIngress ? " except the one it arrived on" : "") +
                           " if the program returns XDP_REDIRECT");
        return kXdpRedirect;
    }
    if (!ifindex) {
        // The kernel forgets the map but keeps the last bpf_redirect's ifindex.
        t.map.clear();
        t.broadcast.clear();
        t.flags = 0;
        t.kind = RedirectKind::Device;
        log_host_event(vm, *h, kName,
                       devmap + " has no entry for key " + std::to_string(key) + ": returns " +
                           std::to_string(flags & kXdpActionMask) + ", the low bits of the flags");
        return flags & kXdpActionMask;
    }
    t = RedirectTarget{true, *ifindex, 0, map->name(), {}};
    log_host_event(vm, *h, kName,
                   devmap + " key " + std::to_string(key) + " is " + h->net.device_label(*ifindex) +
                       ": the packet goes there if the program returns XDP_REDIRECT");
    return kXdpRedirect;
}

} // namespace

namespace {

constexpr HelperImpl kRedirectHelperImpls[] = {
    {kRedirectId, redirect},  // bpf_redirect
    {kRedirectMapId, redirect_map},  // bpf_redirect_map
};

}  // namespace

std::span<const HelperImpl> redirect_helper_impls() { return kRedirectHelperImpls; }

} // namespace bpfplay
