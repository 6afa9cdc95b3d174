// Section name -> program type, following libbpf's section_defs[] (src/libbpf.c): same entries,
// same order (the first match wins, so "xdp.frags/devmap" must come before "xdp"), same
// matching rules.
#include <array>

#include "core/loader/prog_types.hpp"

namespace bpfplay {

namespace {

struct SectionDef {
    std::string_view pattern;  // "name", "name+" or "name/" (see classify_section)
    ProgType type;
    bool sleepable = false;
};

using P = ProgType;

constexpr std::array kSectionDefs = {
    SectionDef{"socket", P::SocketFilter},
    SectionDef{"sk_reuseport/migrate", P::SkReuseport},
    SectionDef{"sk_reuseport", P::SkReuseport},
    SectionDef{"kprobe+", P::Kprobe},
    SectionDef{"uprobe+", P::Kprobe},
    SectionDef{"uprobe.s+", P::Kprobe, true},
    SectionDef{"kretprobe+", P::Kprobe},
    SectionDef{"uretprobe+", P::Kprobe},
    SectionDef{"uretprobe.s+", P::Kprobe, true},
    SectionDef{"kprobe.multi+", P::Kprobe},
    SectionDef{"kretprobe.multi+", P::Kprobe},
    SectionDef{"uprobe.multi+", P::Kprobe},
    SectionDef{"uretprobe.multi+", P::Kprobe},
    SectionDef{"uprobe.multi.s+", P::Kprobe, true},
    SectionDef{"uretprobe.multi.s+", P::Kprobe, true},
    SectionDef{"ksyscall+", P::Kprobe},
    SectionDef{"kretsyscall+", P::Kprobe},
    SectionDef{"usdt+", P::Kprobe},
    SectionDef{"usdt.s+", P::Kprobe, true},
    SectionDef{"tc/ingress", P::SchedCls},
    SectionDef{"tc/egress", P::SchedCls},
    SectionDef{"tcx/ingress", P::SchedCls},
    SectionDef{"tcx/egress", P::SchedCls},
    SectionDef{"tc", P::SchedCls},
    SectionDef{"classifier", P::SchedCls},
    SectionDef{"action", P::SchedAct},
    SectionDef{"netkit/primary", P::SchedCls},
    SectionDef{"netkit/peer", P::SchedCls},
    SectionDef{"tracepoint+", P::Tracepoint},
    SectionDef{"tp+", P::Tracepoint},
    SectionDef{"raw_tracepoint+", P::RawTracepoint},
    SectionDef{"raw_tp+", P::RawTracepoint},
    SectionDef{"raw_tracepoint.w+", P::RawTracepointWritable},
    SectionDef{"raw_tp.w+", P::RawTracepointWritable},
    SectionDef{"tp_btf+", P::Tracing},
    SectionDef{"fentry+", P::Tracing},
    SectionDef{"fmod_ret+", P::Tracing},
    SectionDef{"fexit+", P::Tracing},
    SectionDef{"fentry.s+", P::Tracing, true},
    SectionDef{"fmod_ret.s+", P::Tracing, true},
    SectionDef{"fexit.s+", P::Tracing, true},
    SectionDef{"freplace+", P::Ext},
    SectionDef{"lsm+", P::Lsm},
    SectionDef{"lsm.s+", P::Lsm, true},
    SectionDef{"lsm_cgroup+", P::Lsm},
    SectionDef{"iter+", P::Tracing},
    SectionDef{"iter.s+", P::Tracing, true},
    SectionDef{"syscall", P::Syscall, true},
    SectionDef{"xdp.frags/devmap", P::Xdp},
    SectionDef{"xdp/devmap", P::Xdp},
    SectionDef{"xdp.frags/cpumap", P::Xdp},
    SectionDef{"xdp/cpumap", P::Xdp},
    SectionDef{"xdp.frags", P::Xdp},
    SectionDef{"xdp", P::Xdp},
    SectionDef{"perf_event", P::PerfEvent},
    SectionDef{"lwt_in", P::LwtIn},
    SectionDef{"lwt_out", P::LwtOut},
    SectionDef{"lwt_xmit", P::LwtXmit},
    SectionDef{"lwt_seg6local", P::LwtSeg6local},
    SectionDef{"sockops", P::SockOps},
    SectionDef{"sk_skb/stream_parser", P::SkSkb},
    SectionDef{"sk_skb/stream_verdict", P::SkSkb},
    SectionDef{"sk_skb/verdict", P::SkSkb},
    SectionDef{"sk_skb", P::SkSkb},
    SectionDef{"sk_msg", P::SkMsg},
    SectionDef{"lirc_mode2", P::LircMode2},
    SectionDef{"flow_dissector", P::FlowDissector},
    SectionDef{"cgroup_skb/ingress", P::CgroupSkb},
    SectionDef{"cgroup_skb/egress", P::CgroupSkb},
    SectionDef{"cgroup/skb", P::CgroupSkb},
    SectionDef{"cgroup/sock_create", P::CgroupSock},
    SectionDef{"cgroup/sock_release", P::CgroupSock},
    SectionDef{"cgroup/sock", P::CgroupSock},
    SectionDef{"cgroup/post_bind4", P::CgroupSock},
    SectionDef{"cgroup/post_bind6", P::CgroupSock},
    SectionDef{"cgroup/bind4", P::CgroupSockAddr},
    SectionDef{"cgroup/bind6", P::CgroupSockAddr},
    SectionDef{"cgroup/connect4", P::CgroupSockAddr},
    SectionDef{"cgroup/connect6", P::CgroupSockAddr},
    SectionDef{"cgroup/connect_unix", P::CgroupSockAddr},
    SectionDef{"cgroup/sendmsg4", P::CgroupSockAddr},
    SectionDef{"cgroup/sendmsg6", P::CgroupSockAddr},
    SectionDef{"cgroup/sendmsg_unix", P::CgroupSockAddr},
    SectionDef{"cgroup/recvmsg4", P::CgroupSockAddr},
    SectionDef{"cgroup/recvmsg6", P::CgroupSockAddr},
    SectionDef{"cgroup/recvmsg_unix", P::CgroupSockAddr},
    SectionDef{"cgroup/getpeername4", P::CgroupSockAddr},
    SectionDef{"cgroup/getpeername6", P::CgroupSockAddr},
    SectionDef{"cgroup/getpeername_unix", P::CgroupSockAddr},
    SectionDef{"cgroup/getsockname4", P::CgroupSockAddr},
    SectionDef{"cgroup/getsockname6", P::CgroupSockAddr},
    SectionDef{"cgroup/getsockname_unix", P::CgroupSockAddr},
    SectionDef{"cgroup/sysctl", P::CgroupSysctl},
    SectionDef{"cgroup/getsockopt", P::CgroupSockopt},
    SectionDef{"cgroup/setsockopt", P::CgroupSockopt},
    SectionDef{"cgroup/dev", P::CgroupDevice},
    SectionDef{"struct_ops+", P::StructOps},
    SectionDef{"struct_ops.s+", P::StructOps, true},
    SectionDef{"sk_lookup", P::SkLookup},
    SectionDef{"netfilter", P::Netfilter},
};

// libbpf's sec_def_matches.
bool matches(std::string_view pattern, std::string_view name) {
    if (pattern.ends_with('/')) return name.starts_with(pattern);
    if (pattern.ends_with('+')) {
        pattern.remove_suffix(1);
        if (!name.starts_with(pattern)) return false;
        return name.size() == pattern.size() || name[pattern.size()] == '/';
    }
    return name == pattern;
}

constexpr std::array<const char*, 33> kProgTypeNames = {
    "unspec",         "socket_filter",  "kprobe",         "sched_cls",     "sched_act",
    "tracepoint",     "xdp",            "perf_event",     "cgroup_skb",    "cgroup_sock",
    "lwt_in",         "lwt_out",        "lwt_xmit",       "sock_ops",      "sk_skb",
    "cgroup_device",  "sk_msg",         "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
    "lirc_mode2",     "sk_reuseport",   "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable",
    "cgroup_sockopt", "tracing",        "struct_ops",     "ext",           "lsm",
    "sk_lookup",      "syscall",        "netfilter",
};

}  // namespace

const char* prog_type_name(ProgType type) {
    const auto i = static_cast<uint32_t>(type);
    return i < kProgTypeNames.size() ? kProgTypeNames[i] : "unknown";
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
    case ContextKind::Other: return "other";
    }
    return "none";
}

ContextKind context_kind_of(ProgType type) {
    switch (type) {
    case P::Unspec: return ContextKind::None;
    case P::Xdp: return ContextKind::Xdp;
    case P::SocketFilter:
    case P::SchedCls:
    case P::SchedAct:
    case P::CgroupSkb:
    case P::LwtIn:
    case P::LwtOut:
    case P::LwtXmit:
    case P::LwtSeg6local:
    case P::SkSkb:
    case P::FlowDissector: return ContextKind::SkBuff;
    case P::Kprobe: return ContextKind::PtRegs;
    case P::PerfEvent: return ContextKind::PerfEvent;
    case P::Tracepoint:
    case P::RawTracepoint:
    case P::RawTracepointWritable:
    case P::Tracing:
    case P::Lsm:
    case P::Ext:
    case P::StructOps:
    case P::Syscall: return ContextKind::RawMemory;
    case P::SkMsg: return ContextKind::SkMsg;
    case P::SockOps: return ContextKind::SockOps;
    case P::CgroupSock: return ContextKind::Sock;
    case P::CgroupSockAddr: return ContextKind::SockAddr;
    default: return ContextKind::Other;
    }
}

SectionProgramKind classify_section(std::string_view section) {
    SectionProgramKind kind;
    if (section.starts_with('?')) {
        kind.autoload = false;
        section.remove_prefix(1);
    }
    for (const SectionDef& def : kSectionDefs) {
        if (!matches(def.pattern, section)) continue;
        kind.known = true;
        kind.type = def.type;
        kind.context = context_kind_of(def.type);
        kind.sleepable = def.sleepable;
        kind.matched = def.pattern;
        if (const size_t slash = section.find('/'); slash != std::string_view::npos)
            kind.attach_target = section.substr(slash + 1);
        return kind;
    }
    return kind;
}

}  // namespace bpfplay
