// Scenarios (core/run/scenario.hpp): host events played through the object's tracing programs.
// libbpf-bootstrap's exec/exit tracer (examples/bootstrap.c) gets the stream its user space prints.
#include <doctest/doctest.h>

#include <cstring>
#include <utility>

#include "core/hex.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/run/scenario.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {
namespace {

using test::open_object;

// bootstrap.h's struct event: pid, ppid, exit_code, duration_ns, comm[16], filename[127], exit_event.
struct BootstrapEvent {
    int32_t pid, ppid;
    uint32_t exit_code;
    uint64_t duration_ns;
    std::string comm, filename;
    bool exit_event;
};

BootstrapEvent event_of(const std::vector<uint8_t>& b) {
    REQUIRE(b.size() == 168);
    BootstrapEvent e;
    std::memcpy(&e.pid, &b[0], 4);
    std::memcpy(&e.ppid, &b[4], 4);
    std::memcpy(&e.exit_code, &b[8], 4);
    std::memcpy(&e.duration_ns, &b[16], 8);
    e.comm = reinterpret_cast<const char*>(&b[24]);
    e.filename = reinterpret_cast<const char*>(&b[40]);
    e.exit_event = b[167] != 0;
    return e;
}

// tests/run/bpf/opensnoop.c's struct event.
struct OpenEvent {
    uint64_t ts;
    int32_t pid, tid;
    uint32_t uid;
    int32_t ret, flags, mode;
    std::string comm, fname;
};

OpenEvent open_event_of(const std::vector<uint8_t>& b) {
    REQUIRE(b.size() == 112);
    OpenEvent e;
    std::memcpy(&e.ts, &b[0], 8);
    std::memcpy(&e.pid, &b[8], 4);
    std::memcpy(&e.tid, &b[12], 4);
    std::memcpy(&e.uid, &b[16], 4);
    std::memcpy(&e.ret, &b[20], 4);
    std::memcpy(&e.flags, &b[24], 4);
    std::memcpy(&e.mode, &b[28], 4);
    e.comm = reinterpret_cast<const char*>(&b[32]);
    e.fname = std::string(reinterpret_cast<const char*>(&b[48]), strnlen(reinterpret_cast<const char*>(&b[48]), 64));
    return e;
}

// tests/run/bpf/open_hooks.c's struct seen: one hook's view of the call.
struct Seen {
    int32_t hook, pid;
    int64_t nr, dfd, flags, mode, ret;
    std::string path;
    friend bool operator==(const Seen&, const Seen&) = default;
};

Seen seen_of(const std::vector<uint8_t>& b) {
    REQUIRE(b.size() == 80);
    Seen s;
    std::memcpy(&s.hook, &b[0], 4);
    std::memcpy(&s.pid, &b[4], 4);
    std::memcpy(&s.nr, &b[8], 8);
    std::memcpy(&s.dfd, &b[16], 8);
    std::memcpy(&s.flags, &b[24], 8);
    std::memcpy(&s.mode, &b[32], 8);
    std::memcpy(&s.ret, &b[40], 8);
    s.path = std::string(reinterpret_cast<const char*>(&b[48]), strnlen(reinterpret_cast<const char*>(&b[48]), 32));
    return s;
}

// tests/run/bpf/sched_tracer.c's struct switch_event and struct record_event.
struct SwitchEvent {
    uint32_t prev_pid, next_pid, prev_state, preempt;
    uint64_t runq_ns, offcpu_ns;
    std::string prev_comm, next_comm;
};

SwitchEvent switch_event_of(const std::vector<uint8_t>& b) {
    REQUIRE(b.size() == 64);
    SwitchEvent e;
    std::memcpy(&e.prev_pid, &b[0], 4);
    std::memcpy(&e.next_pid, &b[4], 4);
    std::memcpy(&e.prev_state, &b[8], 4);
    std::memcpy(&e.preempt, &b[12], 4);
    std::memcpy(&e.runq_ns, &b[16], 8);
    std::memcpy(&e.offcpu_ns, &b[24], 8);
    e.prev_comm = reinterpret_cast<const char*>(&b[32]);
    e.next_comm = reinterpret_cast<const char*>(&b[48]);
    return e;
}

struct RecordEvent {
    int32_t kind, common_pid, pid_a, prio_a, pid_b, prio_b;
    int64_t state;
    std::string comm_a, comm_b;
};

RecordEvent record_event_of(const std::vector<uint8_t>& b) {
    REQUIRE(b.size() == 64);
    RecordEvent e;
    std::memcpy(&e.kind, &b[0], 4);
    std::memcpy(&e.common_pid, &b[4], 4);
    std::memcpy(&e.pid_a, &b[8], 4);
    std::memcpy(&e.prio_a, &b[12], 4);
    std::memcpy(&e.pid_b, &b[16], 4);
    std::memcpy(&e.prio_b, &b[20], 4);
    std::memcpy(&e.state, &b[24], 8);
    e.comm_a = std::string(reinterpret_cast<const char*>(&b[32]), strnlen(reinterpret_cast<const char*>(&b[32]), 16));
    e.comm_b = std::string(reinterpret_cast<const char*>(&b[48]), strnlen(reinterpret_cast<const char*>(&b[48]), 16));
    return e;
}

std::vector<std::string> programs_run(const ScenarioStep& step) {
    std::vector<std::string> names;
    for (const RunResult& r : step.runs) {
        const std::string error = r.error ? r.program + ": " + r.error->to_string() : "";
        CHECK_MESSAGE(!r.error, error);
        names.push_back(r.program);
    }
    return names;
}

}  // namespace

TEST_CASE("the default scenario through bootstrap.c: two execs, two exits, with durations and statuses") {
    auto s = open_object("public/examples/bootstrap.o");
    auto steps = play_scenario(*s, default_scenario());
    REQUIRE_MESSAGE(steps.ok(), steps.error().to_string());
    REQUIRE(steps->size() == 9);
    // bootstrap.c runs at the execs and exits only; the opens and the scheduler's events between
    // are in the stream with no run.
    const std::vector<std::pair<size_t, std::string>> texts = {
        {0, "exec: pid 4243 (ls) runs /usr/bin/ls"}, {1, "exec: pid 4244 (cat) runs /usr/bin/cat"},
        {7, "exit: pid 4243 (ls) with status 0"}, {8, "exit: pid 4244 (cat) with status 1"}};
    for (const auto& [i, text] : texts) {
        const ScenarioStep& st = (*steps)[i];
        CHECK(st.text == text);
        REQUIRE(st.runs.size() == 1);
        CHECK(st.runs[0].program == (i < 2 ? "handle_exec" : "handle_exit"));
        CHECK_FALSE(st.runs[0].error);
        REQUIRE(st.records.size() == 1);
        CHECK(st.records[0].map == "rb");
    }
    for (size_t i = 2; i < 7; ++i) {
        CHECK((*steps)[i].runs.empty());
        CHECK((*steps)[i].records.empty());
    }
    const BootstrapEvent ls = event_of((*steps)[0].records[0].bytes);
    CHECK(ls.pid == 4243);
    CHECK(ls.comm == "ls");
    CHECK(ls.filename == "/usr/bin/ls");
    CHECK_FALSE(ls.exit_event);
    const BootstrapEvent ls_exit = event_of((*steps)[7].records[0].bytes);
    CHECK(ls_exit.exit_event);
    CHECK(ls_exit.pid == 4243);
    CHECK(ls_exit.exit_code == 0);
    // exec at the first event's time, exit 3.5 ms later (plus the instructions run between).
    CHECK(ls_exit.duration_ns == 3'500'127);
    const BootstrapEvent cat_exit = event_of((*steps)[8].records[0].bytes);
    CHECK(cat_exit.pid == 4244);
    CHECK(cat_exit.comm == "cat");
    CHECK(cat_exit.exit_code == 1);
    CHECK(cat_exit.duration_ns == 3'000'139);  // 3 ms, plus the instructions of the runs between
    // The reader took every record: the ring buffer is empty again; exec_start kept the exits'.
    CHECK(s->object().maps->find("rb")->count() == 0);
    CHECK(s->object().maps->find("exec_start")->count() == 0);
    CHECK((*steps)[7].time_ns == 1'003'500'120);
}

TEST_CASE("a scenario from JSON: pids, comms, a signal; errors name the event and member") {
    auto sc = scenario_from_json(R"({"events": [{"exec": "/bin/sh"}, {"exec": "/usr/bin/curl", "pid": 900, "comm": "curl",
                                     "after_ns": 10}, {"exit": 900, "signal": 9, "after_ns": 5}, {"exit": 4243}]})");
    REQUIRE_MESSAGE(sc.ok(), sc.error().to_string());
    REQUIRE(sc->events.size() == 4);
    CHECK(sc->events[0] == ScenarioEvent{ScenarioEventKind::Exec, 0, 4243, "sh", "/bin/sh", 0});
    CHECK(sc->events[1] == ScenarioEvent{ScenarioEventKind::Exec, 10, 900, "curl", "/usr/bin/curl", 0});
    CHECK(sc->events[2] == ScenarioEvent{ScenarioEventKind::Exit, 5, 900, "curl", "/usr/bin/curl", 9});
    CHECK(scenario_event_text(sc->events[2]) == "exit: pid 900 (curl) killed by signal 9");
    CHECK(sc->events[3].pid == 4243);
    const auto error_of = [](std::string_view json) {
        auto r = scenario_from_json(json);
        REQUIRE_FALSE(r.ok());
        return r.error().what;
    };
    CHECK(error_of(R"({"events": {}})") == "scenario: the document needs \"events\": a list");
    CHECK(error_of(R"({"events": [{"exit": 77}]})") == "scenario: event 1: no earlier exec started pid 77");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls", "exit": 1}]})") ==
          "scenario: event 1: give one event: \"exec\", \"exit\", \"open\", \"switch\", \"wakeup\" or \"wakeup_new\"");
    CHECK(error_of(R"({"events": [{"pid": 1}]})") ==
          "scenario: event 1: give one of \"exec\" (a file), \"exit\" (a pid), \"open\" (a path), \"switch\", "
          "\"wakeup\" or \"wakeup_new\" (a pid)");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls", "colour": 1}]})") ==
          "scenario: event 1: unknown member \"colour\" of exec");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"exit": 4243, "status": 256}]})") ==
          "scenario: event 2: \"status\" is an exit status (0 to 255)");
}

TEST_CASE("a scenario needs a program attached to its events") {
    auto s = open_object("public/examples/xdp_drop_port.o");
    auto steps = play_scenario(*s, default_scenario());
    REQUIRE_FALSE(steps.ok());
    CHECK(steps.error().what == "no program of the object is attached to the scenario's events");
}

TEST_CASE("opensnoop's openat tracepoints in the default scenario: one event per open, with its fd or error") {
    auto s = open_object("tests/run/bpf/opensnoop.o");
    auto steps = play_scenario(*s, default_scenario());
    REQUIRE_MESSAGE(steps.ok(), steps.error().to_string());
    REQUIRE(steps->size() == 9);
    const ScenarioStep& ls = (*steps)[2];
    CHECK(ls.text == "open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3");
    CHECK(programs_run(ls) == std::vector<std::string>{"openat_entry", "openat_exit"});
    REQUIRE(ls.records.size() == 1);
    CHECK(ls.records[0].map == "events");
    const OpenEvent a = open_event_of(ls.records[0].bytes);
    CHECK(a.pid == 4243);
    CHECK(a.tid == 4243);
    CHECK(a.uid == 1000);
    CHECK(a.ret == 3);
    CHECK(a.flags == 02000000);
    CHECK(a.mode == 0);
    CHECK(a.comm == "ls");
    CHECK(a.fname == "/etc/ld.so.cache");
    // The open's time (200 us after cat's exec), plus openat_entry's instructions and
    // openat_exit's up to its bpf_ktime_get_ns.
    CHECK(ls.time_ns == 1'001'200'000);
    CHECK(ls.runs[0].instructions == 18);
    CHECK(a.ts == 1'001'200'034);
    const ScenarioStep& cat = (*steps)[3];
    CHECK(cat.text == "open: pid 4244 (cat) opens /etc/shadow (O_RDONLY): error -13");
    REQUIRE(cat.records.size() == 1);
    const OpenEvent b = open_event_of(cat.records[0].bytes);
    CHECK(b.pid == 4244);
    CHECK(b.ret == -13);
    CHECK(b.flags == 0);
    CHECK(b.comm == "cat");
    CHECK(b.fname == "/etc/shadow");
    // The exit deleted each call's entry; no other event ran a program.
    CHECK(s->object().maps->find("start")->count() == 0);
    for (size_t i : {0, 1, 4, 5, 6, 7, 8}) CHECK((*steps)[i].runs.empty());
}

TEST_CASE("every hook of an open sees the call: tracepoints, tp_btf, kprobes, fentry/fexit, in the kernel's order") {
    auto s = open_object("tests/run/bpf/open_hooks.o");
    auto sc = scenario_from_json(R"({"events": [{"exec": "/usr/bin/touch", "pid": 700},
        {"open": "/tmp/new.txt", "flags": "O_WRONLY|O_CREAT|O_TRUNC|O_NOCTTY", "mode": 420},
        {"open": "/root/secret", "error": 13}]})");
    REQUIRE_MESSAGE(sc.ok(), sc.error().to_string());
    auto steps = play_scenario(*s, *sc);
    REQUIRE_MESSAGE(steps.ok(), steps.error().to_string());
    REQUIRE(steps->size() == 3);
    const ScenarioStep& ok = (*steps)[1];
    CHECK(ok.text == "open: pid 700 (touch) opens /tmp/new.txt (O_WRONLY|O_CREAT|O_NOCTTY|O_TRUNC, mode 0644): fd 3");
    CHECK(programs_run(ok) == std::vector<std::string>{"raw_enter", "btf_enter", "kprobe_openat2", "fentry_openat2",
                                                      "fentry_vfs_open", "kretprobe_openat2", "fexit_openat2",
                                                      "raw_exit", "btf_exit"});
    REQUIRE(ok.records.size() == 9);
    constexpr int64_t kFlags = 01 | 0100 | 0400 | 01000;  // O_WRONLY|O_CREAT|O_NOCTTY|O_TRUNC
    constexpr int64_t kHowFlags = kFlags | 0100000;        // + O_LARGEFILE, which openat adds
    const std::vector<Seen> want = {
        {1, 700, 257, -100, kFlags, 0644, 0, "/tmp/new.txt"},        // raw_syscalls/sys_enter: args[]
        {2, 700, 257, -100, kFlags, 0644, 257, "/tmp/new.txt"},      // tp_btf/sys_enter: pt_regs, orig_ax
        {3, 700, 0, -100, kHowFlags, 0644, 0, "/tmp/new.txt"},       // kprobe: di, si, dx -> open_how
        {4, 700, 0, -100, kHowFlags, 0644, 0, "/tmp/new.txt"},       // fentry: dfd, filename, how
        {5, 700, 0, 0, kHowFlags, 0, 0, "new.txt"},                  // fentry/vfs_open: file, path's dentry
        {6, 700, 0, 0, 0, 0, 3, ""},                                 // kretprobe: ax
        {7, 700, 0, -100, kHowFlags, 0, 3, "/tmp/new.txt"},          // fexit: the arguments, ret
        {8, 700, 257, 0, 0, 0, 3, ""},                               // raw_syscalls/sys_exit: id, ret
        {9, 700, 257, 0, 0, 3, 3, ""},                               // tp_btf/sys_exit: orig_ax, ax, ret
    };
    for (size_t i = 0; i < want.size(); ++i) {
        CAPTURE(i);
        CHECK(ok.records[i].map == "seen");
        CHECK(seen_of(ok.records[i].bytes) == want[i]);
    }
    // A failed open never gets to vfs_open; the rest see the error.
    const ScenarioStep& failed = (*steps)[2];
    CHECK(failed.text == "open: pid 700 (touch) opens /root/secret (O_RDONLY): error -13");
    CHECK(programs_run(failed) == std::vector<std::string>{"raw_enter", "btf_enter", "kprobe_openat2", "fentry_openat2",
                                                          "kretprobe_openat2", "fexit_openat2", "raw_exit", "btf_exit"});
    REQUIRE(failed.records.size() == 8);
    CHECK(seen_of(failed.records[0].bytes) == Seen{1, 700, 257, -100, 0, 0, 0, "/root/secret"});
    CHECK(seen_of(failed.records[2].bytes) == Seen{3, 700, 0, -100, 0100000, 0, 0, "/root/secret"});
    CHECK(seen_of(failed.records[4].bytes) == Seen{6, 700, 0, 0, 0, 0, -13, ""});
    CHECK(seen_of(failed.records[7].bytes) == Seen{9, 700, 257, 0, 0, -13, -13, ""});
}

TEST_CASE("a runqslower/offcputime-style tracer in the default scenario: switches with run-queue and off-CPU times") {
    auto s = open_object("tests/run/bpf/sched_tracer.o");
    auto steps = play_scenario(*s, default_scenario());
    REQUIRE_MESSAGE(steps.ok(), steps.error().to_string());
    REQUIRE(steps->size() == 9);
    const ScenarioStep& out = (*steps)[4];
    CHECK(out.text == "switch: pid 4243 (ls) sleeps (S), pid 4244 (cat) runs");
    CHECK(programs_run(out) == std::vector<std::string>{"switch_record", "handle_switch"});
    REQUIRE(out.records.size() == 2);
    // Each ring buffer's reader polls in turn, in the object's map order.
    CHECK(out.records[0].map == "records");
    CHECK(out.records[1].map == "switches");
    const SwitchEvent first = switch_event_of(out.records[1].bytes);
    CHECK(first.prev_pid == 4243);
    CHECK(first.next_pid == 4244);
    CHECK(first.prev_state == 1);  // TASK_INTERRUPTIBLE
    CHECK(first.preempt == 0);
    CHECK(first.runq_ns == 0);     // cat was never seen waking
    CHECK(first.offcpu_ns == 0);
    CHECK(first.prev_comm == "ls");
    CHECK(first.next_comm == "cat");
    const RecordEvent rec = record_event_of(out.records[0].bytes);
    CHECK(rec.kind == 1);
    CHECK(rec.common_pid == 4243);
    CHECK(rec.pid_a == 4243);
    CHECK(rec.prio_a == 120);
    CHECK(rec.state == 1);  // S
    CHECK(rec.pid_b == 4244);
    CHECK(rec.prio_b == 120);
    CHECK(rec.comm_a == "ls");
    CHECK(rec.comm_b == "cat");

    const ScenarioStep& wake = (*steps)[5];
    CHECK(wake.text == "wakeup: pid 4244 (cat) wakes pid 4243 (ls)");
    CHECK(programs_run(wake) == std::vector<std::string>{"wakeup_record", "handle_wakeup"});
    REQUIRE(wake.records.size() == 1);
    const RecordEvent woken = record_event_of(wake.records[0].bytes);
    CHECK(woken.kind == 2);
    CHECK(woken.common_pid == 4244);  // the waker is current
    CHECK(woken.pid_a == 4243);
    CHECK(woken.prio_a == 120);
    CHECK(woken.pid_b == 0);  // target_cpu
    CHECK(woken.comm_a == "ls");

    const ScenarioStep& back = (*steps)[6];
    CHECK(back.text == "switch: pid 4244 (cat) is preempted (R), pid 4243 (ls) runs");
    REQUIRE(back.records.size() == 2);
    const SwitchEvent second = switch_event_of(back.records[1].bytes);
    CHECK(second.prev_pid == 4244);
    CHECK(second.next_pid == 4243);
    CHECK(second.prev_state == 0);  // TASK_RUNNING: preempted
    CHECK(second.preempt == 1);
    // ls waited on the run queue from its wakeup, 500 us before, and was off the CPU since the
    // first switch, 1 ms before; the instructions run between the clock reads add their ns.
    // ls waited on the run queue from its wakeup, 500 us before, and was off the CPU since the
    // first switch, 1 ms before, each plus the virtual ns of the instructions run between the
    // two clock reads (handle_switch reads it first thing, after switch_record's run).
    CHECK(second.runq_ns == 500'048);
    const uint64_t out_read = out.time_ns + out.runs[0].instructions + 1;
    const uint64_t back_read = back.time_ns + back.runs[0].instructions + 1;
    CHECK(back.time_ns - out.time_ns == 1'000'000 + 33 + 80 + wake.runs[0].instructions + wake.runs[1].instructions);
    CHECK(second.offcpu_ns == back_read - out_read);
    CHECK(second.offcpu_ns == 1'000'162);
    CHECK(record_event_of(back.records[0].bytes).state == 0x100);  // R+: the kernel's TASK_REPORT_MAX
    // ls's entries were taken; cat's (preempted: runnable at once, and off the CPU) wait.
    CHECK(s->object().maps->find("enqueued")->count() == 1);
    CHECK(s->object().maps->find("offcpu_start")->count() == 1);
}

TEST_CASE("a scenario's kernel objects: the opened file, open_how, the other task, the pt_regs of the call") {
    Host host;
    host.open_path = "/etc/motd";
    host.syscall.args = {uint64_t(-100), kDefaultOpenatPathAddr, 0100 | 02000000, 0640, 0, 0};
    OtherTask other;
    other.task.pid = other.task.tgid = 99;
    other.task.set_comm("worker");
    other.exe = "/usr/bin/worker";
    host.other_tasks.push_back(other);
    std::vector<std::string> errors;
    KernelObjectAddresses a;
    build_kernel_objects(host, &errors, &a);
    const std::string first_error = errors.empty() ? "" : errors.front();
    CHECK_MESSAGE(errors.empty(), first_error);
    CHECK(a.open_file != 0);
    CHECK(a.open_path != 0);
    CHECK(a.open_how != 0);
    CHECK(a.pt_regs != 0);
    REQUIRE(a.other_tasks.size() == 1);
    // Without them the host's objects sit where they always did.
    const KernelObjectAddresses plain = kernel_object_addresses(Host{});
    CHECK(plain.open_file == 0);
    CHECK(plain.open_how > plain.bprm);  // the default call is an openat too: laid out after the rest
    CHECK(plain.other_tasks.empty());
    CHECK(plain.bprm == a.bprm);
    CHECK(plain.pt_regs == a.pt_regs);
}

TEST_CASE("scenario JSON for opens, switches and wakeups: defaults and errors") {
    auto sc = scenario_from_json(R"({"events": [{"exec": "/bin/sh"}, {"exec": "/usr/bin/vi", "pid": 900},
        {"open": "/etc/passwd", "flags": 524288}, {"open": "/tmp/x", "pid": 4243, "flags": "O_RDWR | O_CREAT", "mode": 384},
        {"open": "/nope", "error": 2}, {"open": "/etc/hosts", "fd": 7},
        {"switch": 900, "prev_state": "D"}, {"wakeup": 4243}, {"wakeup_new": 900, "pid": 4243}]})");
    REQUIRE_MESSAGE(sc.ok(), sc.error().to_string());
    REQUIRE(sc->events.size() == 9);
    const auto& ev = sc->events;
    CHECK(ev[2].kind == ScenarioEventKind::Open);
    CHECK(ev[2].pid == 900);  // the task that ran last: vi
    CHECK(ev[2].comm == "vi");
    CHECK(ev[2].flags == 02000000);
    CHECK(ev[2].ret == 3);
    CHECK(ev[3].pid == 4243);
    CHECK(ev[3].flags == 0102);
    CHECK(ev[3].mode == 0600);
    CHECK(ev[3].ret == 3);  // sh's own first fd
    CHECK(ev[4].pid == 4243);  // sh ran last
    CHECK(ev[4].ret == -2);
    CHECK(ev[5].ret == 7);
    CHECK(scenario_event_text(ev[5]) == "open: pid 4243 (sh) opens /etc/hosts (O_RDONLY): fd 7");
    CHECK(ev[6].kind == ScenarioEventKind::Switch);
    CHECK(ev[6].pid == 4243);
    CHECK(ev[6].other_pid == 900);
    CHECK(ev[6].other_comm == "vi");
    CHECK(ev[6].prev_state == 2);
    CHECK(scenario_event_text(ev[6]) == "switch: pid 4243 (sh) waits (D), pid 900 (vi) runs");
    CHECK(ev[7].pid == 900);  // the switch left vi running
    CHECK(ev[7].other_pid == 4243);
    CHECK(scenario_event_text(ev[7]) == "wakeup: pid 900 (vi) wakes pid 4243 (sh)");
    CHECK(scenario_event_text(ev[8]) == "wakeup_new: pid 4243 (sh) wakes its new task pid 900 (vi)");
    const auto error_of = [](std::string_view json) {
        auto r = scenario_from_json(json);
        REQUIRE_FALSE(r.ok());
        return r.error().what;
    };
    CHECK(error_of(R"({"events": [{"open": "/x"}]})") ==
          "scenario: event 1: \"pid\": which task opens (no exec before started one)");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"open": "/x", "flags": "O_BOGUS"}]})") ==
          "scenario: event 2: \"flags\" are open(2) flags: a number or names joined by '|' (\"O_WRONLY|O_CREAT\")");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"open": "/x", "fd": 3, "error": 2}]})") ==
          "scenario: event 2: give \"fd\" or \"error\", not both");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"open": "/x", "error": 4096}]})") ==
          "scenario: event 2: \"error\" is an errno (1 to 4095)");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"switch": 4243}]})") ==
          "scenario: event 2: a task cannot switch to itself (pid 4243)");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"exec": "/bin/cat"}, {"switch": 4243, "prev_state": "Z"}]})") ==
          "scenario: event 3: \"prev_state\" is \"S\" (sleeps), \"D\" (sleeps uninterruptibly) or \"R\" (preempted)");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"wakeup": 77}]})") ==
          "scenario: event 2: \"wakeup\" is the pid of a task an earlier exec started");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"switch": 4243, "status": 1}]})") ==
          "scenario: event 2: unknown member \"status\" of switch");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls", "open": "/x"}]})") ==
          "scenario: event 1: give one event: \"exec\", \"exit\", \"open\", \"switch\", \"wakeup\" or \"wakeup_new\"");
}

TEST_CASE("the hooks of each event, as sections") {
    CHECK(scenario_hook_sections(ScenarioEventKind::Switch) ==
          std::vector<std::string>{"tp/sched/sched_switch", "tp_btf/sched_switch, raw_tp/sched_switch"});
    const std::vector<std::string> open = scenario_hook_sections(ScenarioEventKind::Open);
    REQUIRE(open.size() == 14);
    CHECK(open.front() == "tp/raw_syscalls/sys_enter");
    CHECK(open[3] == "kprobe/do_sys_openat2");
    CHECK(open.back() == "tp_btf/sys_exit, raw_tp/sys_exit");
    CHECK(scenario_event_name(ScenarioEventKind::WakeupNew) == "wakeup_new");
}

}  // namespace bpfplay::testing
