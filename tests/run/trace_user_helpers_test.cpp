// bpf_find_vma, bpf_d_path, bpf_probe_write_user and bpf_override_return (core/run/
// trace_user_helpers.cpp) against the default host: its memory map (core/host/host_vmas.cpp),
// its user memory and its kernel objects. Expected values follow kernel/bpf/task_iter.c,
// kernel/trace/bpf_trace.c and fs/d_path.c (Linux 6.18); the kernel cannot run fentry or kprobe
// programs under BPF_PROG_TEST_RUN, so they are derived from its source, not recorded.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/host_json.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

constexpr int64_t kEPERM = -1, kENOENT = -2, kEFAULT = -14, kEBUSY = -16, kEINVAL = -22, kENAMETOOLONG = -36;
constexpr uint64_t kPath = 0x55d0c4a03010ull;  // "/etc/hostname\0", in the binary's rw-p data
constexpr uint64_t kLibcText = 0x7f8e5a114887ull;  // __libc_open64+0x57, in libc's r-xp area

// The offset of `path` in `type` as the kernel BTF lays it out (anonymous members included).
uint64_t off(std::string_view type, std::string_view path) {
    KernelObjectWriter w(builtin_target_btf(), 0x1000);
    const uint64_t a = w.allocate(type);
    const auto f = w.field_address(a, type, path);
    REQUIRE(f);
    return *f - a;
}

std::string n(uint64_t v) { return std::to_string(v); }
std::string ll(uint64_t v) { return std::to_string(v) + " ll"; }

RunResult run(ObjectSession& s) {
    RunInput in;
    in.packet.assign(64, 0);
    return s.run("asm", in);
}

std::vector<std::string> events(const RunResult& r) {
    std::vector<std::string> out;
    for (const HostEvent& e : r.host_events) out.push_back(e.helper + ": " + e.text);
    return out;
}

// bpf_find_vma(task, addr, callback, &calls, flags); the callback copies vm_start, vm_end,
// vm_flags, vm_pgoff, the first 8 bytes of vm_file's name and its r1 (the task) to out[0..48)
// and counts its calls in the caller's stack; out[48] = r0 of the helper, out[56] = the calls.
std::unique_ptr<ObjectSession> find_vma_prog(uint64_t task, uint64_t addr, uint64_t flags,
                                             std::string_view section = "fentry/do_sys_openat2") {
    const std::string text =
        "r6 = {out.value} ll\n"                 // 0-1
        "r1 = 0\n*(u64 *)(r10 - 8) = r1\n"      // 2-3
        "r1 = " + ll(task) + "\n"               // 4-5
        "r2 = " + ll(addr) + "\n"               // 6-7
        "r3 = func(+10) ll\n"                   // 8-9: the callback at 19
        "r4 = r10\nr4 += -8\nr5 = " + n(flags) + "\ncall 180\n"  // 10-13
        "*(u64 *)(r6 + 48) = r0\nr1 = *(u64 *)(r10 - 8)\n*(u64 *)(r6 + 56) = r1\nr0 = 0\nexit\n"  // 14-18
        "r6 = {out.value} ll\n"                 // 19-20: r1 = task, r2 = vma, r3 = ctx
        "r7 = *(u64 *)(r2 + " + n(off("vm_area_struct", "vm_start")) + ")\n*(u64 *)(r6 + 0) = r7\n"
        "r7 = *(u64 *)(r2 + " + n(off("vm_area_struct", "vm_end")) + ")\n*(u64 *)(r6 + 8) = r7\n"
        "r7 = *(u64 *)(r2 + " + n(off("vm_area_struct", "vm_flags")) + ")\n*(u64 *)(r6 + 16) = r7\n"
        "r7 = *(u64 *)(r2 + " + n(off("vm_area_struct", "vm_pgoff")) + ")\n*(u64 *)(r6 + 24) = r7\n"
        "*(u64 *)(r6 + 40) = r1\n"
        "r7 = *(u64 *)(r2 + " + n(off("vm_area_struct", "vm_file")) + ")\n"
        "if r7 == 0 goto +3\n"
        "r7 = *(u64 *)(r7 + " + n(off("file", "f_path.dentry")) + ")\n"
        "r7 = *(u64 *)(r7 + " + n(off("dentry", "d_name.name")) + ")\n"
        "r7 = *(u64 *)(r7 + 0)\n"
        "*(u64 *)(r6 + 32) = r7\n"
        "r8 = *(u64 *)(r3 + 0)\nr8 += 1\n*(u64 *)(r3 + 0) = r8\n"
        "r0 = 0\nexit\n";
    return open_asm(text, {array_spec("out", 64)}, section);
}

uint64_t text8(const char* s) {
    uint64_t x = 0;
    std::memcpy(&x, s, std::min<size_t>(8, std::strlen(s)));
    return x;
}

}  // namespace

TEST_CASE("bpf_find_vma runs the callback once with the task and the area holding the address; it returns 0") {
    auto s = find_vma_prog(current_task_address(), kLibcText, 0);
    const RunResult r = run(*s);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    const auto v = out_value(*s);
    CHECK(u64_at(v, 0) == 0x7f8e5a028000ull);
    CHECK(u64_at(v, 8) == 0x7f8e5a1bd000ull);
    CHECK(u64_at(v, 16) == 0x75);  // VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
    CHECK(u64_at(v, 24) == 0x28);  // file offset 0x28000
    CHECK(u64_at(v, 32) == text8("libc.so.6"));
    CHECK(u64_at(v, 40) == current_task_address());
    CHECK(u64_at(v, 48) == 0);
    CHECK(u64_at(v, 56) == 1);
    CHECK(r.host_events.empty());  // a trampoline runs with interrupts on: the lock is dropped at once
}

TEST_CASE("bpf_find_vma: the stack (VM_GROWSDOWN), an anonymous area, and the last byte of an area") {
    auto stack = find_vma_prog(current_task_address(), 0x7ffd5e3c1f00ull, 0);
    REQUIRE(run(*stack).status == RunStatus::Exited);
    auto v = out_value(*stack);
    CHECK(u64_at(v, 0) == 0x7ffd5e3a2000ull);
    CHECK(u64_at(v, 16) == 0x173);  // VM_READ | VM_WRITE | VM_MAY* | VM_GROWSDOWN
    CHECK(u64_at(v, 32) == 0);      // no vm_file
    auto last = find_vma_prog(current_task_address(), 0x55d0c4a01fffull, 0);
    REQUIRE(run(*last).status == RunStatus::Exited);
    v = out_value(*last);
    CHECK(u64_at(v, 0) == 0x55d0c4a01000ull);
    CHECK(u64_at(v, 24) == 1);
    CHECK(u64_at(v, 32) == text8("bpfplay-demo"));
}

TEST_CASE("bpf_find_vma errors: flags, an unmapped address, a task without mm, the parent's unmodelled map, NULL") {
    struct Case {
        uint64_t task, addr, flags;
        int64_t r0;
    };
    for (const Case& c : {Case{current_task_address(), kLibcText, 1, kEINVAL},
                          Case{current_task_address(), 0x1000, 0, kENOENT},
                          Case{current_task_address(), 0x55d0c4a04000ull, 0, kENOENT},  // the gap after the data
                          Case{task_address(2), kLibcText, 0, kENOENT},                 // init_task: no mm
                          Case{task_address(1), kLibcText, 0, kENOENT},
                          Case{0, kLibcText, 0, kENOENT}}) {
        CAPTURE(c.addr);
        auto s = find_vma_prog(c.task, c.addr, c.flags);
        REQUIRE(run(*s).status == RunStatus::Exited);
        const auto v = out_value(*s);
        CHECK(int64_t(u64_at(v, 48)) == c.r0);
        CHECK(u64_at(v, 56) == 0);  // the callback never ran
    }
}

TEST_CASE("bpf_find_vma with interrupts off: a second call before the program returns gets -EBUSY") {
    const std::string call = "r1 = " + ll(current_task_address()) + "\nr2 = " + ll(kLibcText) + "\n";
    const std::string text = "r9 = {out.value} ll\n" + call +  // 0-5
                             "r3 = func(+17) ll\nr4 = 0\nr5 = 0\ncall 180\n*(u64 *)(r9 + 0) = r0\n" +  // 6-11
                             call +                                                                    // 12-15
                             "r3 = func(+7) ll\nr4 = 0\nr5 = 0\ncall 180\n*(u64 *)(r9 + 8) = r0\n"     // 16-21
                             "r0 = 0\nexit\nr0 = 0\nexit\n";  // 22-23, the callback at 24
    auto kprobe = open_asm(text, {array_spec("out", 64)}, "kprobe/do_sys_openat2");
    const RunResult r = run(*kprobe);
    REQUIRE(r.status == RunStatus::Exited);
    auto v = out_value(*kprobe);
    CHECK(u64_at(v, 0) == 0);
    CHECK(int64_t(u64_at(v, 8)) == kEBUSY);
    CHECK(events(r) == std::vector<std::string>{
                           "bpf_find_vma: took the mmap_lock of the current task (pid 4242); this CPU's irq_work "
                           "releases it once the program returns (interrupts are off), so another bpf_find_vma "
                           "before then gets -EBUSY"});
    auto fentry = open_asm(text, {array_spec("out", 64)}, "fentry/do_sys_openat2");
    REQUIRE(run(*fentry).status == RunStatus::Exited);
    v = out_value(*fentry);
    CHECK(u64_at(v, 0) == 0);
    CHECK(u64_at(v, 8) == 0);
}

TEST_CASE("bpf_find_vma refuses a callback that is not a function of the program (r3)") {
    auto s = open_asm("r1 = " + ll(current_task_address()) + "\nr2 = 0\nr3 = 7\nr4 = 0\nr5 = 0\ncall 180\nexit\n",
                      {array_spec("out", 64)}, "fentry/do_sys_openat2");
    const RunResult r = run(*s);
    REQUIRE(r.error);
    CHECK(r.error->what ==
          "bpf_find_vma: r3 = 0x7 is not the address of a function of this program: the kernel's verifier refuses "
          "it (\"R3 type=scalar expected=func\")");
}

TEST_CASE("host JSON vmas: read, written back only when changed, and checked") {
    Host h;
    CHECK(host_json(h).find("\"vmas\"") == std::string::npos);
    REQUIRE(apply_host_json(h, R"({"vmas": [
        {"start": "0x400000", "end": "0x401000", "flags": "r-xp", "pgoff": 0, "file": "/opt/app"},
        {"start": 4198400, "end": "0x402000", "flags": "rw-s", "file": "/dev/shm/ring"},
        {"start": "0x7ffc00000000", "end": "0x7ffc00021000", "flags": "rw-p", "file": "[stack]"}]})")
                .ok());
    REQUIRE(h.vmas.size() == 3);
    CHECK(h.vmas[1] == HostVma{0x401000, 0x402000, "rw-s", 0, "/dev/shm/ring"});
    CHECK(vm_flags_of(h.vmas[1]) == 0xfb);  // VM_READ | VM_WRITE | VM_SHARED | VM_MAY* | VM_MAYSHARE
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)).ok());
    CHECK(back.vmas == h.vmas);
    auto error_of = [](std::string_view json) {
        Host x;
        auto r = apply_host_json(x, json);
        REQUIRE_FALSE(r.ok());
        CHECK(x.vmas == default_vmas());
        return r.error().what;
    };
    CHECK(error_of(R"({"vmas": [{"start": 4096, "end": 8192, "flags": "r-xp", "path": "/a"}]})") ==
          "host JSON: vmas[0]: unknown member \"path\" (known: start, end, flags, pgoff, file)");
    CHECK(error_of(R"({"vmas": [{"start": 4097, "end": 8192, "flags": "r-xp"}]})") ==
          "host JSON: vmas[0].start: expected a page-aligned user address below 0x7ffffffff000: a number or a hex "
          "string like \"0x7ffd5e3a2000\"");
    CHECK(error_of(R"({"vmas": [{"start": 8192, "end": 8192, "flags": "r-xp"}]})") ==
          "host JSON: vmas[0].end: the area ends at or before its start");
    CHECK(error_of(R"({"vmas": [{"start": 4096, "end": 8192, "flags": "rwx"}]})") ==
          "host JSON: vmas[0].flags: expected permissions as /proc/<pid>/maps shows them: r or -, w or -, x or -, "
          "then p (private) or s (shared), like \"r-xp\"");
    CHECK(error_of(R"({"vmas": [{"start": 4096, "end": 12288, "flags": "r--p"},
                                {"start": 8192, "end": 16384, "flags": "r--p"}]})") ==
          "host JSON: vmas[1].start: areas are listed in ascending order and do not overlap: this one starts below "
          "the end of the one before (0x3000)");
    CHECK(error_of(R"({"vmas": [{"start": 4096, "end": 8192, "flags": "r--p", "file": "lib.so"}]})") ==
          "host JSON: vmas[0].file: expected an absolute path (\"/usr/lib/libc.so.6\"), a name in brackets for an "
          "anonymous mapping (\"[heap]\"), or \"\"");
}

TEST_CASE("kernel objects: the memory map and its files, with d_parent chains up to the root") {
    Host h;
    std::vector<std::string> errors;
    const std::vector<uint8_t> bytes = build_kernel_objects(h, &errors);
    CHECK(errors.empty());
    const uint64_t base = current_task_address();
    auto u64 = [&](uint64_t a) { return u64_at(bytes, a - base); };
    const uint64_t mm = u64(base + off("task_struct", "mm"));
    CHECK(u64(vma_address(0) + off("vm_area_struct", "vm_mm")) == mm);
    CHECK(uint32_t(u64(mm + off("mm_struct", "map_count"))) == 14);
    CHECK(u64(mm + off("mm_struct", "start_brk")) == 0x55d0c5f1e000ull);
    CHECK(u64(mm + off("mm_struct", "start_stack")) == 0x7ffd5e3c3000ull);
    // The binary's text area maps the same struct file as mm->exe_file.
    CHECK(u64(vma_address(1) + off("vm_area_struct", "vm_file")) == u64(mm + off("mm_struct", "exe_file")));
    // libc's dentry -> x86_64-linux-gnu -> lib -> usr -> / (its own parent)
    uint64_t d = u64(u64(vma_address(5) + off("vm_area_struct", "vm_file")) + off("file", "f_path.dentry"));
    std::string path;
    for (int i = 0; i < 8 && u64(d + off("dentry", "d_parent")) != d; ++i) {
        const uint64_t name = u64(d + off("dentry", "d_name.name"));
        path = "/" + std::string(reinterpret_cast<const char*>(bytes.data() + (name - base))) + path;
        d = u64(d + off("dentry", "d_parent"));
    }
    CHECK(path == "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

namespace {

// bpf_d_path(<path>, out, sz) with out[0..16) first set to 0xff; r0 the helper's result.
// `path` loads the struct path's address into r1 from the current task in r0.
std::unique_ptr<ObjectSession> d_path_prog(const std::string& path, uint32_t sz, std::string_view section) {
    return open_asm("r6 = {out.value} ll\nr1 = -1\n*(u64 *)(r6 + 0) = r1\n*(u64 *)(r6 + 8) = r1\ncall 158\n" + path +
                        "r2 = r6\nr3 = " + n(sz) + "\ncall 147\nexit\n",
                    {array_spec("out", 64)}, section);
}

std::string exe_path() {
    return "r1 = *(u64 *)(r0 + " + n(off("task_struct", "mm")) + ")\nr1 = *(u64 *)(r1 + " +
                             n(off("mm_struct", "exe_file")) + ")\nr1 += " + n(off("file", "f_path.mnt")) + "\n";
}

}  // namespace

TEST_CASE("bpf_d_path writes the full path and returns its length with the NUL") {
    auto s = d_path_prog(exe_path(), 64, "fentry/security_file_open");
    const RunResult r = run(*s);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 22);
    const auto v = out_value(*s);
    CHECK(std::string(reinterpret_cast<const char*>(v.data()), 22) == std::string("/usr/bin/bpfplay-demo\0", 22));
    // The root: "/" (2 bytes); fs->root is a struct path too.
    const std::string root = "r1 = *(u64 *)(r0 + " + n(off("task_struct", "fs")) + ")\nr1 += " +
                             n(off("fs_struct", "root.mnt")) + "\n";
    auto rs = d_path_prog(root, 64, "lsm.s/file_open");
    REQUIRE(run(*rs).status == RunStatus::Exited);
    CHECK(run(*rs).r0 == 2);
    CHECK(std::string(reinterpret_cast<const char*>(out_value(*rs).data())) == "/");
}

TEST_CASE("bpf_d_path: -ENAMETOOLONG keeps what fitted at the buffer's end; sz 0 writes nothing") {
    auto s = d_path_prog(exe_path(), 16, "fentry/security_file_open");
    const RunResult r = run(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(int64_t(r.r0) == kENAMETOOLONG);
    const auto v = out_value(*s);
    // The NUL, then "/bpfplay-demo" (13 bytes) fitted; "/bin" did not: bytes 0 and 1 untouched.
    CHECK(std::vector<uint8_t>(v.begin(), v.begin() + 16) ==
          std::vector<uint8_t>{0xff, 0xff, '/', 'b', 'p', 'f', 'p', 'l', 'a', 'y', '-', 'd', 'e', 'm', 'o', 0});
    auto zero = d_path_prog(exe_path(), 0, "fentry/security_file_open");
    REQUIRE(run(*zero).status == RunStatus::Exited);
    CHECK(run(*zero).r0 == 0);
    CHECK(u64_at(out_value(*zero), 0) == ~0ull);
}

TEST_CASE("bpf_d_path only where btf_allowlist_d_path or a sleepable LSM hook allows it") {
    for (std::string_view section : {"fentry/vfs_read", "lsm/file_permission"}) {
        CAPTURE(section);
        auto s = d_path_prog(exe_path(), 64, section);
        const RunResult r = run(*s);
        REQUIRE(r.error);
        CHECK(r.error->what.starts_with("bpf_d_path: helper call is not allowed in probe"));
    }
    auto s = d_path_prog("r1 = " + ll(current_task_address()) + "\n", 64, "fentry/security_file_open");
    const RunResult r = run(*s);
    REQUIRE(r.error);
    CHECK(r.error->what.find("is not a struct path the emulated kernel has") != std::string::npos);
}

namespace {

// A raw program (no section: the catalog refuses it no helper) storing "/tmp/x\0\0" at dst.
std::unique_ptr<ObjectSession> write_user_prog(uint64_t dst, uint32_t size, Host host = {}) {
    auto s = ObjectSession::open_assembly("r1 = " + ll(text8("/tmp/x")) + "\n*(u64 *)(r10 - 8) = r1\nr1 = " + ll(dst) +
                                              "\nr2 = r10\nr2 += -8\nr3 = " + n(size) + "\ncall 36\nexit\n",
                                          "", std::move(host));
    REQUIRE(s.ok());
    return std::move(s).value();
}

const std::string kWarning =
    "bpf_probe_write_user: kernel log: \"bpfplay-demo[4242] is installing a program with bpf_probe_write_user "
    "helper that may corrupt user memory!\"";

}  // namespace

TEST_CASE("bpf_probe_write_user writes the task's user memory; the kernel's warning is logged") {
    auto s = write_user_prog(kPath, 8);
    const RunResult r = run(*s);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0);
    const UserRegion* region = s->host().user_region(kPath, 14);
    REQUIRE(region);
    CHECK(region->bytes == std::vector<uint8_t>{'/', 't', 'm', 'p', '/', 'x', 0, 0, 't', 'n', 'a', 'm', 'e', 0});
    CHECK(events(r) == std::vector<std::string>{
                           kWarning, "bpf_probe_write_user: 8 byte(s) written to the user memory of pid 4242 at "
                                     "0x55d0c4a03010"});
}

TEST_CASE("bpf_probe_write_user: -EFAULT past the region (the bytes before are written), in a read-only area, "
          "at a kernel address; -EPERM for an exiting task") {
    auto partial = write_user_prog(kPath + 8, 8);
    RunResult r = run(*partial);
    CHECK(int64_t(r.r0) == kEFAULT);
    CHECK(partial->host().user_region(kPath, 14)->bytes ==
          std::vector<uint8_t>{'/', 'e', 't', 'c', '/', 'h', 'o', 's', '/', 't', 'm', 'p', '/', 'x'});
    CHECK(events(r).back() ==
          "bpf_probe_write_user: 6 byte(s) written to the user memory of pid 4242 at 0x55d0c4a03018; the next one "
          "is not writable user memory (-EFAULT)");
    Host ro;
    ro.user_memory.push_back({0x55d0c4a02000ull, {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}});  // in the r--p area
    auto read_only = write_user_prog(0x55d0c4a02000ull, 8, ro);
    r = run(*read_only);
    CHECK(int64_t(r.r0) == kEFAULT);
    CHECK(read_only->host().user_region(0x55d0c4a02000ull, 8)->bytes[0] == 'a');
    CHECK(events(r) == std::vector<std::string>{kWarning});
    auto kernel = write_user_prog(0xffff888000000000ull, 8);
    CHECK(int64_t(run(*kernel).r0) == kEFAULT);
    Host exiting;
    exiting.task.exit_code = 256;
    auto ex = write_user_prog(kPath, 8, exiting);
    CHECK(int64_t(run(*ex).r0) == kEPERM);
    CHECK(ex->host().user_region(kPath, 14)->bytes[1] == 'e');
}

TEST_CASE("bpf_probe_write_user and bpf_override_return: no program type may call them on this kernel") {
    auto refused = ObjectSession::open_assembly("r2 = 8\ncall 36\nexit\n", "kprobe/do_sys_openat2");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().what == "program of type kprobe cannot use helper bpf_probe_write_user#36");
    refused = ObjectSession::open_assembly("r2 = -12\ncall 58\nexit\n", "kprobe/__x64_sys_openat");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().what == "program of type kprobe cannot use helper bpf_override_return#58");
}

TEST_CASE("bpf_override_return: the probed function is skipped and returns rc (event log)") {
    auto s = ObjectSession::open_assembly("r2 = -12\ncall 58\nexit\n", "");
    REQUIRE(s.ok());
    const RunResult r = run(*s.value());
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 0);
    CHECK(events(r) == std::vector<std::string>{
                           "bpf_override_return: the probed function is not run: the kprobe returns to its caller "
                           "with -12 in rax (regs->ax = 0xfffffffffffffff4)"});
}

}  // namespace bpfplay::testing
