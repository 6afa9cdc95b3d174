#include "core/host/host_events.hpp"

#include "core/host/host.hpp"
#include "core/json/json_writer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr uint64_t kBpfFIngress = 1;             // BPF_F_INGRESS
constexpr uint64_t kBpfFExcludeIngress = 1 << 4; // BPF_F_EXCLUDE_INGRESS
// tc redirect targets keep the kernel's bpf_redirect_info flags: bpf_redirect_neigh, _peer.
constexpr uint64_t kBpfFNeigh = 1 << 1, kBpfFPeer = 1 << 2;

// "sent out of eth1 (ifindex 3)", or why the kernel drops it instead.
std::string send_to(const Network& net, uint32_t ifindex, const char* how) {
    const NetDevice* d = net.device(ifindex);
    if (!d) return "dropped: there is no device with ifindex " + std::to_string(ifindex);
    if (!d->up) return "dropped: " + net.device_label(ifindex) + " is down";
    return std::string(how) + " " + net.device_label(ifindex);
}

std::string broadcast(const Network& net, const RedirectTarget& t) {
    std::string list;
    for (uint32_t ifindex : t.broadcast) {
        const NetDevice* d = net.device(ifindex);
        if (!d || !d->up) continue;
        if ((t.flags & kBpfFExcludeIngress) && ifindex == net.ingress_ifindex) continue;
        list += (list.empty() ? "" : ", ") + net.device_label(ifindex);
    }
    if (list.empty()) return "dropped: devmap \"" + t.map + "\" names no device that is up to broadcast to";
    return "copied out of every device in devmap \"" + t.map + "\": " + list;
}

std::string xdp_fate(const Network& net, uint64_t r0) {
    const std::string ingress = net.device_label(net.ingress_ifindex);
    switch (r0) {
    case 0: return "XDP_ABORTED: the packet is dropped and the xdp:xdp_exception tracepoint fires";
    case 1: return "XDP_DROP: the packet is dropped";
    case 2: return "XDP_PASS: the packet is passed up to the network stack on " + ingress;
    case 3: return "XDP_TX: the packet is sent back out of " + ingress;
    case 4: {
        const RedirectTarget& t = net.run.redirect;
        if (!t.set)
            return "XDP_REDIRECT: the packet is dropped: no bpf_redirect or bpf_redirect_map call chose a "
                   "target";
        if (t.kind == RedirectKind::Cpu)
            return "XDP_REDIRECT: the packet is queued to CPU " + std::to_string(t.index) + " (cpumap \"" + t.map +
                   "\"), whose kthread builds an skb and passes it up to the network stack there";
        if (t.kind == RedirectKind::XdpSocket)
            return "XDP_REDIRECT: the packet is delivered to the AF_XDP socket (fd " + std::to_string(t.socket) +
                   ") in xskmap \"" + t.map + "\" key " + std::to_string(t.index) +
                   ": user space reads it from the socket's RX ring";
        if (!t.broadcast.empty() || (t.flags & (1 << 3)))
            return "XDP_REDIRECT: the packet is " + broadcast(net, t);
        return "XDP_REDIRECT: the packet is " + send_to(net, t.ifindex, "sent out of");
    }
    default:
        return "return value " + std::to_string(r0) +
               " is not an XDP action: the kernel warns (bpf_warn_invalid_xdp_action) and drops the packet";
    }
}

// "socket 1 (cookie 4098, port 8080)".
std::string socket_words(const Network& net, uint32_t index) {
    if (index >= net.sockets.size()) return "socket " + std::to_string(index);
    const HostSocket& s = net.sockets[index];
    return "socket " + std::to_string(index) + " (cookie " + std::to_string(s.cookie) + ", port " +
           std::to_string(s.local_port) + ")";
}

std::string tc_fate(const Network& net, uint64_t r0) {
    switch (int32_t(r0)) {
    case 2: return "TC_ACT_SHOT: the packet is dropped";
    case 4:
    case 5:
    case 8: return "the packet is consumed: tc frees it and the network stack never sees it";
    case 7: {
        const RedirectTarget& t = net.run.redirect;
        if (!t.set) return "TC_ACT_REDIRECT: the packet is dropped: no bpf_redirect call chose a target";
        if (t.flags & kBpfFPeer) {
            // skb_do_redirect: only veth and netkit devices have a peer (ndo_get_peer_dev).
            if (!net.device(t.ifindex)) return "TC_ACT_REDIRECT: the packet is " + send_to(net, t.ifindex, "");
            return "TC_ACT_REDIRECT (bpf_redirect_peer): the packet is dropped: " + net.device_label(t.ifindex) +
                   " has no peer (only veth and netkit devices have one, and only at tc ingress)";
        }
        if (t.flags & kBpfFNeigh) {
            const NetDevice* d = net.device(t.ifindex);
            return "TC_ACT_REDIRECT: the packet is " + send_to(net, t.ifindex, "sent out of") +
                   (d && d->up ? " with its Ethernet header from the neighbour table (bpf_redirect_neigh)" : "");
        }
        if (t.flags & kBpfFIngress)
            return "TC_ACT_REDIRECT: the packet is " +
                   send_to(net, t.ifindex, "received again as incoming on");
        return "TC_ACT_REDIRECT: the packet is " + send_to(net, t.ifindex, "sent out of");
    }
    default:
        if (net.run.assigned_socket && *net.run.assigned_socket < net.sockets.size())
            return "the packet continues through the network stack to " +
                   socket_words(net, *net.run.assigned_socket) + ", which bpf_sk_assign chose";
        return "the packet continues through the network stack";
    }
}

// net/core/lwt_bpf.c run_lwt_bpf and its callers: BPF_OK and BPF_LWT_REROUTE go on, BPF_DROP
// drops, BPF_REDIRECT redirects at xmit only; anything else drops with a warning.
std::string lwt_fate(const Network& net, PacketHook hook, uint64_t r0) {
    switch (uint32_t(r0)) {
    case 0:
        return hook == PacketHook::LwtIn    ? "BPF_OK: the packet goes on to the route's input (delivered locally or forwarded)"
               : hook == PacketHook::LwtOut ? "BPF_OK: the packet goes on to the route's output"
                                            : "BPF_OK: the packet is transmitted by the route's device, with any header "
                                              "the program pushed";
    case 2: return "BPF_DROP: the packet is dropped";
    case 7: {
        if (hook != PacketHook::LwtXmit)
            return "BPF_REDIRECT is allowed at lwt_xmit only: the kernel warns (\"Illegal redirect return code\") and "
                   "the packet goes on as with BPF_OK";
        const RedirectTarget& t = net.run.redirect;
        if (!t.set) return "BPF_REDIRECT: the packet is dropped: no bpf_redirect call chose a target";
        if (t.flags & kBpfFIngress)
            return "BPF_REDIRECT: the packet is " + send_to(net, t.ifindex, "received again as incoming on");
        return "BPF_REDIRECT: the packet is " + send_to(net, t.ifindex, "sent out of");
    }
    case 128:
        return hook == PacketHook::LwtIn   ? "BPF_LWT_REROUTE: the packet is routed again, by its (new) destination address"
               : hook == PacketHook::LwtXmit ? "BPF_LWT_REROUTE: the packet is routed again by its new outer header's "
                                               "destination and sent by that route"
                                             : "BPF_LWT_REROUTE means nothing at lwt_out: the packet goes on to the "
                                               "route's output";
    default:
        return "return value " + std::to_string(r0) +
               " is not an LWT action: the kernel warns (\"bpf-lwt: Illegal return value\") and drops the packet";
    }
}

std::string socket_filter_fate(uint64_t r0) {
    const uint32_t keep = uint32_t(r0);
    if (keep == 0) return "the socket does not get the packet (the filter returned 0)";
    return "the socket receives the packet, cut to at most " + std::to_string(keep) + " bytes";
}

// sk_psock_map_verd: SK_PASS with a redirect target redirects, SK_PASS alone passes, anything
// else drops. `what` is "message" (sk_msg) or "skb" (sk_skb verdict).
std::string sock_fate(const Network& net, uint64_t r0, bool msg) {
    const std::string what = msg ? "message" : "skb";
    const std::string own = net.program_socket_index() ? socket_words(net, *net.program_socket_index()) : "the socket";
    std::string covers;
    if (msg && net.run.apply_bytes)
        covers = " (the verdict covers its next " + std::to_string(net.run.apply_bytes) + " bytes)";
    if (r0 == 1) {
        const SockRedirect& t = net.run.sock_redirect;
        if (!t.set)
            return msg ? "SK_PASS: the message is sent on " + own + covers
                       : "SK_PASS: the skb goes onto the receive queue of " + own + ", for its reader";
        return "SK_PASS: the " + what + " is redirected to " + socket_words(net, t.socket) + " from " + t.map +
               (t.ingress ? ", onto its receive queue (BPF_F_INGRESS)" : ", sent out of it") + covers;
    }
    if (r0 == 0)
        return msg ? "SK_DROP: the message is dropped and the sender's sendmsg fails with -EACCES"
                   : "SK_DROP: the skb is dropped";
    return "return value " + std::to_string(r0) + " is neither SK_PASS (1) nor SK_DROP (0): the " + what +
           " is dropped";
}

std::string parser_fate(uint64_t r0) {
    const int32_t len = int32_t(r0);
    if (len == 0) return "the stream parser needs more bytes before it can tell the message's length";
    if (len < 0) return "the stream parser returned an error (" + std::to_string(len) + "): the socket is aborted";
    return "the stream parser says the next message is " + std::to_string(len) +
           " bytes long: the verdict program runs on those bytes";
}

} // namespace

void log_host_event(Vm& vm, Host& host, const char* helper, std::string text) {
    host.events.push_back({vm.executed_now(), vm.current_pc(), helper, std::move(text)});
}

std::vector<std::string> exit_report(const Network& net, uint64_t r0) {
    std::vector<std::string> out;
    switch (net.run.hook) {
    case PacketHook::Xdp: out.push_back(xdp_fate(net, r0)); break;
    case PacketHook::Tc: out.push_back(tc_fate(net, r0)); break;
    case PacketHook::SocketFilter: out.push_back(socket_filter_fate(r0)); break;
    case PacketHook::SkMsg: out.push_back(sock_fate(net, r0, true)); break;
    case PacketHook::SkSkb: out.push_back(sock_fate(net, r0, false)); break;
    case PacketHook::SkSkbParser: out.push_back(parser_fate(r0)); break;
    case PacketHook::LwtIn:
    case PacketHook::LwtOut:
    case PacketHook::LwtXmit: out.push_back(lwt_fate(net, net.run.hook, r0)); break;
    case PacketHook::LwtSeg6local:  // its fate needs the SRH check on the packet (seg6_exit_report)
    case PacketHook::None: break;
    }
    if ((net.run.hook == PacketHook::Tc || net.run.hook == PacketHook::LwtXmit) && net.run.tx_tunnel && int32_t(r0) != 2)
        out.push_back("the packet carries tunnel metadata for sending (" + describe_tunnel(*net.run.tx_tunnel) +
                      "): a collect_md tunnel device (gre, vxlan, geneve in external mode) it goes out of "
                      "encapsulates it with these outer headers; other devices ignore them");
    for (uint32_t index : net.run.held_sockets) {
        const uint64_t cookie = index < net.sockets.size() ? net.sockets[index].cookie : 0;
        out.push_back(
            "the program exits still holding the socket with cookie " + std::to_string(cookie) +
            ": every socket from bpf_sk_lookup_tcp, bpf_sk_lookup_udp or bpf_skc_lookup_tcp (or a sockmap "
            "lookup) must be "
            "given back with bpf_sk_release, and the kernel's verifier refuses this program "
            "(\"Unreleased reference\")");
    }
    return out;
}

std::vector<HostEvent> exit_events(const Network& net, uint64_t r0, uint64_t executed, uint32_t pc) {
    std::vector<HostEvent> out;
    for (std::string& text : exit_report(net, r0))
        out.push_back({executed, pc, "exit", std::move(text)});
    return out;
}

void to_json(JsonWriter& w, const HostEvent& e) {
    w.begin_object().member("executed", e.executed).member("pc", e.pc).member("helper", e.helper).member("text", e.text);
    w.end_object();
}

std::string host_events_json(const std::vector<HostEvent>& events) {
    JsonWriter w;
    to_json_array(w, events);
    return w.take();
}

} // namespace bpfplay
