// The context of fentry / fexit / fmod_ret / lsm / tp_btf / raw_tp programs by argument name
// (core/run/btf_args_context.hpp): the slots from the built-in 6.18 BTF's prototypes, the
// defaults pointing at the emulated kernel's objects, arguments set by name, and
// tests/run/bpf/btf_args.o reading them with BPF_PROG and CO-RE. The kernel cannot test-run
// these program types on chosen arguments; the layouts are its btf_ctx_access ones (ctx[i] the
// i-th argument, ctx[nr_args] fexit's return value) and the values the emulated host's.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/btf/builtin_target_btf.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "core/run/object_session.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {
namespace {

using test::open_object;

LoadedProgram attached(ProgType type, AttachType attach, std::string target) {
    LoadedProgram p;
    p.name = "p";
    p.type = type;
    p.attach = attach;
    p.attach_target = std::move(target);
    return p;
}

// A kprobe program as the loader makes one of SEC(section): "kprobe/do_unlinkat".
LoadedProgram kprobe(std::string section, AttachType attach = AttachType(0)) {
    LoadedProgram p = attached(ProgType::Kprobe, attach, section.substr(section.find('/') + 1));
    p.section = std::move(section);
    return p;
}

// "name type @offset" per slot, "ret" marked.
std::vector<std::string> slots(const LoadedProgram& p) {
    auto layout = btf_args_layout(p);
    REQUIRE_MESSAGE(layout.ok(), (layout.ok() ? "" : layout.error().to_string()));
    std::vector<std::string> out;
    for (const BtfArgSlot& s : layout->slots)
        out.push_back(s.name + " " + s.type + " @" + std::to_string(s.offset) + (s.is_return ? " ret" : ""));
    return out;
}

using V = std::vector<std::string>;

RunResult run(ObjectSession& s, const char* program, std::vector<std::pair<std::string, uint64_t>> args = {},
              std::vector<uint8_t> ctx = {}) {
    RunInput in;
    in.args = std::move(args);
    in.ctx = std::move(ctx);
    return s.run(program, in);
}

uint64_t exited(const RunResult& r) {
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r.r0;
}

}  // namespace

TEST_CASE("btf args: each attach type's slots come from the 6.18 prototype, fexit/lsm/fmod_ret add ret") {
    using P = ProgType;
    using A = AttachType;
    CHECK(slots(attached(P::Tracing, A::TraceFentry, "do_unlinkat")) ==
          V{"dfd int @0", "name struct filename * @8"});
    CHECK(slots(attached(P::Tracing, A::TraceFexit, "vfs_read")) ==
          V{"file struct file * @0", "buf char * @8", "count size_t @16", "pos loff_t * @24", "ret ssize_t @32 ret"});
    CHECK(slots(attached(P::Tracing, A::ModifyReturn, "do_unlinkat")) ==
          V{"dfd int @0", "name struct filename * @8", "ret int @16 ret"});
    // tp_btf: btf_trace_sched_switch's void *__data is not in the context; the names are
    // __bpf_trace_sched_switch's.
    CHECK(slots(attached(P::Tracing, A::TraceRawTp, "sched_switch")) ==
          V{"preempt bool @0", "prev struct task_struct * @8", "next struct task_struct * @16",
            "prev_state unsigned int @24"});
    // A DEFINE_EVENT of sched_wakeup_template: the class's function names the parameter.
    CHECK(slots(attached(P::Tracing, A::TraceRawTp, "sched_wakeup_new")) == V{"p struct task_struct * @0"});
    CHECK(slots(attached(P::Tracing, A::TraceRawTp, "block_rq_complete")) ==
          V{"rq struct request * @0", "error blk_status_t @8", "nr_bytes unsigned int @16"});
    // raw_tp: the same slots (struct bpf_raw_tracepoint_args' u64 args[]).
    CHECK(slots(attached(P::RawTracepoint, A(0), "sched_switch")) ==
          slots(attached(P::Tracing, A::TraceRawTp, "sched_switch")));
    // lsm/<hook> attaches to bpf_lsm_<hook>; an int hook's return value follows, a void one's too.
    CHECK(slots(attached(P::Lsm, A::LsmMac, "file_open")) == V{"file struct file * @0", "ret int @8 ret"});
    CHECK(slots(attached(P::Lsm, A::LsmMac, "bprm_committing_creds")) ==
          V{"bprm const struct linux_binprm * @0", "ret void @8 ret"});
    CHECK(slots(attached(P::Lsm, A::LsmMac, "socket_connect")) ==
          V{"sock struct socket * @0", "address struct sockaddr * @8", "addrlen int @16", "ret int @24 ret"});

    auto missing = btf_args_layout(attached(P::Tracing, A::TraceFentry, "no_such_function"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().what == "the emulated kernel's BTF has no prototype for function \"no_such_function\", so "
                                  "the context's arguments have no names");
    CHECK_FALSE(has_btf_args(attached(P::Kprobe, A(0), "do_unlinkat")));
    CHECK_FALSE(has_btf_args(attached(P::Tracing, A::TraceIter, "task")));
}

TEST_CASE("btf args: defaults point at the emulated kernel's objects, other pointers NULL, scalars 0") {
    Host host;
    const KernelObjectAddresses k = kernel_object_addresses(host);
    CHECK(k.task == current_task_address());
    auto bytes = btf_args_bytes(*btf_args_layout(attached(ProgType::Tracing, AttachType::TraceFexit, "vfs_read")), k,
                                host, {}, {});
    REQUIRE(bytes.ok());
    REQUIRE(bytes->size() == 40);
    CHECK(load_le<uint64_t>(&(*bytes)[0]) == k.exe_file);  // struct file *: the current task's executable
    CHECK(k.exe_file != 0);
    for (uint32_t off : {8u, 16u, 24u, 32u}) CHECK(load_le<uint64_t>(&(*bytes)[off]) == 0);

    // The objects themselves, read back as a program would: the struct filename's name, the
    // linux_binprm's filename and file.
    const std::vector<uint8_t> mem = build_kernel_objects(host);
    auto at = [&](uint64_t addr) { return mem.data() + (addr - current_task_address()); };
    KernelObjectWriter layout(builtin_target_btf(), 0);
    const uint64_t f = layout.allocate("filename"), b = layout.allocate("linux_binprm");
    const uint64_t name_ptr = load_le<uint64_t>(at(k.filename + *layout.field_address(f, "filename", "name") - f));
    CHECK(std::string(reinterpret_cast<const char*>(at(name_ptr))) == "/tmp/test_file");
    const uint64_t exe_ptr = load_le<uint64_t>(at(k.bprm + *layout.field_address(b, "linux_binprm", "filename") - b));
    CHECK(std::string(reinterpret_cast<const char*>(at(exe_ptr))) == "/usr/bin/bpfplay-demo");
    CHECK(load_le<uint64_t>(at(k.bprm + *layout.field_address(b, "linux_binprm", "file") - b)) == k.exe_file);

    const BtfArgsLayout sw = *btf_args_layout(attached(ProgType::Tracing, AttachType::TraceRawTp, "sched_switch"));
    auto sw_bytes = btf_args_bytes(sw, k, host, {}, {{"preempt", 1}, {"prev_state", 0x402}});
    REQUIRE(sw_bytes.ok());
    CHECK(load_le<uint64_t>(&(*sw_bytes)[0]) == 1);
    CHECK(load_le<uint64_t>(&(*sw_bytes)[8]) == k.task);
    CHECK(load_le<uint64_t>(&(*sw_bytes)[16]) == k.task);
    CHECK(load_le<uint64_t>(&(*sw_bytes)[24]) == 0x402);
    CHECK(btf_arg_value_text(sw.slots[1], k.task) == "0x400000000");
    CHECK(btf_arg_value_text(sw.slots[3], 0x402) == "1026");

    // struct sock *: the first host socket's kernel object, when the host has one.
    const BtfArgsLayout tcp = *btf_args_layout(attached(ProgType::Tracing, AttachType::TraceFentry, "tcp_close"));
    CHECK(btf_arg_default(tcp.slots[0], k, host) ==
          (host.net.sockets.empty() ? 0 : socket_object_address(0, uint32_t(host.net.sockets.size()))));
    // const struct linux_binprm *: the current task's exec; struct path *: its executable's f_path.
    const BtfArgsLayout bprm = *btf_args_layout(attached(ProgType::Lsm, AttachType::LsmMac, "bprm_check_security"));
    CHECK(btf_arg_default(bprm.slots[0], k, host) == k.bprm);
    const BtfArgsLayout chmod = *btf_args_layout(attached(ProgType::Lsm, AttachType::LsmMac, "path_chmod"));
    CHECK(chmod.slots[0].type == "const struct path *");
    CHECK(btf_arg_default(chmod.slots[0], k, host) == k.exe_path);
    CHECK(k.exe_path == k.exe_file + *layout.field_address(0, "file", "f_path"));
    Host none = host;
    none.net.sockets.clear();
    CHECK(btf_arg_default(tcp.slots[0], k, none) == 0);

    auto bad = btf_args_bytes(sw, k, host, {}, {{"prevv", 1}});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().what ==
          "no argument \"prevv\" in the context of sched_switch; its arguments: preempt, prev, next, prev_state");
    auto longer = btf_args_bytes(sw, k, host, std::vector<uint8_t>(33, 0), {});
    REQUIRE_FALSE(longer.ok());
    CHECK(longer.error().what ==
          "the context of sched_switch is 4 u64 slots (32 bytes: preempt, prev, next, prev_state), but 33 bytes were given");

    CHECK(parse_btf_arg_value("-100") == uint64_t(-100));
    CHECK(parse_btf_arg_value("0x1f") == 31u);
    CHECK(parse_btf_arg_value("NULL") == 0u);
    CHECK_FALSE(parse_btf_arg_value("12a").has_value());
    CHECK_FALSE(parse_btf_arg_value("").has_value());
}

TEST_CASE("btf args: BPF_PROG programs read their arguments by name, BTF pointers through CO-RE") {
    auto s = open_object("tests/run/bpf/btf_args.o");
    // dfd * 1000 + the first byte of name->name ("/tmp/test_file": '/', 47).
    CHECK(exited(run(*s, "unlink_entry")) == 47);
    CHECK(exited(run(*s, "unlink_entry", {{"dfd", uint64_t(-100)}})) == uint32_t(-100000 + 47));
    // A ctx of the first slot only: name keeps its default.
    CHECK(exited(run(*s, "unlink_entry", {}, {3, 0, 0, 0, 0, 0, 0, 0})) == 3047);
    // name = NULL: bpf_probe_read_kernel of NULL fails and leaves c 0.
    CHECK(exited(run(*s, "unlink_entry", {{"name", 0}})) == 0);

    // fexit: ret is ctx[4], after file, buf, count, pos.
    CHECK(exited(run(*s, "read_exit")) == 0);
    CHECK(exited(run(*s, "read_exit", {{"count", 5}, {"ret", 3}})) == 8);

    // prev and next are the current task (pid 4242, the same tgid): 4242 * 10 + preempt + 100000.
    CHECK(exited(run(*s, "switch_pids")) == 142420);
    CHECK(exited(run(*s, "switch_pids", {{"preempt", 1}, {"next", task_address(1)}})) == 42421);

    // file is the executable: its dentry's name "bpfplay-demo" starts with 'b'; ret != 0 returns it.
    CHECK(exited(run(*s, "open_check")) == 'b');
    CHECK(exited(run(*s, "open_check", {{"ret", uint64_t(-13)}})) == uint64_t(-13));

    const RunResult bad = run(*s, "read_exit", {{"size", 1}});
    REQUIRE(bad.error);
    CHECK(bad.error->what == "no argument \"size\" in the context of vfs_read; its arguments: file, buf, count, pos, ret");
    // The context is the arguments, read-only as the verifier makes it.
    CHECK(run(*s, "switch_pids").ctx_out.size() == 32);
}

TEST_CASE("btf args: a kprobe's arguments are pt_regs registers by the prototype, a kretprobe's ret is ax") {
    // x86-64 pt_regs: di @112, si @104, dx @96, cx @88, r8 @72, r9 @64, ax @80.
    CHECK(slots(kprobe("kprobe/do_unlinkat")) == V{"dfd int @112", "name struct filename * @104"});
    CHECK(slots(kprobe("kprobe/do_sys_openat2")) ==
          V{"dfd int @112", "filename const char * @104", "how struct open_how * @96"});
    CHECK(slots(kprobe("kretprobe/vfs_read")) == V{"ret ssize_t @80 ret"});
    const BtfArgsLayout unlink = *btf_args_layout(kprobe("kprobe/do_unlinkat"));
    CHECK(unlink.size() == 168);
    CHECK(unlink.names() == "dfd in di, name in si");
    // More than six arguments: the rest are on the stack, not in pt_regs.
    CHECK(btf_args_layout(kprobe("kprobe/tcp_recvmsg"))->slots.size() <= 6);
    // Inside a function, in user space, or many functions at once: no prototype names the registers.
    CHECK_FALSE(has_btf_args(kprobe("kprobe/do_unlinkat+0x10")));
    CHECK_FALSE(has_btf_args(kprobe("uprobe/libc.so.6:malloc")));
    CHECK_FALSE(has_btf_args(kprobe("kprobe.multi/do_*", AttachType::TraceKprobeMulti)));

    Host host;
    const KernelObjectAddresses k = kernel_object_addresses(host);
    auto bytes = btf_args_bytes(unlink, k, host, {}, {{"dfd", uint64_t(-100)}});
    REQUIRE(bytes.ok());
    REQUIRE(bytes->size() == 168);
    CHECK(load_le<uint64_t>(&(*bytes)[112]) == uint64_t(-100));
    CHECK(load_le<uint64_t>(&(*bytes)[104]) == k.filename);  // struct filename *: the emulated one
    CHECK(btf_args_text(unlink, *bytes) ==
          "  dfd = -100 (int, in di)\n  name = " + btf_arg_value_text(unlink.slots[1], k.filename) +
              " (struct filename *, in si)\n");
    auto longer = btf_args_bytes(unlink, k, host, std::vector<uint8_t>(169, 0), {});
    REQUIRE_FALSE(longer.ok());
    CHECK(longer.error().what ==
          "the context of do_unlinkat is a struct pt_regs (168 bytes: dfd in di, name in si), but 169 bytes were given");

    // examples/kprobe_regs.c (PT_REGS_PARM1/2): the arguments by name give what its recorded
    // case's raw pt_regs gives (rdi = AT_FDCWD, rsi = the task's openat path).
    auto s = open_object("public/examples/kprobe_regs.o");
    std::vector<uint8_t> regs(168, 0);
    store_le<uint64_t>(&regs[112], uint64_t(-100));
    store_le<uint64_t>(&regs[104], kDefaultOpenatPathAddr);
    const RunResult raw = run(*s, "trace_openat2", {}, regs);
    const RunResult named = run(*s, "trace_openat2", {{"dfd", uint64_t(-100)}, {"filename", kDefaultOpenatPathAddr}});
    CHECK(exited(named) == exited(raw));
    CHECK(named.printk == std::vector<std::string>{"openat2 by bpfplay-demo: /etc/hostname (dfd -100)"});
    CHECK(named.printk == raw.printk);
    CHECK(named.ctx_out == raw.ctx_out);
    const RunResult bad = run(*s, "trace_openat2", {{"fd", 3}});
    REQUIRE(bad.error);
    CHECK(bad.error->what ==
          "no argument \"fd\" in the context of do_sys_openat2; its arguments: dfd in di, filename in si, how in dx");
}

TEST_CASE("btf args: examples/fentry_unlink.c prints libbpf-bootstrap's fentry lines") {
    auto s = open_object("public/examples/fentry_unlink.o");
    RunResult entry = run(*s, "unlink_entry");
    CHECK(exited(entry) == 0);
    CHECK(entry.printk == std::vector<std::string>{"fentry: pid = 4242, filename = /tmp/test_file\n"});
    RunResult exit_run = run(*s, "unlink_exit", {{"ret", uint64_t(-2)}});
    CHECK(exited(exit_run) == 0);
    CHECK(exit_run.printk == std::vector<std::string>{"fexit: pid = 4242, filename = /tmp/test_file, ret = -2\n"});
    // name = NULL: name->name reads 0 (the exception table), and %s of NULL prints nothing.
    RunResult null_name = run(*s, "unlink_entry", {{"name", 0}});
    CHECK(exited(null_name) == 0);
    CHECK(null_name.printk == std::vector<std::string>{"fentry: pid = 4242, filename = \n"});
    // The report names the arguments.
    const std::string text = run_result_text(*s, exit_run);
    CHECK(text.find("context (do_unlinkat's arguments):\n  dfd = 0 (int)\n  name = 0x") != std::string::npos);
    CHECK(text.find(" (struct filename *)\n  ret = -2 (int)\n") != std::string::npos);
}

}  // namespace bpfplay::testing
