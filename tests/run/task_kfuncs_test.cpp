// The task and cgroup kfuncs (bpf_task_from_pid, bpf_cgroup_from_id, bpf_cgroup_ancestor,
// bpf_task_under_cgroup, acquire/release) on the emulated kernel's objects, the references a
// program holds and bpf_kptr_xchg moving them into a map's __kptr field. The example's results
// were compared with this machine's 6.18 kernel (BPF_PROG_TEST_RUN of the same object with
// tests/kernel/kernel_run.c): pids differ between the machine and the emulated host, so the
// comparison is of behaviour -- a running process's pid finds it (its pid and comm read back),
// pid 0 and an absent pid give NULL, cgroup 1 is the root (level 0, its own ancestor 0, no
// ancestor past its level, every task under it). The error fixture's messages are the ones the
// kernel's verifier printed for the same programs.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "core/host/kernel_objects.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/object_session.hpp"
#include "loader/loader_test_util.hpp"
#include "maps/map_test_util.hpp"

using namespace bpfplay;

namespace {

std::unique_ptr<ObjectSession> open_object(const std::string& path, Host host = {}) {
    const std::vector<uint8_t> bytes = test::read_bytes(std::string(BPFPLAY_SOURCE_DIR) + "/" + path);
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, path.substr(path.rfind('/') + 1), std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

// struct args { __s32 pid; __u32 pad; __u64 cgroup_id; } (examples/task_kfuncs.c)
RunInput args(int32_t pid, uint64_t cgroup_id = 0) {
    RunInput in;
    in.ctx.resize(16);
    store_le<uint32_t>(in.ctx.data(), uint32_t(pid));
    store_le<uint64_t>(in.ctx.data() + 8, cgroup_id);
    return in;
}

// struct seen of examples/task_kfuncs.c.
struct Seen {
    int32_t found, pid;
    std::string comm;
    int32_t replaced, cgroup_found;
    uint64_t cgroup_kn_id;
    int32_t cgroup_level, root_found;
    uint64_t root_kn_id;
    int32_t past_level, under;
};

Seen seen(ObjectSession& s) {
    std::vector<uint8_t> v(64);
    REQUIRE(s.object().maps->find("results")->lookup_user(test::bytes(0u), v) == 0);
    const uint8_t* p = v.data();
    return {load_le<int32_t>(p), load_le<int32_t>(p + 4), std::string(reinterpret_cast<const char*>(p + 8), strnlen(reinterpret_cast<const char*>(p + 8), 16)),
            load_le<int32_t>(p + 24), load_le<int32_t>(p + 28), load_le<uint64_t>(p + 32), load_le<int32_t>(p + 40),
            load_le<int32_t>(p + 44), load_le<uint64_t>(p + 48), load_le<int32_t>(p + 56), load_le<int32_t>(p + 60)};
}

RunResult run_ok(ObjectSession& s, const char* prog, const RunInput& in) {
    RunResult r = s.run(prog, in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r;
}

std::string run_error(ObjectSession& s, const char* prog, const RunInput& in, ErrorKind kind) {
    RunResult r = s.run(prog, in);
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == kind);
    return r.error->what;
}

} // namespace

TEST_CASE("task_kfuncs example: bpf_task_from_pid finds the host's tasks, bpf_cgroup_from_id its cgroups") {
    auto s = open_object("public/examples/task_kfuncs.o");
    // The current task (pid 4242, "bpfplay-demo") in /user.slice/user-1000.slice/session-2.scope (id 5).
    RunResult r = run_ok(*s, "stash_task", args(4242, 5));
    CHECK(r.r0 == 0);
    Seen v = seen(*s);
    CHECK(v.found == 1);
    CHECK(v.pid == 4242);
    CHECK(v.comm == "bpfplay-demo");
    CHECK(v.replaced == 0);
    CHECK(v.cgroup_found == 1);
    CHECK(v.cgroup_kn_id == 5);
    CHECK(v.cgroup_level == 3);
    CHECK(v.root_found == 1);
    CHECK(v.root_kn_id == 1);
    CHECK(v.past_level == 1);
    CHECK(v.under == 1);

    // The map kept the task: this run's bpf_kptr_xchg hands it back to be released.
    run_ok(*s, "stash_task", args(4242, 5));
    CHECK(seen(*s).replaced == 1);

    // pid 1 is the parent (systemd), in the root cgroup: under "/" but not under the session.
    run_ok(*s, "stash_task", args(1, 1));
    v = seen(*s);
    CHECK(v.found == 1);
    CHECK(v.pid == 1);
    CHECK(v.comm == "systemd");
    CHECK(v.replaced == 1);
    CHECK(v.cgroup_kn_id == 1);
    CHECK(v.cgroup_level == 0);
    CHECK(v.root_kn_id == 1);
    CHECK(v.past_level == 1);
    CHECK(v.under == 1);
    run_ok(*s, "stash_task", args(1, 5));
    CHECK(seen(*s).under == 0);
    run_ok(*s, "stash_task", args(4242, 3)); // /user.slice: level 1, an ancestor of the session
    v = seen(*s);
    CHECK(v.cgroup_level == 1);
    CHECK(v.under == 1);
}

TEST_CASE("task_kfuncs example: pids and cgroup ids the host has no object for give NULL") {
    auto s = open_object("public/examples/task_kfuncs.o");
    for (int32_t pid : {999999, 0, -1}) { // pid 0 is init_task: in no pid namespace (the kernel: NULL too)
        CAPTURE(pid);
        RunResult r = run_ok(*s, "stash_task", args(pid, 99));
        CHECK(r.r0 == 0);
        const Seen v = seen(*s);
        CHECK(v.found == 0);
        CHECK(v.cgroup_found == 0);
        CHECK(v.root_found == 0);
    }
    // Another host: the current task is pid 77 in cgroup /a (id 20); pid 4242 is nobody.
    Host host;
    host.task.pid = host.task.tgid = 77;
    host.task.set_comm("worker");
    host.cgroups = {{1, "/"}, {20, "/a"}};
    host.task.cgroup_id = 20;
    auto t = open_object("public/examples/task_kfuncs.o", host);
    run_ok(*t, "stash_task", args(77, 20));
    Seen v = seen(*t);
    CHECK(v.found == 1);
    CHECK(v.pid == 77);
    CHECK(v.comm == "worker");
    CHECK(v.cgroup_level == 1);
    CHECK(v.cgroup_kn_id == 20);
    CHECK(v.under == 1);
    run_ok(*t, "stash_task", args(4242, 20));
    CHECK(seen(*t).found == 0);
}

TEST_CASE("the emulated cgroups: a task's dfl_cgrp is the object bpf_cgroup_from_id returns") {
    Host host;
    CHECK(cgroup_level(host.cgroups[4]) == 3);
    CHECK(cgroup_index(host, cgroup_address(host, 4)) == 4u);
    CHECK_FALSE(cgroup_index(host, cgroup_address(host, 4) + 8));
    CHECK_FALSE(cgroup_index(host, cgroup_address(host, 5)));
    CHECK(cgroup_ancestor_index(host, 4, 0) == 0u);
    CHECK(cgroup_ancestor_index(host, 4, 2) == 3u);
    CHECK(cgroup_ancestor_index(host, 4, 3) == 4u);
    CHECK_FALSE(cgroup_ancestor_index(host, 4, 4));
    CHECK(task_by_pid(host, 4242) == 0u);
    CHECK(task_by_pid(host, 1) == 1u);
    CHECK_FALSE(task_by_pid(host, 0));
    std::vector<std::string> errors;
    build_kernel_objects(host, &errors);
    CHECK(errors.empty());
}

// tests/loader/fixtures/task_kfuncs.c: what the kernel's verifier refuses.
TEST_CASE("task and cgroup references: leaks, double releases and kptr misuse stop the run as the verifier would") {
    auto s = open_object("tests/loader/fixtures/task_kfuncs.o");
    // The kernel: "Unreleased reference id=2 alloc_insn=1" (the verifier's id is its own count).
    std::string e = run_error(*s, "leak_task", args(4242), ErrorKind::Verify);
    CHECK(e == "the program exits still holding the reference to task 4242 (bpfplay-demo) that bpf_task_from_pid "
               "acquired at insn 1: the kernel's verifier refuses this program (\"Unreleased reference ... "
               "alloc_insn=1\", \"BPF_EXIT instruction in main prog would lead to reference leak\")");
    CHECK(run_ok(*s, "leak_task", args(999999)).r0 == 0); // NULL: nothing to leak on this path
    e = run_error(*s, "leak_cgroup", args(0), ErrorKind::Verify);
    CHECK(e.find("the reference to cgroup 1 (/) that bpf_cgroup_from_id acquired at insn 1") != std::string::npos);

    e = run_error(*s, "double_release", args(4242), ErrorKind::Helper);
    CHECK(e.find("bpf_task_release: r1 = ") == 0);
    CHECK(e.find("(it gave that reference back already): the kernel's verifier refuses the call (\"arg#0 pointer "
                 "type STRUCT task_struct must point to scalar, or struct with scalar\")") != std::string::npos);

    // bpf_kptr_xchg moved it into the map: releasing it afterwards is the same mistake.
    e = run_error(*s, "release_stored", args(4242), ErrorKind::Helper);
    CHECK(e.find("must point to scalar, or struct with scalar") != std::string::npos);
    // The map owns task 4242 now. A pointer loaded from the field is not the program's to
    // release; bpf_task_acquire on it gives one that is.
    e = run_error(*s, "release_loaded", args(0), ErrorKind::Helper);
    CHECK(e.find("(\"R1 must be referenced or trusted\")") != std::string::npos);
    CHECK(run_ok(*s, "acquire_loaded", args(0)).r0 == 4242);
    // Taking it out makes it the program's reference, which it then leaks.
    e = run_error(*s, "leak_taken", args(0), ErrorKind::Verify);
    CHECK(e.find("task 4242 (bpfplay-demo) that bpf_kptr_xchg acquired at insn") != std::string::npos);
    // The field is empty now: acquire_loaded finds nothing (the kernel returned -1 too).
    CHECK(uint32_t(run_ok(*s, "acquire_loaded", args(0)).r0) == 0xffffffffu);

    e = run_error(*s, "store_cgroup", args(0), ErrorKind::Helper);
    CHECK(e.find("(\"invalid kptr access, R2 type=ptr_cgroup expected=ptr_task_struct\")") != std::string::npos);
}

// The fixture's signal_task: bpf_send_signal_task(bpf_task_from_pid(pid), sig, type, value);
// BPF_PROG_TEST_RUN's retval is the low 32 bits of r0. The kernel, for a process of its own (sleep): 0 and the process died of SIGUSR1; signal 0
// 0; signal 65, a signal -1 or type 2 -EINVAL; kthreadd (PF_KTHREAD) -EPERM; an absent pid -1.
TEST_CASE("bpf_send_signal_task signals the task, with its value in the siginfo, as bpf_send_signal_common does") {
    auto s = open_object("tests/loader/fixtures/task_kfuncs.o");
    auto signal = [&](int32_t pid, int32_t sig, int32_t type, uint64_t value) {
        RunInput in;
        in.ctx.resize(24);
        store_le<uint32_t>(in.ctx.data(), uint32_t(pid));
        store_le<uint32_t>(in.ctx.data() + 4, uint32_t(sig));
        store_le<uint32_t>(in.ctx.data() + 8, uint32_t(type));
        store_le<uint64_t>(in.ctx.data() + 16, value);
        return run_ok(*s, "signal_task", in);
    };
    RunResult r = signal(4242, 10, 0, 7); // PIDTYPE_PID
    CHECK(r.r0 == 0);
    REQUIRE(r.host_events.size() == 1);
    CHECK(r.host_events[0].helper == "bpf_send_signal_task");
    CHECK(r.host_events[0].text ==
          "SIGUSR1 (10) sent to thread 4242 (bpfplay-demo) alone (siginfo: si_code SI_KERNEL, si_value 0x7)");
    r = signal(4242, 15, 1, 0); // PIDTYPE_TGID
    CHECK(r.r0 == 0);
    REQUIRE(r.host_events.size() == 1);
    CHECK(r.host_events[0].text ==
          "SIGTERM (15) sent to process 4242 (bpfplay-demo), all its threads (siginfo: si_code SI_KERNEL, si_value 0x0)");
    r = signal(4242, 0, 1, 0);
    CHECK(r.r0 == 0);
    CHECK(uint32_t(signal(4242, 65, 0, 0).r0) == 0xffffffeau);  // -EINVAL
    CHECK(uint32_t(signal(4242, -1, 0, 0).r0) == 0xffffffeau);  // -EINVAL
    CHECK(uint32_t(signal(4242, 10, 2, 0).r0) == 0xffffffeau);  // PIDTYPE_PGID: -EINVAL
    const RunResult init = signal(1, 10, 0, 0);       // is_global_init: -EPERM, nothing sent
    CHECK(uint32_t(init.r0) == 0xffffffffu);
    CHECK(init.host_events.empty());
    CHECK(uint32_t(signal(999999, 10, 0, 0).r0) == 0xffffffffu); // no task: the program's -1
}
