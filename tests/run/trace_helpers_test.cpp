// The tracing helpers of core/run/trace_helpers.cpp and bpf_get_task_stack, against the default
// host (core/host/host.cpp, user_memory.cpp, kernel_objects.cpp). Expected values follow
// kernel/trace/bpf_trace.c, kernel/bpf/helpers.c and kernel/bpf/stackmap.c (Linux 6.18): the
// kernel cannot run kprobe or fentry programs under BPF_PROG_TEST_RUN on chosen arguments, so
// the values are derived from its source, not recorded.
#include <doctest/doctest.h>

#include <cstring>

#include "core/host/host_json.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/run/perf_event_helpers.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

constexpr uint64_t kPath = 0x55d0c4a03010ull;  // "/etc/hostname\0" (14 bytes)
constexpr uint64_t kArgv = 0x7ffd5e3c1f00ull;  // "/usr/bin/bpfplay-demo\0--verbose\0..."
constexpr int64_t kEFAULT = -14, kEINVAL = -22, kEOPNOTSUPP = -95, kEBUSY = -16, kEPERM = -1;

// A program whose results go to an array map "out" (one 64-byte value) at {out.value}.
std::unique_ptr<ObjectSession> prog(const std::string& text, std::string_view section) {
    return open_asm(text, {array_spec("out", 64)}, section);
}

RunResult run(ObjectSession& s, std::vector<uint8_t> ctx = {}) {
    RunInput in;
    in.ctx = std::move(ctx);
    RunResult r = s.run("asm", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r;
}

std::vector<uint8_t> ctx_words(std::initializer_list<uint64_t> words) {
    std::vector<uint8_t> out;
    for (uint64_t w : words)
        for (int i = 0; i < 8; ++i) out.push_back(uint8_t(w >> (8 * i)));
    return out;
}

std::vector<std::string> events(const RunResult& r) {
    std::vector<std::string> out;
    for (const HostEvent& e : r.host_events) out.push_back(e.helper + ": " + e.text);
    return out;
}

std::string hex_arg(uint64_t v) { return std::to_string(v) + " ll"; }

}  // namespace

TEST_CASE("bpf_copy_from_user reads the task's user memory; a fault clears the buffer and gives -EFAULT") {
    // out[0..16) = 14 bytes of the path; out[16..32) pre-filled with 0xff, then a 16-byte read
    // running 2 bytes past the region; out[32..40) from a kernel address; r0 packs the results.
    auto s = prog("r6 = {out.value} ll\n"
                  "r1 = r6\nr2 = 14\nr3 = " + hex_arg(kPath) + "\ncall 148\nr7 = r0\n"
                  "r1 = -1\n*(u64 *)(r6 + 16) = r1\n*(u64 *)(r6 + 24) = r1\n*(u64 *)(r6 + 32) = r1\n"
                  "r1 = r6\nr1 += 16\nr2 = 16\nr3 = " + hex_arg(kPath) + "\ncall 148\n*(u64 *)(r6 + 48) = r0\n"
                  "r1 = r6\nr1 += 32\nr2 = 8\nr3 = 0xffffffff8140a1b0 ll\ncall 148\n*(u64 *)(r6 + 56) = r0\n"
                  "r1 = r6\nr2 = 0\nr3 = 0\ncall 148\nr0 += r7\nexit\n",
                  "fentry.s/do_sys_openat2");
    const RunResult r = run(*s);
    CHECK(r.r0 == 0);
    const auto v = out_value(*s);
    CHECK(std::string(reinterpret_cast<const char*>(v.data()), 14) == std::string("/etc/hostname\0", 14));
    CHECK(std::all_of(v.begin() + 16, v.begin() + 40, [](uint8_t c) { return c == 0; }));
    CHECK(int64_t(u64_at(v, 48)) == kEFAULT);
    CHECK(int64_t(u64_at(v, 56)) == kEFAULT);
}

TEST_CASE("bpf_probe_read_user(_str) reach the task's user memory too; bpf_probe_read_kernel does not") {
    auto s = prog("r6 = {out.value} ll\n"
                  "r1 = r6\nr2 = 32\nr3 = " + hex_arg(kPath) + "\ncall 114\n*(u64 *)(r6 + 56) = r0\n"
                  "r1 = r6\nr1 += 32\nr2 = 8\nr3 = " + hex_arg(kArgv) + "\ncall 112\n*(u64 *)(r6 + 48) = r0\n"
                  "r1 = r6\nr1 += 40\nr2 = 8\nr3 = " + hex_arg(kArgv) + "\ncall 113\nexit\n",
                  "kprobe/do_sys_openat2");
    const RunResult r = run(*s);
    // copy_from_kernel_nofault refuses a user-space address before reading: -ERANGE.
    CHECK(int64_t(r.r0) == -34);
    const auto v = out_value(*s);
    CHECK(u64_at(v, 56) == 14);  // the string and its NUL
    CHECK(std::string(reinterpret_cast<const char*>(v.data())) == "/etc/hostname");
    CHECK(std::string(reinterpret_cast<const char*>(v.data() + 32), 8) == "/usr/bin");
    CHECK(u64_at(v, 48) == 0);
    CHECK(u64_at(v, 40) == 0);
}

TEST_CASE("bpf_copy_from_user and _task may be called only by sleepable programs: refused at load") {
    const std::string args = "r1 = r10\nr1 += -8\nr2 = 8\nr3 = " + hex_arg(kPath) + "\n";
    const std::string calls[] = {args + "call 148\n", "call 158\nr4 = r0\n" + args + "r5 = 0\ncall 191\n"};
    const uint32_t call_pcs[] = {5, 8};  // the lddw of r3 takes two slots
    for (size_t k = 0; k < 2; ++k) {
        auto s = ObjectSession::open_assembly(calls[k] + "exit\n", "fentry/do_sys_openat2");
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().kind == ErrorKind::Verify);
        CHECK(s.error().what == "helper call might sleep in a non-sleepable prog");
        CHECK(s.error().where.pc == call_pcs[k]);
        CHECK(s.error().hint.find("load the program from a sleepable section") != std::string::npos);
    }
}

TEST_CASE("bpf_copy_from_user_task: the current task's memory; -EINVAL for flags; another task's faults") {
    // bpf_get_current_task_btf (158) in r8; the parent task (its real_parent) is task 1.
    const uint64_t parent = task_address(1);
    auto s = prog("r6 = {out.value} ll\ncall 158\nr8 = r0\n"
                  "r1 = r6\nr2 = 32\nr3 = " + hex_arg(kArgv) + "\nr4 = r8\nr5 = 0\ncall 191\n*(u64 *)(r6 + 40) = r0\n"
                  "r1 = -1\n*(u64 *)(r6 + 32) = r1\n"
                  "r1 = r6\nr1 += 32\nr2 = 8\nr3 = " + hex_arg(kArgv) + "\nr4 = r8\nr5 = 1\ncall 191\n*(u64 *)(r6 + 48) = r0\n"
                  "r1 = r6\nr1 += 56\nr2 = 8\nr3 = " + hex_arg(kArgv) + "\nr4 = " + hex_arg(parent) +
                      "\nr5 = 0\ncall 191\nexit\n",
                  "lsm.s/file_open");
    const RunResult r = run(*s);
    CHECK(int64_t(r.r0) == kEFAULT);
    const auto v = out_value(*s);
    CHECK(std::string(reinterpret_cast<const char*>(v.data()), 32) == std::string("/usr/bin/bpfplay-demo\0--verbose\0", 32));
    CHECK(u64_at(v, 40) == 0);
    CHECK(u64_at(v, 32) == ~uint64_t(0));  // -EINVAL before the buffer is touched
    CHECK(int64_t(u64_at(v, 48)) == kEINVAL);
}

TEST_CASE("bpf_get_func_arg, _ret and _arg_cnt read the trampoline's u64 args[] by the target's BTF prototype") {
    // do_unlinkat(int dfd, struct filename *name): 2 arguments, then fexit's return value.
    const std::string text = "r6 = {out.value} ll\nr9 = r1\n"
                             "call 185\n*(u64 *)(r6 + 0) = r0\n"
                             "r1 = r9\nr2 = 1\nr3 = r6\nr3 += 8\ncall 183\n*(u64 *)(r6 + 16) = r0\n"
                             "r1 = 7\n*(u64 *)(r6 + 24) = r1\n"
                             "r1 = r9\nr2 = 2\nr3 = r6\nr3 += 24\ncall 183\n*(u64 *)(r6 + 32) = r0\n"
                             "r1 = 7\n*(u64 *)(r6 + 40) = r1\n"
                             "r1 = r9\nr2 = r6\nr2 += 40\ncall 184\n*(u64 *)(r6 + 48) = r0\nr0 = 0\nexit\n";
    SUBCASE("fexit: the return value follows the arguments") {
        auto s = prog(text, "fexit/do_unlinkat");
        run(*s, ctx_words({uint64_t(-100), 0xffff888003a1c000ull, uint64_t(-2)}));
        const auto v = out_value(*s);
        CHECK(u64_at(v, 0) == 2);
        CHECK(u64_at(v, 8) == 0xffff888003a1c000ull);
        CHECK(u64_at(v, 16) == 0);
        CHECK(u64_at(v, 24) == 7);  // n out of range: -EINVAL, *value untouched
        CHECK(int64_t(u64_at(v, 32)) == kEINVAL);
        CHECK(int64_t(u64_at(v, 40)) == -2);
        CHECK(u64_at(v, 48) == 0);
    }
    SUBCASE("fentry: no return value yet: -EOPNOTSUPP and *value untouched") {
        auto s = prog(text, "fentry/do_unlinkat");
        run(*s, ctx_words({uint64_t(-100), 0x1000}));
        const auto v = out_value(*s);
        CHECK(u64_at(v, 0) == 2);
        CHECK(u64_at(v, 8) == 0x1000);
        CHECK(u64_at(v, 40) == 7);
        CHECK(int64_t(u64_at(v, 48)) == kEOPNOTSUPP);
    }
    SUBCASE("lsm: the hook's BTF function is bpf_lsm_<hook> (file_open: 1 argument), then its return value") {
        auto s = prog(text, "lsm/file_open");
        run(*s, ctx_words({0x1000, uint64_t(-13)}));
        const auto v = out_value(*s);
        CHECK(u64_at(v, 0) == 1);
        CHECK(int64_t(u64_at(v, 16)) == kEINVAL);  // arg 1 is past nr_args
        CHECK(int64_t(u64_at(v, 40)) == -13);
        CHECK(u64_at(v, 48) == 0);
    }
    SUBCASE("a function the emulated kernel's BTF lacks stops the run, naming it") {
        auto s = prog(text, "fentry/no_such_function");
        const RunResult r = s->run("asm", RunInput{});
        REQUIRE(r.error);
        CHECK(r.error->what.find("has no function \"no_such_function\"") != std::string::npos);
    }
}

TEST_CASE("bpf_get_func_ip: the traced function's address from the host's kernel_functions") {
    auto ip = [](std::string_view section) {
        auto s = prog("call 173\nexit\n", section);
        return run(*s).r0;
    };
    CHECK(ip("kprobe/do_sys_openat2") == 0xffffffff8140a1b0ull);
    CHECK(ip("kretprobe/do_sys_openat2") == 0xffffffff8140a1b0ull);
    CHECK(ip("kprobe/do_sys_openat2+0x10") == 0);  // not on the function's entry
    CHECK(ip("fentry/vfs_read") == 0xffffffff8140d6b0ull);
    CHECK(ip("fexit/do_unlinkat") == 0xffffffff81423f30ull);
    auto s = prog("call 173\nexit\n", "kprobe/not_in_kallsyms");
    const RunResult r = s->run("asm", RunInput{});
    REQUIRE(r.error);
    CHECK(r.error->what.find("kernel_functions has no \"not_in_kallsyms\"") != std::string::npos);
}

TEST_CASE("bpf_get_attach_cookie: the host's cookie for the program, 0 when it has none") {
    auto s = prog("call 174\nexit\n", "kprobe/do_sys_openat2");
    CHECK(run(*s).r0 == 0);
    s->host().attach_cookies["asm"] = 0x1234567890ull;
    CHECK(run(*s).r0 == 0x1234567890ull);
}

TEST_CASE("bpf_send_signal(_thread): logged against the task; queued under a kprobe (-EBUSY for a second)") {
    // SIGKILL to the process, SIGUSR1 to the thread, then signal 65: results at out[0], [8], [16].
    const std::string text = "r6 = {out.value} ll\nr1 = 9\ncall 109\n*(u64 *)(r6 + 0) = r0\nr1 = 10\ncall 117\n"
                             "*(u64 *)(r6 + 8) = r0\nr1 = 65\ncall 109\n*(u64 *)(r6 + 16) = r0\nr0 = 0\nexit\n";
    SUBCASE("kprobe: interrupts are off, so the first signal waits on the CPU's irq_work") {
        auto s = prog(text, "kprobe/do_sys_openat2");
        const RunResult r = run(*s);
        const auto v = out_value(*s);
        CHECK(u64_at(v, 0) == 0);
        CHECK(int64_t(u64_at(v, 8)) == kEBUSY);
        CHECK(int64_t(u64_at(v, 16)) == kEINVAL);
        CHECK(events(r) == std::vector<std::string>{
                               "bpf_send_signal: SIGKILL (9) queued for process 4242 (bpfplay-demo), all its threads: "
                               "the kernel sends it once the program returns (it runs with interrupts off, so the "
                               "signal waits on this CPU's irq_work)"});
    }
    SUBCASE("fentry: preemptible, so each signal is sent at once") {
        auto s = prog(text, "fentry/do_sys_openat2");
        const RunResult r = run(*s);
        const auto v = out_value(*s);
        CHECK(u64_at(v, 0) == 0);
        CHECK(u64_at(v, 8) == 0);
        CHECK(int64_t(u64_at(v, 16)) == kEINVAL);
        CHECK(events(r) == std::vector<std::string>{
                               "bpf_send_signal: SIGKILL (9) sent to process 4242 (bpfplay-demo), all its threads",
                               "bpf_send_signal_thread: SIGUSR1 (10) sent to thread 4242 (bpfplay-demo) alone"});
    }
    SUBCASE("pid 1 is never signalled: -EPERM") {
        auto s = prog("r1 = 9\ncall 109\nexit\n", "fentry/do_sys_openat2");
        s->host().task.tgid = 1;
        const RunResult r = run(*s);
        CHECK(int64_t(r.r0) == kEPERM);
        CHECK(r.host_events.empty());
    }
}

TEST_CASE("bpf_get_ns_current_pid_tgid: the ids in the task's pid namespace when dev and ino name it") {
    // struct bpf_pidns_info at out[0..8); results at out[16..]
    auto call = [](uint64_t dev, uint64_t ino, uint32_t size, uint32_t at) {
        return "r1 = -1\n*(u64 *)(r6 + " + std::to_string(at) + ") = r1\nr1 = " + hex_arg(dev) + "\nr2 = " +
               hex_arg(ino) + "\nr3 = r6\nr3 += " + std::to_string(at) + "\nr4 = " + std::to_string(size) +
               "\ncall 120\n*(u64 *)(r6 + " + std::to_string(at + 8) + ") = r0\n";
    };
    auto s = prog("r6 = {out.value} ll\n" + call(4, 4026531836ull, 8, 0) + call(4, 4026531837ull, 8, 16) +
                      call(4, 4026531836ull, 4, 32) + call(0x100000004ull, 4026531836ull, 8, 48) + "r0 = 0\nexit\n",
                  "kprobe/do_sys_openat2");
    run(*s);
    const auto v = out_value(*s);
    CHECK(u64_at(v, 0) == (uint64_t(4242) << 32 | 4242));
    CHECK(u64_at(v, 8) == 0);
    CHECK(u64_at(v, 16) == 0);  // wrong namespace: cleared
    CHECK(int64_t(u64_at(v, 24)) == kEINVAL);
    CHECK(u64_at(v, 32) == 0xffffffff00000000ull);  // size 4: the 4 bytes cleared
    CHECK(int64_t(u64_at(v, 40)) == kEINVAL);
    CHECK(u64_at(v, 48) == 0);  // dev wider than dev_t
    CHECK(int64_t(u64_at(v, 56)) == kEINVAL);
}

TEST_CASE("bpf_task_pt_regs: the user registers at the top of the task's kernel stack") {
    // orig_ax (offset 120), ip (128), si (104), cs (136) of the current task; cs of init_task.
    auto s = prog("r6 = {out.value} ll\ncall 158\nr1 = r0\ncall 175\n"
                  "r1 = *(u64 *)(r0 + 120)\n*(u64 *)(r6 + 0) = r1\nr1 = *(u64 *)(r0 + 128)\n*(u64 *)(r6 + 8) = r1\n"
                  "r1 = *(u64 *)(r0 + 104)\n*(u64 *)(r6 + 16) = r1\nr1 = *(u64 *)(r0 + 136)\n*(u64 *)(r6 + 24) = r1\n"
                  "r1 = " + hex_arg(task_address(2)) + "\ncall 175\nr1 = *(u64 *)(r0 + 136)\n*(u64 *)(r6 + 32) = r1\n"
                  "r0 = 0\nexit\n",
                  "kprobe/do_sys_openat2");
    run(*s);
    const auto v = out_value(*s);
    CHECK(u64_at(v, 0) == 257);  // openat
    CHECK(u64_at(v, 8) == 0x7f8e5a114887ull);
    CHECK(u64_at(v, 16) == kPath);
    CHECK(u64_at(v, 24) == 0x33);
    CHECK(u64_at(v, 32) == 0);  // a kernel thread's registers: not user mode
}

TEST_CASE("bpf_get_task_stack: the current task's stacks; another task's user stack is -EOPNOTSUPP") {
    auto call = [](uint64_t task, uint32_t size, uint64_t flags, uint32_t at) {
        return "r1 = " + hex_arg(task) + "\nr2 = r6\nr2 += " + std::to_string(at) + "\nr3 = " +
               std::to_string(size) + "\nr4 = " + std::to_string(flags) + "\ncall 141\n*(u64 *)(r6 + 56) = r0\n"
               "r1 = *(u64 *)(r6 + 56)\nr1 &= 0xff\nr0 = r9\nr0 <<= 8\nr0 |= r1\nr9 = r0\n";
    };
    auto s = prog("r6 = {out.value} ll\nr9 = 0\n" + call(task_address(0), 16, 0, 0) +
                      call(task_address(0), 8, 0x100, 16) + call(task_address(1), 8, 0x100, 24) +
                      call(task_address(2), 8, 0x100, 32) + call(task_address(1), 8, 0, 40) +
                      call(task_address(0), 8, 0x200, 48) + "r0 = r9\nexit\n",
                  "kprobe/do_sys_openat2");
    const RunResult r = run(*s);
    const auto v = out_value(*s);
    CHECK(u64_at(v, 0) == 0xffffffff8140a1b0ull);
    CHECK(u64_at(v, 8) == 0xffffffff8140a6f5ull);
    CHECK(u64_at(v, 16) == 0x7f8e5a114887ull);
    CHECK(r.r0 == (uint64_t(16) << 40 | uint64_t(8) << 32 | uint64_t(uint8_t(kEOPNOTSUPP)) << 24 |
                   uint64_t(uint8_t(kEFAULT)) << 16 | uint64_t(0) << 8 | uint8_t(kEINVAL)));
}

TEST_CASE("bpf_read_branch_records and bpf_get_branch_snapshot: no LBR on the emulated CPU: -ENOENT, -EINVAL for flags") {
    auto records = prog("r6 = {out.value} ll\nr7 = r1\n"
                        "r2 = r6\nr3 = 24\nr4 = 0\ncall 119\n*(u64 *)(r6 + 24) = r0\n"
                        "r1 = r7\nr2 = 0\nr3 = 0\nr4 = 1\ncall 119\n*(u64 *)(r6 + 32) = r0\n"
                        "r1 = r7\nr2 = 0\nr3 = 0\nr4 = 2\ncall 119\n*(u64 *)(r6 + 40) = r0\nr0 = 0\nexit\n",
                        "perf_event");
    const RunResult r = run(*records, std::vector<uint8_t>(64, 0));
    auto v = out_value(*records);
    CHECK(int64_t(u64_at(v, 24)) == -2);
    CHECK(int64_t(u64_at(v, 32)) == -2);  // even the size query: the sample has no branch stack
    CHECK(int64_t(u64_at(v, 40)) == kEINVAL);
    CHECK(r.host_events.size() == 2);
    auto snapshot = prog("r6 = {out.value} ll\nr1 = r6\nr2 = 48\nr3 = 0\ncall 176\n*(u64 *)(r6 + 48) = r0\n"
                         "r1 = r6\nr2 = 48\nr3 = 1\ncall 176\n*(u64 *)(r6 + 56) = r0\nr0 = 0\nexit\n",
                         "fentry/vfs_read");
    const RunResult r2 = run(*snapshot);
    v = out_value(*snapshot);
    CHECK(int64_t(u64_at(v, 48)) == -2);
    CHECK(int64_t(u64_at(v, 56)) == kEINVAL);
    CHECK(events(r2) == std::vector<std::string>{
                            "bpf_get_branch_snapshot: no branches copied: the emulated CPU has no LBR (Last Branch "
                            "Record) hardware, so the snapshot holds 0 entries and the kernel answers -ENOENT"});
}

TEST_CASE("bpf_perf_event_read(_value): the host's counter behind a PERF_EVENT_ARRAY slot of this CPU") {
    MapSpec ev;
    ev.type = MapType::PerfEventArray;
    ev.name = "ev";
    ev.key_size = 4;
    ev.value_size = 4;
    ev.max_entries = 8;  // slots 0-3: readers on CPUs 0-3; 4-7 empty
    auto read = [](uint64_t flags, uint32_t at) {
        return "r1 = {ev} ll\nr2 = " + hex_arg(flags) + "\ncall 22\n*(u64 *)(r6 + " + std::to_string(at) + ") = r0\n";
    };
    auto s = open_asm("r6 = {out.value} ll\n" + read(0xffffffffull, 0) + read(1, 8) + read(5, 16) + read(9, 24) +
                          read(1ull << 32, 32) +
                          "r1 = {ev} ll\nr2 = 0\nr3 = r6\nr3 += 40\nr4 = 24\ncall 55\nr7 = r0\n"
                          "r1 = {ev} ll\nr2 = 1\nr3 = r10\nr3 += -24\nr4 = 24\ncall 55\nr7 <<= 8\nr0 &= 0xff\nr7 |= r0\n"
                          "r1 = {ev} ll\nr2 = 0\nr3 = r10\nr3 += -24\nr4 = 16\ncall 55\nr7 <<= 8\nr0 &= 0xff\nr7 |= r0\n"
                          "r0 = r7\nexit\n",
                      {array_spec("out", 64), ev}, "kprobe/do_sys_openat2");
    attach_perf_readers(*s->object().maps, s->host().ncpus);
    s->host().perf_counters[0] = {123456789, 5000, 4000};
    const RunResult r = run(*s);
    auto v = out_value(*s);
    CHECK(u64_at(v, 0) == 123456789);
    CHECK(int64_t(u64_at(v, 8)) == kEINVAL);  // the event of slot 1 counts on CPU 1
    CHECK(int64_t(u64_at(v, 16)) == -2);      // -ENOENT: no event in slot 5
    CHECK(int64_t(u64_at(v, 24)) == -7);      // -E2BIG: past max_entries
    CHECK(int64_t(u64_at(v, 32)) == kEINVAL); // flags beyond the index
    CHECK(u64_at(v, 40) == 123456789);
    CHECK(u64_at(v, 48) == 5000);
    CHECK(u64_at(v, 56) == 4000);
    CHECK(r.r0 == (uint64_t(0) << 16 | uint64_t(uint8_t(kEINVAL)) << 8 | uint8_t(kEINVAL)));

    s->host().perf_counters.clear();  // slot 0 now holds the reader's bpf-output event
    const RunResult r2 = run(*s);
    v = out_value(*s);
    CHECK(u64_at(v, 0) == 0);
    CHECK(r2.host_events.size() == 2);
    CHECK(events(r2)[0] ==
          "bpf_perf_event_read: slot 0 holds the bpf-output event a perf buffer reader opened on CPU 0, which counts "
          "nothing: 0 (give the host a perf_counters entry for that CPU to read a counter)");
}

TEST_CASE("bpf_perf_prog_read_value: the sampling event's counter on this CPU; -EINVAL for a wrong size") {
    auto s = prog("r6 = {out.value} ll\nr7 = r1\nr2 = r6\nr3 = 24\ncall 56\n*(u64 *)(r6 + 24) = r0\n"
                  "r1 = -1\n*(u64 *)(r6 + 32) = r1\nr1 = r7\nr2 = r6\nr2 += 32\nr3 = 8\ncall 56\n"
                  "*(u64 *)(r6 + 40) = r0\nr0 = 0\nexit\n",
                  "perf_event");
    s->host().perf_counters[0] = {42, 100, 100};
    run(*s, std::vector<uint8_t>(64, 0));
    const auto v = out_value(*s);
    CHECK(u64_at(v, 0) == 42);
    CHECK(u64_at(v, 8) == 100);
    CHECK(u64_at(v, 16) == 100);
    CHECK(u64_at(v, 24) == 0);
    CHECK(u64_at(v, 32) == 0);  // cleared
    CHECK(int64_t(u64_at(v, 40)) == kEINVAL);
}

TEST_CASE("host JSON: user_memory, kernel_functions and attach_cookies are read, written back, and checked") {
    Host h;
    h.user_memory = {{0x1000, {'h', 'i', 0}}, {0x2000, {0xde, 0xad}}};
    h.kernel_functions = {{"vfs_read", 0xffffffff8140d6b0ull}};
    h.attach_cookies = {{"trace_open", 42}};
    h.perf_counters = {{1, {7, 9, 8}}};
    Host back;
    auto read = apply_host_json(back, host_json(h));
    REQUIRE_MESSAGE(read.ok(), (read.ok() ? "" : read.error().to_string()));
    CHECK(back.user_memory == h.user_memory);
    CHECK(back.kernel_functions == h.kernel_functions);
    CHECK(back.attach_cookies == h.attach_cookies);
    CHECK(back.perf_counters == h.perf_counters);
    CHECK(host_json(h).find("\"hex\": \"dead\"") != std::string::npos);

    auto err = apply_host_json(back, R"({"user_memory": [{"addr": "0x1000", "text": "ab"}, {"addr": "0x1001", "hex": "00"}]})");
    REQUIRE(!err.ok());
    CHECK(err.error().what == "host JSON: user_memory[1]: overlaps the region at 0x1000");
    err = apply_host_json(back, R"({"perf_counters": [{"cpu": 0, "enabled_ns": 5, "running_ns": 6}]})");
    REQUIRE(!err.ok());
    CHECK(err.error().what ==
          "host JSON: perf_counters[0].running_ns: an event runs only while enabled: running_ns is at most enabled_ns");
}

}  // namespace bpfplay::testing
