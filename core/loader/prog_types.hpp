#pragma once
// Program types the way the kernel numbers them (enum bpf_prog_type) and the way libbpf derives
// them from an ELF section name (its section_defs[] table), plus the context each type's
// programs receive in r1.
#include <cstdint>
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
    Other,       // a type bpfplay knows by name but gives no dedicated context yet
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
    std::string_view matched;        // the section_defs[] entry, e.g. "kprobe+" or "xdp"
    std::string_view attach_target;  // the part after '/', e.g. "do_sys_openat2"; may be empty
};

// Matches `section` against the table the way libbpf's sec_def_matches does: "name" must match
// exactly, "name+" matches "name" or "name/<anything>", "name/" matches any "name/<anything>".
// The first entry that matches wins. A leading '?' is dropped and clears `autoload`.
SectionProgramKind classify_section(std::string_view section);

}  // namespace bpfplay
