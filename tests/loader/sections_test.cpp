// Section names -> program types (libbpf's section_defs[]) and the names libbpf gives
// internal maps.
#include <doctest/doctest.h>

#include "core/loader/object_state.hpp"
#include "core/loader/prog_types.hpp"

#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#define BPFPLAY_HAVE_UAPI 1
#endif

using namespace bpfplay;

namespace {

void check_section(const char* section, ProgType type, ContextKind context, const char* attach = "") {
    CAPTURE(section);
    const SectionProgramKind k = classify_section(section);
    CHECK(k.known);
    CHECK(k.type == type);
    CHECK(k.context == context);
    CHECK(k.attach_target == attach);
}

void check_unknown(const char* section) {
    CAPTURE(section);
    const SectionProgramKind k = classify_section(section);
    CHECK_FALSE(k.known);
    CHECK(k.type == ProgType::Unspec);
    CHECK(k.context == ContextKind::None);
}

}  // namespace

TEST_CASE("sections: networking program types") {
    check_section("xdp", ProgType::Xdp, ContextKind::Xdp);
    check_section("xdp.frags", ProgType::Xdp, ContextKind::Xdp);
    check_section("xdp/devmap", ProgType::Xdp, ContextKind::Xdp, "devmap");
    check_section("xdp.frags/cpumap", ProgType::Xdp, ContextKind::Xdp, "cpumap");
    check_section("tc", ProgType::SchedCls, ContextKind::SkBuff);
    check_section("tc/ingress", ProgType::SchedCls, ContextKind::SkBuff, "ingress");
    check_section("tcx/egress", ProgType::SchedCls, ContextKind::SkBuff, "egress");
    check_section("classifier", ProgType::SchedCls, ContextKind::SkBuff);
    check_section("action", ProgType::SchedAct, ContextKind::SkBuff);
    check_section("socket", ProgType::SocketFilter, ContextKind::SkBuff);
    check_section("cgroup_skb/ingress", ProgType::CgroupSkb, ContextKind::SkBuff, "ingress");
    check_section("cgroup_skb/egress", ProgType::CgroupSkb, ContextKind::SkBuff, "egress");
    check_section("cgroup/skb", ProgType::CgroupSkb, ContextKind::SkBuff, "skb");
    check_section("cgroup/connect4", ProgType::CgroupSockAddr, ContextKind::SockAddr, "connect4");
    check_section("cgroup/sock_create", ProgType::CgroupSock, ContextKind::Sock, "sock_create");
    check_section("sk_msg", ProgType::SkMsg, ContextKind::SkMsg);
    check_section("sk_skb", ProgType::SkSkb, ContextKind::SkBuff);
    check_section("sk_skb/stream_parser", ProgType::SkSkb, ContextKind::SkBuff, "stream_parser");
    check_section("sk_skb/stream_verdict", ProgType::SkSkb, ContextKind::SkBuff, "stream_verdict");
    check_section("sockops", ProgType::SockOps, ContextKind::SockOps);
    check_section("flow_dissector", ProgType::FlowDissector, ContextKind::SkBuff);
    check_section("lwt_xmit", ProgType::LwtXmit, ContextKind::SkBuff);
    check_section("sk_lookup", ProgType::SkLookup, ContextKind::SkLookup);
    check_section("netfilter", ProgType::Netfilter, ContextKind::Netfilter);
    // Exact names do not take a "/..." suffix in libbpf 1.x ("xdp/foo" is only a libbpf 0.x
    // prefix match, below); "tc" was never a prefix.
    CHECK(classify_section("xdp/foo").legacy);
    CHECK(classify_section("socket/raw").legacy);
    CHECK_FALSE(classify_section("xdp").legacy);
    CHECK_FALSE(classify_section("xdp/devmap").legacy);
    check_unknown("tcp");
    check_unknown("tc_ingress");
}

TEST_CASE("sections: libbpf 0.x prefix names load as libbpf 0.x loaded them") {
    // xdp-tutorial's SEC("xdp_vlan01"), SEC("xdp_pass"); old tc loaders' SEC("classifier_egress").
    const SectionProgramKind vlan = classify_section("xdp_vlan01");
    CHECK(vlan.known);
    CHECK(vlan.legacy);
    CHECK(vlan.type == ProgType::Xdp);
    CHECK(vlan.context == ContextKind::Xdp);
    CHECK(vlan.attach == AttachType::Xdp);
    CHECK(vlan.matched == "xdp");
    check_section("xdp_pass", ProgType::Xdp, ContextKind::Xdp);
    check_section("classifier_egress", ProgType::SchedCls, ContextKind::SkBuff);
    check_section("action_drop", ProgType::SchedAct, ContextKind::SkBuff);
    check_section("socket1", ProgType::SocketFilter, ContextKind::SkBuff);
    check_section("sockops_rtt", ProgType::SockOps, ContextKind::SockOps);
    check_section("sk_skb_parser", ProgType::SkSkb, ContextKind::SkBuff);
    // The deprecated devmap/cpumap names, with what libbpf 1.x wants instead.
    const SectionProgramKind devmap = classify_section("xdp_devmap/redirect");
    CHECK(devmap.legacy);
    CHECK(devmap.type == ProgType::Xdp);
    CHECK(devmap.attach == AttachType::XdpDevmap);
    CHECK(devmap.matched == "xdp/devmap");
    CHECK(devmap.attach_target == "redirect");
    CHECK(classify_section("xdp_cpumap/x").attach == AttachType::XdpCpumap);
    // Entries that were exact in libbpf 0.x too stay unknown with any suffix.
    check_unknown("syscall_foo");
    check_unknown("kprobes/x");
    check_unknown("perfevent");
}

TEST_CASE("sections: tracing program types") {
    check_section("kprobe/do_sys_openat2", ProgType::Kprobe, ContextKind::PtRegs, "do_sys_openat2");
    check_section("kprobe", ProgType::Kprobe, ContextKind::PtRegs);  // "kprobe+": bare name too
    check_section("kretprobe/tcp_sendmsg", ProgType::Kprobe, ContextKind::PtRegs, "tcp_sendmsg");
    check_section("uprobe//bin/bash:readline", ProgType::Kprobe, ContextKind::PtRegs, "/bin/bash:readline");
    check_section("uretprobe", ProgType::Kprobe, ContextKind::PtRegs);
    check_section("ksyscall/openat", ProgType::Kprobe, ContextKind::PtRegs, "openat");
    check_section("usdt/./app:provider:probe", ProgType::Kprobe, ContextKind::PtRegs, "./app:provider:probe");
    check_section("tracepoint/syscalls/sys_enter_openat", ProgType::Tracepoint, ContextKind::RawMemory,
                  "syscalls/sys_enter_openat");
    check_section("tp/sched/sched_switch", ProgType::Tracepoint, ContextKind::RawMemory, "sched/sched_switch");
    check_section("raw_tracepoint/sched_switch", ProgType::RawTracepoint, ContextKind::RawMemory, "sched_switch");
    check_section("raw_tp/sys_enter", ProgType::RawTracepoint, ContextKind::RawMemory, "sys_enter");
    check_section("raw_tp.w/bpf_test_finish", ProgType::RawTracepointWritable, ContextKind::RawMemory,
                  "bpf_test_finish");
    check_section("tp_btf/sched_switch", ProgType::Tracing, ContextKind::RawMemory, "sched_switch");
    check_section("fentry/do_unlinkat", ProgType::Tracing, ContextKind::RawMemory, "do_unlinkat");
    check_section("fexit/do_unlinkat", ProgType::Tracing, ContextKind::RawMemory, "do_unlinkat");
    check_section("fmod_ret/security_file_open", ProgType::Tracing, ContextKind::RawMemory, "security_file_open");
    check_section("lsm/file_open", ProgType::Lsm, ContextKind::RawMemory, "file_open");
    check_section("iter/task", ProgType::Tracing, ContextKind::RawMemory, "task");
    check_section("perf_event", ProgType::PerfEvent, ContextKind::PerfEvent);
    check_section("syscall", ProgType::Syscall, ContextKind::RawMemory);
    check_unknown("kprobes/x");  // "kprobe+" needs a '/' right after the name
    check_unknown("tracing");    // not a libbpf section name
    check_unknown("");
    CHECK(classify_section("fentry.s/x").sleepable);
    CHECK(classify_section("lsm.s/bprm_check_security").sleepable);
    CHECK_FALSE(classify_section("fentry/x").sleepable);
}

TEST_CASE("sections: SEC(\"?name\") is the same program, not loaded by default") {
    const SectionProgramKind k = classify_section("?xdp");
    CHECK(k.known);
    CHECK(k.type == ProgType::Xdp);
    CHECK_FALSE(k.autoload);
    CHECK(classify_section("xdp").autoload);
    CHECK(classify_section("?kprobe/x").attach_target == "x");
}

TEST_CASE("sections: program type names and numbers") {
    CHECK(std::string(prog_type_name(ProgType::Xdp)) == "xdp");
    CHECK(std::string(prog_type_name(ProgType::SchedCls)) == "sched_cls");
    CHECK(std::string(prog_type_name(ProgType::SocketFilter)) == "socket_filter");
    CHECK(std::string(prog_type_name(ProgType::Kprobe)) == "kprobe");
    CHECK(std::string(prog_type_name(ProgType::RawTracepointWritable)) == "raw_tracepoint_writable");
    CHECK(std::string(prog_type_name(ProgType::Netfilter)) == "netfilter");
    CHECK(std::string(prog_type_name(static_cast<ProgType>(999))) == "unknown");
    CHECK(std::string(context_kind_name(ContextKind::Xdp)) == "xdp_md");
    CHECK(std::string(context_kind_name(ContextKind::SkBuff)) == "__sk_buff");
    CHECK(std::string(context_kind_name(ContextKind::PtRegs)) == "pt_regs");
#ifdef BPFPLAY_HAVE_UAPI
    CHECK(uint32_t(ProgType::SocketFilter) == BPF_PROG_TYPE_SOCKET_FILTER);
    CHECK(uint32_t(ProgType::Kprobe) == BPF_PROG_TYPE_KPROBE);
    CHECK(uint32_t(ProgType::SchedCls) == BPF_PROG_TYPE_SCHED_CLS);
    CHECK(uint32_t(ProgType::Xdp) == BPF_PROG_TYPE_XDP);
    CHECK(uint32_t(ProgType::CgroupSockAddr) == BPF_PROG_TYPE_CGROUP_SOCK_ADDR);
    CHECK(uint32_t(ProgType::Tracing) == BPF_PROG_TYPE_TRACING);
    CHECK(uint32_t(ProgType::Lsm) == BPF_PROG_TYPE_LSM);
    CHECK(uint32_t(ProgType::SkLookup) == BPF_PROG_TYPE_SK_LOOKUP);
#endif
}

TEST_CASE("internal map names follow libbpf's internal_map_name") {
    using loader::internal_map_name;
    CHECK(internal_map_name("global_vars", ".data") == "global_v.data");
    CHECK(internal_map_name("global_vars", ".rodata") == "global_v.rodata");
    CHECK(internal_map_name("global_vars", ".bss") == "global_v.bss");  // 7 characters kept for ".bss" too
    CHECK(internal_map_name("my_object_name", ".kconfig") == "my_obje.kconfig");
    CHECK(internal_map_name("xdp", ".bss") == "xdp.bss");
    CHECK(internal_map_name("", ".rodata") == ".rodata");
    // A second dot: a custom section, named as is (at most 15 characters).
    CHECK(internal_map_name("global_vars", ".rodata.str1.1") == ".rodata.str1.1");
    CHECK(internal_map_name("global_vars", ".data.counters") == ".data.counters");
    CHECK(internal_map_name("x", ".rodata.abracadabra") == ".rodata.abracad");
    // Only letters, digits, '_' and '.' survive.
    CHECK(internal_map_name("my-prog", ".data") == "my_prog.data");

    using loader::object_name_from;
    CHECK(object_name_from("global_vars.o") == "global_vars");
    CHECK(object_name_from("public/examples/xdp_tail_call.o") == "xdp_tail_call");
    CHECK(object_name_from("minimal.bpf.o") == "minimal");
    CHECK(object_name_from("averyveryverylongname.o") == "averyveryverylo");
    CHECK(object_name_from("") == "");
}
