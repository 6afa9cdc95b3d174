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
    AttachType attach;  // libbpf's expected_attach_type for the entry (0 when it sets none)
    bool sleepable = false;
};

using P = ProgType;
using A = AttachType;
// Entries that set no expected_attach_type: the kernel sees 0.
constexpr AttachType kNone = AttachType(0);

constexpr std::array kSectionDefs = {
    SectionDef{"socket", P::SocketFilter, kNone, false},
    SectionDef{"sk_reuseport/migrate", P::SkReuseport, A::SkReuseportSelectOrMigrate, false},
    SectionDef{"sk_reuseport", P::SkReuseport, A::SkReuseportSelect, false},
    SectionDef{"kprobe+", P::Kprobe, kNone, false},
    SectionDef{"uprobe+", P::Kprobe, kNone, false},
    SectionDef{"uprobe.s+", P::Kprobe, kNone, true},
    SectionDef{"kretprobe+", P::Kprobe, kNone, false},
    SectionDef{"uretprobe+", P::Kprobe, kNone, false},
    SectionDef{"uretprobe.s+", P::Kprobe, kNone, true},
    SectionDef{"kprobe.multi+", P::Kprobe, A::TraceKprobeMulti, false},
    SectionDef{"kretprobe.multi+", P::Kprobe, A::TraceKprobeMulti, false},
    SectionDef{"uprobe.multi+", P::Kprobe, A::TraceUprobeMulti, false},
    SectionDef{"uretprobe.multi+", P::Kprobe, A::TraceUprobeMulti, false},
    SectionDef{"uprobe.multi.s+", P::Kprobe, A::TraceUprobeMulti, true},
    SectionDef{"uretprobe.multi.s+", P::Kprobe, A::TraceUprobeMulti, true},
    SectionDef{"ksyscall+", P::Kprobe, kNone, false},
    SectionDef{"kretsyscall+", P::Kprobe, kNone, false},
    SectionDef{"usdt+", P::Kprobe, kNone, false},
    SectionDef{"usdt.s+", P::Kprobe, kNone, true},
    SectionDef{"tc/ingress", P::SchedCls, A::TcxIngress, false},
    SectionDef{"tc/egress", P::SchedCls, A::TcxEgress, false},
    SectionDef{"tcx/ingress", P::SchedCls, A::TcxIngress, false},
    SectionDef{"tcx/egress", P::SchedCls, A::TcxEgress, false},
    SectionDef{"tc", P::SchedCls, kNone, false},
    SectionDef{"classifier", P::SchedCls, kNone, false},
    SectionDef{"action", P::SchedAct, kNone, false},
    SectionDef{"netkit/primary", P::SchedCls, A::NetkitPrimary, false},
    SectionDef{"netkit/peer", P::SchedCls, A::NetkitPeer, false},
    SectionDef{"tracepoint+", P::Tracepoint, kNone, false},
    SectionDef{"tp+", P::Tracepoint, kNone, false},
    SectionDef{"raw_tracepoint+", P::RawTracepoint, kNone, false},
    SectionDef{"raw_tp+", P::RawTracepoint, kNone, false},
    SectionDef{"raw_tracepoint.w+", P::RawTracepointWritable, kNone, false},
    SectionDef{"raw_tp.w+", P::RawTracepointWritable, kNone, false},
    SectionDef{"tp_btf+", P::Tracing, A::TraceRawTp, false},
    SectionDef{"fentry+", P::Tracing, A::TraceFentry, false},
    SectionDef{"fmod_ret+", P::Tracing, A::ModifyReturn, false},
    SectionDef{"fexit+", P::Tracing, A::TraceFexit, false},
    SectionDef{"fentry.s+", P::Tracing, A::TraceFentry, true},
    SectionDef{"fmod_ret.s+", P::Tracing, A::ModifyReturn, true},
    SectionDef{"fexit.s+", P::Tracing, A::TraceFexit, true},
    SectionDef{"freplace+", P::Ext, kNone, false},
    SectionDef{"lsm+", P::Lsm, A::LsmMac, false},
    SectionDef{"lsm.s+", P::Lsm, A::LsmMac, true},
    SectionDef{"lsm_cgroup+", P::Lsm, A::LsmCgroup, false},
    SectionDef{"iter+", P::Tracing, A::TraceIter, false},
    SectionDef{"iter.s+", P::Tracing, A::TraceIter, true},
    SectionDef{"syscall", P::Syscall, kNone, true},
    SectionDef{"xdp.frags/devmap", P::Xdp, A::XdpDevmap, false},
    SectionDef{"xdp/devmap", P::Xdp, A::XdpDevmap, false},
    SectionDef{"xdp.frags/cpumap", P::Xdp, A::XdpCpumap, false},
    SectionDef{"xdp/cpumap", P::Xdp, A::XdpCpumap, false},
    SectionDef{"xdp.frags", P::Xdp, A::Xdp, false},
    SectionDef{"xdp", P::Xdp, A::Xdp, false},
    SectionDef{"perf_event", P::PerfEvent, kNone, false},
    SectionDef{"lwt_in", P::LwtIn, kNone, false},
    SectionDef{"lwt_out", P::LwtOut, kNone, false},
    SectionDef{"lwt_xmit", P::LwtXmit, kNone, false},
    SectionDef{"lwt_seg6local", P::LwtSeg6local, kNone, false},
    SectionDef{"sockops", P::SockOps, A::CgroupSockOps, false},
    SectionDef{"sk_skb/stream_parser", P::SkSkb, A::SkSkbStreamParser, false},
    SectionDef{"sk_skb/stream_verdict", P::SkSkb, A::SkSkbStreamVerdict, false},
    SectionDef{"sk_skb/verdict", P::SkSkb, A::SkSkbVerdict, false},
    SectionDef{"sk_skb", P::SkSkb, kNone, false},
    SectionDef{"sk_msg", P::SkMsg, A::SkMsgVerdict, false},
    SectionDef{"lirc_mode2", P::LircMode2, A::LircMode2, false},
    SectionDef{"flow_dissector", P::FlowDissector, A::FlowDissector, false},
    SectionDef{"cgroup_skb/ingress", P::CgroupSkb, A::CgroupInetIngress, false},
    SectionDef{"cgroup_skb/egress", P::CgroupSkb, A::CgroupInetEgress, false},
    SectionDef{"cgroup/skb", P::CgroupSkb, kNone, false},
    SectionDef{"cgroup/sock_create", P::CgroupSock, A::CgroupInetSockCreate, false},
    SectionDef{"cgroup/sock_release", P::CgroupSock, A::CgroupInetSockRelease, false},
    SectionDef{"cgroup/sock", P::CgroupSock, A::CgroupInetSockCreate, false},
    SectionDef{"cgroup/post_bind4", P::CgroupSock, A::CgroupInet4PostBind, false},
    SectionDef{"cgroup/post_bind6", P::CgroupSock, A::CgroupInet6PostBind, false},
    SectionDef{"cgroup/bind4", P::CgroupSockAddr, A::CgroupInet4Bind, false},
    SectionDef{"cgroup/bind6", P::CgroupSockAddr, A::CgroupInet6Bind, false},
    SectionDef{"cgroup/connect4", P::CgroupSockAddr, A::CgroupInet4Connect, false},
    SectionDef{"cgroup/connect6", P::CgroupSockAddr, A::CgroupInet6Connect, false},
    SectionDef{"cgroup/connect_unix", P::CgroupSockAddr, A::CgroupUnixConnect, false},
    SectionDef{"cgroup/sendmsg4", P::CgroupSockAddr, A::CgroupUdp4Sendmsg, false},
    SectionDef{"cgroup/sendmsg6", P::CgroupSockAddr, A::CgroupUdp6Sendmsg, false},
    SectionDef{"cgroup/sendmsg_unix", P::CgroupSockAddr, A::CgroupUnixSendmsg, false},
    SectionDef{"cgroup/recvmsg4", P::CgroupSockAddr, A::CgroupUdp4Recvmsg, false},
    SectionDef{"cgroup/recvmsg6", P::CgroupSockAddr, A::CgroupUdp6Recvmsg, false},
    SectionDef{"cgroup/recvmsg_unix", P::CgroupSockAddr, A::CgroupUnixRecvmsg, false},
    SectionDef{"cgroup/getpeername4", P::CgroupSockAddr, A::CgroupInet4Getpeername, false},
    SectionDef{"cgroup/getpeername6", P::CgroupSockAddr, A::CgroupInet6Getpeername, false},
    SectionDef{"cgroup/getpeername_unix", P::CgroupSockAddr, A::CgroupUnixGetpeername, false},
    SectionDef{"cgroup/getsockname4", P::CgroupSockAddr, A::CgroupInet4Getsockname, false},
    SectionDef{"cgroup/getsockname6", P::CgroupSockAddr, A::CgroupInet6Getsockname, false},
    SectionDef{"cgroup/getsockname_unix", P::CgroupSockAddr, A::CgroupUnixGetsockname, false},
    SectionDef{"cgroup/sysctl", P::CgroupSysctl, A::CgroupSysctl, false},
    SectionDef{"cgroup/getsockopt", P::CgroupSockopt, A::CgroupGetsockopt, false},
    SectionDef{"cgroup/setsockopt", P::CgroupSockopt, A::CgroupSetsockopt, false},
    SectionDef{"cgroup/dev", P::CgroupDevice, A::CgroupDevice, false},
    SectionDef{"struct_ops+", P::StructOps, kNone, false},
    SectionDef{"struct_ops.s+", P::StructOps, kNone, true},
    SectionDef{"sk_lookup", P::SkLookup, A::SkLookup, false},
    SectionDef{"netfilter", P::Netfilter, A::Netfilter, false},
};

// Section names libbpf 0.x also accepted, tried only when no entry above matches: its
// SEC_SLOPPY_PFX entries matched as plain prefixes ("xdp_vlan01" was xdp, "classifier_tc" was
// sched_cls), and three names 1.x renamed. Objects written for it, such as xdp-tutorial's, still
// use them. In libbpf 0.8's order; each names the entry above that gives its type and attach type.
struct LegacyName {
    std::string_view prefix;
    std::string_view entry = {};  // the kSectionDefs pattern, when not `prefix` itself
};
constexpr std::array kLegacyNames = {
    LegacyName{"socket"}, LegacyName{"sk_reuseport/migrate"}, LegacyName{"sk_reuseport"},
    LegacyName{"classifier"}, LegacyName{"action"},
    LegacyName{"xdp_devmap/", "xdp/devmap"}, LegacyName{"xdp_cpumap/", "xdp/cpumap"}, LegacyName{"xdp"},
    LegacyName{"perf_event"}, LegacyName{"lwt_in"}, LegacyName{"lwt_out"}, LegacyName{"lwt_xmit"},
    LegacyName{"lwt_seg6local"}, LegacyName{"cgroup_skb/ingress"}, LegacyName{"cgroup_skb/egress"},
    LegacyName{"cgroup/skb"}, LegacyName{"cgroup/sock_create"}, LegacyName{"cgroup/sock_release"},
    LegacyName{"cgroup/sock"}, LegacyName{"cgroup/post_bind4"}, LegacyName{"cgroup/post_bind6"},
    LegacyName{"cgroup/dev"}, LegacyName{"sockops"}, LegacyName{"sk_skb/stream_parser"},
    LegacyName{"sk_skb/stream_verdict"}, LegacyName{"sk_skb/skb_verdict", "sk_skb/verdict"},
    LegacyName{"sk_skb"}, LegacyName{"sk_msg"}, LegacyName{"lirc_mode2"}, LegacyName{"flow_dissector"},
    LegacyName{"cgroup/bind4"}, LegacyName{"cgroup/bind6"}, LegacyName{"cgroup/connect4"},
    LegacyName{"cgroup/connect6"}, LegacyName{"cgroup/sendmsg4"}, LegacyName{"cgroup/sendmsg6"},
    LegacyName{"cgroup/recvmsg4"}, LegacyName{"cgroup/recvmsg6"}, LegacyName{"cgroup/getpeername4"},
    LegacyName{"cgroup/getpeername6"}, LegacyName{"cgroup/getsockname4"}, LegacyName{"cgroup/getsockname6"},
    LegacyName{"cgroup/sysctl"}, LegacyName{"cgroup/getsockopt"}, LegacyName{"cgroup/setsockopt"},
    LegacyName{"sk_lookup"},
};

constexpr const SectionDef* find_def(std::string_view pattern) {
    for (const SectionDef& def : kSectionDefs)
        if (def.pattern == pattern) return &def;
    return nullptr;
}

// Every legacy name resolves to an entry of kSectionDefs.
static_assert([] {
    for (const LegacyName& n : kLegacyNames)
        if (!find_def(n.entry.empty() ? n.prefix : n.entry)) return false;
    return true;
}());

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

}  // namespace

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
    case P::CgroupSysctl: return ContextKind::Sysctl;
    case P::CgroupSockopt: return ContextKind::Sockopt;
    case P::CgroupDevice: return ContextKind::CgroupDev;
    case P::SkReuseport: return ContextKind::SkReuseport;
    case P::LircMode2: return ContextKind::LircMode2;
    case P::SkLookup: return ContextKind::SkLookup;
    case P::Netfilter: return ContextKind::Netfilter;
    }
    return ContextKind::Other;  // a number past the enumeration (an unknown type)
}

SectionProgramKind classify_section(std::string_view section) {
    SectionProgramKind kind;
    if (section.starts_with('?')) {
        kind.autoload = false;
        section.remove_prefix(1);
    }
    auto take = [&](const SectionDef& def) {
        kind.known = true;
        kind.type = def.type;
        kind.context = context_kind_of(def.type);
        kind.sleepable = def.sleepable;
        kind.attach = def.attach;
        kind.matched = def.pattern;
        if (const size_t slash = section.find('/'); slash != std::string_view::npos)
            kind.attach_target = section.substr(slash + 1);
    };
    for (const SectionDef& def : kSectionDefs) {
        if (!matches(def.pattern, section)) continue;
        take(def);
        return kind;
    }
    for (const LegacyName& n : kLegacyNames) {
        if (!section.starts_with(n.prefix)) continue;
        take(*find_def(n.entry.empty() ? n.prefix : n.entry));
        kind.legacy = true;
        return kind;
    }
    return kind;
}

}  // namespace bpfplay
