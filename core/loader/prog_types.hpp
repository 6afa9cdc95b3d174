#pragma once
// Program types the way the kernel numbers them (enum bpf_prog_type) and the way libbpf derives
// them from an ELF section name (its section_defs[] table), plus the context each type's
// programs receive in r1.
#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfplay {

// enum bpf_prog_type, with the kernel's numbers.
enum class ProgType : uint32_t {
    Unspec = 0,
    SocketFilter = 1,
    Kprobe = 2,
    SchedCls = 3,
    SchedAct = 4,
    Tracepoint = 5,
    Xdp = 6,
    PerfEvent = 7,
    CgroupSkb = 8,
    CgroupSock = 9,
    LwtIn = 10,
    LwtOut = 11,
    LwtXmit = 12,
    SockOps = 13,
    SkSkb = 14,
    CgroupDevice = 15,
    SkMsg = 16,
    RawTracepoint = 17,
    CgroupSockAddr = 18,
    LwtSeg6local = 19,
    LircMode2 = 20,
    SkReuseport = 21,
    FlowDissector = 22,
    CgroupSysctl = 23,
    RawTracepointWritable = 24,
    CgroupSockopt = 25,
    Tracing = 26,
    StructOps = 27,
    Ext = 28,
    Lsm = 29,
    SkLookup = 30,
    Syscall = 31,
    Netfilter = 32,
};

// libbpf's / bpftool's name: "xdp", "sched_cls", "kprobe"...; "unknown" past the last type.
const char* prog_type_name(ProgType type);
// The type named `name` ("xdp", "sched_cls": prog_type_name's names), or nullopt.
std::optional<ProgType> prog_type_from_name(std::string_view name);
constexpr uint32_t kProgTypeCount = 33;  // Unspec .. Netfilter

// enum bpf_attach_type, with the kernel's numbers (Linux 6.18; the 6.1 uapi header stops at
// LsmCgroup). libbpf sets a program's expected attach type from its section name, and some
// program types' helper sets depend on it (bpf_bind only in cgroup/connect*, bpf_seq_printf only
// in iterators).
enum class AttachType : uint32_t {
    CgroupInetIngress = 0,
    CgroupInetEgress = 1,
    CgroupInetSockCreate = 2,
    CgroupSockOps = 3,
    SkSkbStreamParser = 4,
    SkSkbStreamVerdict = 5,
    CgroupDevice = 6,
    SkMsgVerdict = 7,
    CgroupInet4Bind = 8,
    CgroupInet6Bind = 9,
    CgroupInet4Connect = 10,
    CgroupInet6Connect = 11,
    CgroupInet4PostBind = 12,
    CgroupInet6PostBind = 13,
    CgroupUdp4Sendmsg = 14,
    CgroupUdp6Sendmsg = 15,
    LircMode2 = 16,
    FlowDissector = 17,
    CgroupSysctl = 18,
    CgroupUdp4Recvmsg = 19,
    CgroupUdp6Recvmsg = 20,
    CgroupGetsockopt = 21,
    CgroupSetsockopt = 22,
    TraceRawTp = 23,
    TraceFentry = 24,
    TraceFexit = 25,
    ModifyReturn = 26,
    LsmMac = 27,
    TraceIter = 28,
    CgroupInet4Getpeername = 29,
    CgroupInet6Getpeername = 30,
    CgroupInet4Getsockname = 31,
    CgroupInet6Getsockname = 32,
    XdpDevmap = 33,
    CgroupInetSockRelease = 34,
    XdpCpumap = 35,
    SkLookup = 36,
    Xdp = 37,
    SkSkbVerdict = 38,
    SkReuseportSelect = 39,
    SkReuseportSelectOrMigrate = 40,
    PerfEvent = 41,
    TraceKprobeMulti = 42,
    LsmCgroup = 43,
    StructOps = 44,
    Netfilter = 45,
    TcxIngress = 46,
    TcxEgress = 47,
    TraceUprobeMulti = 48,
    CgroupUnixConnect = 49,
    CgroupUnixSendmsg = 50,
    CgroupUnixRecvmsg = 51,
    CgroupUnixGetpeername = 52,
    CgroupUnixGetsockname = 53,
    NetkitPrimary = 54,
    NetkitPeer = 55,
    TraceKprobeSession = 56,
    TraceUprobeSession = 57,
};
// The kernel's name without its prefix, lower case: "cgroup_inet4_connect", "trace_fentry".
const char* attach_type_name(AttachType type);

// What r1 points at when a program of a type starts.
enum class ContextKind : uint8_t {
    None,        // unknown program type: no context is defined
    Xdp,         // struct xdp_md
    SkBuff,      // struct __sk_buff (socket filters, tc, cgroup_skb, lwt, sk_skb, flow dissector)
    PtRegs,      // struct pt_regs (kprobes and uprobes)
    PerfEvent,   // struct bpf_perf_event_data
    RawMemory,   // bytes the kernel lays out per attach point (tracepoints, raw/BTF tracing, syscall)
    SkMsg,       // struct sk_msg_md
    SockOps,     // struct bpf_sock_ops
    Sock,        // struct bpf_sock (cgroup/sock*)
    SockAddr,    // struct bpf_sock_addr (cgroup/connect4 ...)
    Sysctl,      // struct bpf_sysctl (cgroup/sysctl)
    Sockopt,     // struct bpf_sockopt (cgroup/getsockopt, cgroup/setsockopt)
    CgroupDev,   // struct bpf_cgroup_dev_ctx (cgroup/dev)
    SkReuseport, // struct sk_reuseport_md (sk_reuseport, sk_reuseport/migrate)
    LircMode2,   // the u32 LIRC_MODE2 sample an IR decoder gets (lirc_mode2)
    SkLookup,    // struct bpf_sk_lookup (sk_lookup)
    Netfilter,   // struct bpf_nf_ctx: the hook state and the sk_buff (netfilter)
    Other,       // a type number past the enumeration: no context is known for it
};

const char* context_kind_name(ContextKind kind);  // "xdp_md", "__sk_buff", "pt_regs", ...
ContextKind context_kind_of(ProgType type);

// What libbpf's section_defs[] says about a section name.
struct SectionProgramKind {
    bool known = false;              // false: no section_defs[] entry matched (type Unspec)
    ProgType type = ProgType::Unspec;
    ContextKind context = ContextKind::None;
    bool autoload = true;            // false for SEC("?name"): libbpf does not load it by default
    bool sleepable = false;          // ".s" variants (fentry.s/, lsm.s/, uprobe.s ...)
    // The expected attach type libbpf loads the program with (0, CgroupInetIngress, when its
    // section_defs[] entry sets none, as the kernel then sees it).
    AttachType attach = AttachType::CgroupInetIngress;
    // Matched only as libbpf 0.x matched it (a prefix of a SEC_SLOPPY_PFX entry, e.g.
    // "xdp_vlan01"): libbpf 1.0 and later leave such a program's type unset.
    bool legacy = false;
    // The section_defs[] entry, e.g. "kprobe+" or "xdp"; for a legacy match, the name libbpf
    // 1.x needs instead ("xdp", "xdp/devmap").
    std::string_view matched;
    std::string_view attach_target;  // the part after '/', e.g. "do_sys_openat2"; may be empty
};

// Matches `section` against the table the way libbpf's sec_def_matches does: "name" must match
// exactly, "name+" matches "name" or "name/<anything>", "name/" matches any "name/<anything>".
// The first entry that matches wins; a name no entry matches is tried against libbpf 0.x's
// prefix rules (`legacy`). A leading '?' is dropped and clears `autoload`.
SectionProgramKind classify_section(std::string_view section);

}  // namespace bpfplay
