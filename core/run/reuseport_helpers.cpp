#include "core/run/reuseport_helpers.hpp"

#include <optional>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/sock_map.hpp"
#include "core/run/sk_reuseport_context.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr const char* kSelectReuseportName = "bpf_sk_select_reuseport";

const char* map_kind(const Map& map) {
    return map.type() == MapType::ReuseportSockarray ? "reuseport_sockarray"
           : map.type() == MapType::Sockmap          ? "sockmap"
                                                     : "sockhash";
}

// The verifier's checks of the arguments (ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR of the three socket
// map types, ARG_PTR_TO_MAP_KEY): the map, or nullptr after stopping the run.
Map* map_arg(Vm& vm, uint64_t ctx, uint64_t handle) {
    if (ctx != window_base(window::kContext) || !dynamic_cast<SkReuseportContext*>(vm.memory().context_at(ctx))) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(kSelectReuseportName) + ": r1 = " + hex(ctx) +
                                      " is not the program's struct sk_reuseport_md (\"expected=ctx\")",
                                  vm.current_pc(), "Pass the program's context (r1 at entry) as the first argument."));
        return nullptr;
    }
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* map = maps ? maps->from_handle(handle) : nullptr;
    if (!map) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(kSelectReuseportName) + ": r2 = " + hex(handle) + " is not a map",
                                  vm.current_pc(), "Pass a reuseport_sockarray, sockmap or sockhash: r2 = <map> ll."));
        return nullptr;
    }
    const MapType t = map->type();
    if (t != MapType::ReuseportSockarray && t != MapType::Sockmap && t != MapType::Sockhash) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(kSelectReuseportName) + " cannot be used on map \"" + map->name() +
                                      "\": the kernel's verifier refuses it (\"cannot pass map_type " +
                                      std::to_string(static_cast<uint32_t>(t)) + " into func " + kSelectReuseportName + "#82\")",
                                  vm.current_pc(), "It takes a reuseport_sockarray, sockmap or sockhash."));
        return nullptr;
    }
    return map;
}

uint64_t sk_select_reuseport(Vm& vm, uint64_t ctx, uint64_t map_handle, uint64_t key_addr, uint64_t, uint64_t) {
    Host* h = host_for(vm, kSelectReuseportName);
    if (!h) return 0;
    Map* map = map_arg(vm, ctx, map_handle);
    if (!map) return 0;
    const uint8_t* key = helper_read(vm, kSelectReuseportName, key_addr, map->key_size());
    if (!key) return 0;
    const auto& c = static_cast<const SkReuseportContext&>(*vm.memory().context_at(ctx));
    const Network& net = h->net;
    const std::string where = std::string(map_kind(*map)) + " \"" + map->name() + "\" key " +
                              hex_bytes(std::span<const uint8_t>(key, map->key_size()));

    // map->ops->map_lookup_elem: a sockarray or sockmap index past max_entries finds nothing.
    std::optional<uint64_t> cookie;
    if (map->type() == MapType::Sockhash) {
        cookie = static_cast<SockHash*>(map)->socket_of(key);
    } else {
        const uint32_t index = load_le<uint32_t>(key);
        if (index < map->max_entries()) cookie = static_cast<SocketSlotArray*>(map)->socket_at(index);
    }
    const std::optional<uint32_t> found = cookie ? socket_with_cookie(net, *cookie) : std::nullopt;
    auto answer = [&](int64_t err, const std::string& why) {
        log_host_event(vm, *h, kSelectReuseportName, where + " " + why + ": returns -" + std::to_string(err));
        return helper_errno(err);
    };
    if (!found) return answer(kerrno::kENOENT, "holds no socket");
    const HostSocket& s = net.sockets[*found];
    const std::string text = reuseport_socket_text(net, *found);
    if (!in_reuseport_group(s))
        return answer(map->type() == MapType::ReuseportSockarray ? kerrno::kENOENT : kEINVAL,
                      "is " + text + ", which is in no reuseport group (it needs SO_REUSEPORT and to be " +
                          (s.protocol == kIpprotoTcp ? "listening" : "bound") + ")");
    const HostSocket& own = net.sockets[c.sk];
    if (!same_reuseport_group(s, own)) {
        const std::string other =
            "is " + text + ", of another reuseport group than the program's " + reuseport_socket_text(net, c.sk);
        if (s.protocol != own.protocol) return answer(kerrno::kEPROTOTYPE, other + " (another protocol)");
        if (s.family != own.family) return answer(kerrno::kEAFNOSUPPORT, other + " (another address family)");
        return answer(kerrno::kEBADFD, other);
    }
    h->net.run.reuseport_socket = *found;
    log_host_event(vm, *h, kSelectReuseportName,
                   where + " is " + text + ": selected, the packet goes to it if the program returns SK_PASS; returns 0");
    return 0;
}

constexpr HelperImpl kReuseportHelperImpls[] = {
    {82, sk_select_reuseport},  // bpf_sk_select_reuseport
};

}  // namespace

std::span<const HelperImpl> reuseport_helper_impls() { return kReuseportHelperImpls; }

}  // namespace bpfplay
