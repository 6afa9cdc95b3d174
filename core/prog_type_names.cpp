// The names of program types, attach types and context kinds (core/loader/prog_types.hpp), in
// the vm library because the decoder's messages use them too.
#include <array>

#include "core/loader/prog_types.hpp"

namespace bpfplay {

namespace {

constexpr std::array<const char*, 33> kProgTypeNames = {
    "unspec",         "socket_filter",  "kprobe",         "sched_cls",     "sched_act",
    "tracepoint",     "xdp",            "perf_event",     "cgroup_skb",    "cgroup_sock",
    "lwt_in",         "lwt_out",        "lwt_xmit",       "sock_ops",      "sk_skb",
    "cgroup_device",  "sk_msg",         "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
    "lirc_mode2",     "sk_reuseport",   "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable",
    "cgroup_sockopt", "tracing",        "struct_ops",     "ext",           "lsm",
    "sk_lookup",      "syscall",        "netfilter",
};

constexpr std::array<const char*, 58> kAttachTypeNames = {
    "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
    "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device", "sk_msg_verdict", "cgroup_inet4_bind",
    "cgroup_inet6_bind", "cgroup_inet4_connect", "cgroup_inet6_connect", "cgroup_inet4_post_bind",
    "cgroup_inet6_post_bind", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg", "lirc_mode2", "flow_dissector",
    "cgroup_sysctl", "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt", "cgroup_setsockopt",
    "trace_raw_tp", "trace_fentry", "trace_fexit", "modify_return", "lsm_mac", "trace_iter",
    "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname", "xdp_devmap", "cgroup_inet_sock_release", "xdp_cpumap", "sk_lookup", "xdp",
    "sk_skb_verdict", "sk_reuseport_select", "sk_reuseport_select_or_migrate", "perf_event",
    "trace_kprobe_multi", "lsm_cgroup", "struct_ops", "netfilter", "tcx_ingress", "tcx_egress",
    "trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg", "cgroup_unix_recvmsg",
    "cgroup_unix_getpeername", "cgroup_unix_getsockname", "netkit_primary", "netkit_peer",
    "trace_kprobe_session", "trace_uprobe_session",
};

}  // namespace

const char* attach_type_name(AttachType type) {
    const auto i = static_cast<uint32_t>(type);
    return i < kAttachTypeNames.size() ? kAttachTypeNames[i] : "unknown";
}

const char* prog_type_name(ProgType type) {
    const auto i = static_cast<uint32_t>(type);
    return i < kProgTypeNames.size() ? kProgTypeNames[i] : "unknown";
}

std::optional<ProgType> prog_type_from_name(std::string_view name) {
    for (uint32_t i = 0; i < kProgTypeNames.size(); ++i)
        if (name == kProgTypeNames[i]) return static_cast<ProgType>(i);
    return std::nullopt;
}

const char* context_kind_name(ContextKind kind) {
    switch (kind) {
    case ContextKind::None: return "none";
    case ContextKind::Xdp: return "xdp_md";
    case ContextKind::SkBuff: return "__sk_buff";
    case ContextKind::PtRegs: return "pt_regs";
    case ContextKind::PerfEvent: return "bpf_perf_event_data";
    case ContextKind::RawMemory: return "raw memory";
    case ContextKind::SkMsg: return "sk_msg_md";
    case ContextKind::SockOps: return "bpf_sock_ops";
    case ContextKind::Sock: return "bpf_sock";
    case ContextKind::SockAddr: return "bpf_sock_addr";
    case ContextKind::Sysctl: return "bpf_sysctl";
    case ContextKind::Sockopt: return "bpf_sockopt";
    case ContextKind::CgroupDev: return "bpf_cgroup_dev_ctx";
    case ContextKind::SkReuseport: return "sk_reuseport_md";
    case ContextKind::LircMode2: return "lirc_mode2 sample";
    case ContextKind::SkLookup: return "bpf_sk_lookup";
    case ContextKind::Netfilter: return "bpf_nf_ctx";
    case ContextKind::Other: return "other";
    }
    return "none";
}

}  // namespace bpfplay
