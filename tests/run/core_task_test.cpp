// CO-RE against the emulated kernel at run time: bpf_get_current_task(_btf) returns a
// read-only task_struct laid out as the built-in target BTF says, and relocated programs read
// it. Uses tests/loader/fixtures/core_kinds.o (every relocation kind, results stored in .bss)
// and public/examples/task_core.o.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/object_session.hpp"

using namespace bpfplay;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

std::unique_ptr<ObjectSession> open(const std::string& path, const std::string& name, Host host) {
    auto bytes = read_file(std::string(BPFPLAY_SOURCE_DIR) + "/" + path);
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, name, std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

Host test_host() {
    Host h;
    h.task.pid = 4243;  // a thread of process 4242: pid and tgid differ, so a swap would show
    h.task.tgid = 4242;
    h.task.set_comm("curl");
    return h;
}

uint64_t u64_at(const std::vector<uint8_t>& b, size_t i) {
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v |= uint64_t(b.at(i * 8 + k)) << (8 * k);
    return v;
}

}  // namespace

TEST_CASE("task_core example: BPF_CORE_READ of the emulated current task and its parent") {
    auto s = open("public/examples/task_core.o", "task_core.o", test_host());
    RunResult r = s->run("task_core", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 1u);  // the parent is pid 1
    REQUIRE(r.printk.size() == 2);
    CHECK(r.printk[0] == "task curl pid 4243 tgid 4242");
    CHECK(r.printk[1] == "parent pid 1");
    // bpf_core_field_exists(task->no_such_field) became 0; the read behind it was poisoned.
    bool noted = false;
    for (const std::string& n : s->object().notes)
        noted |= n.find("failed to resolve CO-RE relocation") != std::string::npos &&
                 n.find("no_such_field") != std::string::npos;
    CHECK(noted);
}

TEST_CASE("core_kinds fixture: every relocation kind, as the program sees it") {
    Host host = test_host();
    auto s = open("tests/loader/fixtures/core_kinds.o", "core_kinds.o", host);
    RunResult r = s->run("core_kinds", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0u);
    const Map* bss = nullptr;
    for (uint32_t id = 0; id < s->object().maps->size(); ++id)
        if (s->object().maps->get(id)->name().ends_with(".bss")) bss = s->object().maps->get(id);
    REQUIRE(bss);
    auto entries = bss->entries();
    REQUIRE(entries.size() == 1);
    const std::vector<uint8_t>& out = entries[0].values.at(0);
    REQUIRE(out.size() == 32 * 8);

    const Btf& kernel = builtin_target_btf();
    const auto local_task = s->object().btf->find_by_name("task_struct___local", BtfKind::Struct);
    const auto kernel_task = kernel.find_by_name("task_struct", BtfKind::Struct);
    REQUIRE(local_task);
    REQUIRE(kernel_task);
    const uint64_t expected[27] = {
        1264,          // 0  byte_off task->pid (0 locally)
        16,            // 1  byte_sz task->comm
        1,             // 2  field_exists pid
        0,             // 3  field_exists not_in_kernel
        1,             // 4  signed pid (pid_t -> int)
        0,             // 5  signed flags (unsigned int in the kernel)
        55,            // 6  lshift_u64 in_iowait: bit 9544, read as the u32 at 1192 (63 locally)
        63,            // 7  rshift_u64 in_iowait: a 1-bit field
        1192,          // 8  byte_off in_iowait: its 4-byte storage unit (16 locally)
        4,             // 9  byte_sz in_iowait
        *local_task,   // 10 local_type_id
        *kernel_task,  // 11 target_type_id: the id in the built-in BTF
        1,             // 12 type_exists task_struct___local
        3264,          // 13 type_size in the kernel
        1,             // 14 type_exists own_thing: not a kernel type, resolved against the object
        16,            // 15 type_size own_thing
        1,             // 16 enumval_exists PIDTYPE_SID___local
        3,             // 17 enumval_value PIDTYPE_SID (10 locally)
        0,             // 18 enumval_exists PIDTYPE_GONE
        1,             // 19 type_exists pt_regs___mine
        104,           // 20 byte_off pt_regs->si: 14th of 21 unsigned longs (8 locally)
        7,             // 21 byte_off own_thing.b[3]: the object's own layout
        4243,          // 22 t->pid, a relocated direct load
        0x00400000,    // 23 t->flags: a u64 load (local type) resized to the kernel's u32
        1,             // 24 BPF_CORE_READ(t, parent, pid)
        0, 0,          // 25, 26 behind exists checks that are 0: never written
    };
    for (size_t i = 0; i < std::size(expected); ++i) {
        CAPTURE(i);
        CHECK(u64_at(out, i) == expected[i]);
    }
}

TEST_CASE("a poisoned CO-RE relocation faults only when its instruction runs") {
    auto s = open("tests/loader/fixtures/core_kinds.o", "core_kinds.o", test_host());
    RunResult r = s->run("core_poisoned", RunInput{});
    CHECK(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->where.pc == 1u);  // `r1 = 48` (offset of not_in_kernel), now call 0xbad2310
    CHECK(r.error->what.find("failed to resolve CO-RE relocation") != std::string::npos);
    CHECK(r.error->what.find("call 0xbad2310") != std::string::npos);
}

TEST_CASE("map_kernel_objects: current -> systemd -> swapper/0, read-only in window::kKernel, at 6.18's offsets") {
    std::vector<std::string> errors;
    build_kernel_objects(test_host(), &errors);
    CHECK(errors.empty());
    for (const std::string& e : errors) MESSAGE(e);
    Memory mem;
    KernelObjects storage;
    map_kernel_objects(mem, test_host(), storage);
    const Region& region = mem.region(window::kKernel);
    CHECK(region.perm == kRead);
    const uint64_t base = current_task_address();
    CHECK(base == window_base(window::kKernel));
    CHECK(task_struct_stride() == 3264);
    CHECK(region.size > 3 * 3264);
    // Offsets of this 6.18 build (pahole): pid 1264, tgid 1268, real_parent 1280, parent 1288,
    // comm 1752, exit_code 1164, cred 1736, nsproxy 1840.
    CHECK(mem.write_ptr(base + 1264, 4) == nullptr);
    auto u32 = [&](uint64_t a) { return load_le<uint32_t>(mem.read_ptr(a, 4)); };
    auto u64 = [&](uint64_t a) { return load_le<uint64_t>(mem.read_ptr(a, 8)); };
    auto comm = [&](uint64_t a) { return std::string(reinterpret_cast<const char*>(mem.read_ptr(a + 1752, 16))); };
    CHECK(u32(base + 1264) == 4243);
    CHECK(u32(base + 1268) == 4242);
    CHECK(comm(base) == "curl");
    const uint64_t parent = u64(base + 1280);
    CHECK(parent == task_address(1));
    CHECK(u64(base + 1288) == parent);
    CHECK(u32(parent + 1264) == 1);
    CHECK(comm(parent) == "systemd");
    const uint64_t init = u64(parent + 1280);
    CHECK(init == task_address(2));
    CHECK(u32(init + 1264) == 0);
    CHECK(comm(init) == "swapper/0");
    CHECK(u64(init + 1280) == init);
    CHECK(task_index(init) == 2u);
    CHECK_FALSE(task_index(init + 8));
}

namespace {

// Byte offset of a top-level member, from the built-in BTF (what CO-RE would compute).
uint32_t offset_of(std::string_view type, std::string_view member) {
    const Btf& k = builtin_target_btf();
    const auto id = k.find_by_name(type, BtfKind::Struct);
    REQUIRE(id);
    for (const BtfMember& m : k.members(*id))
        if (k.string_at(m.name_off) == member) return m.bit_offset / 8;
    FAIL("no member " << member << " in " << type);
    return 0;
}

}  // namespace

TEST_CASE("kernel objects: pointer chains read the host's values (nsproxy, cred, exit_code, exe dentry)") {
    Host host = test_host();
    host.task.exit_code = 3 << 8;  // exit(3)
    host.task.uid = 1001;
    host.exe = "/usr/bin/curl";
    Memory mem;
    KernelObjects storage;
    map_kernel_objects(mem, host, storage);
    auto u32 = [&](uint64_t a) { return load_le<uint32_t>(mem.read_ptr(a, 4)); };
    auto u64 = [&](uint64_t a) { return load_le<uint64_t>(mem.read_ptr(a, 8)); };
    const uint64_t task = current_task_address();
    CHECK(u32(task + offset_of("task_struct", "exit_code")) == 0x300);
    // BPF_CORE_READ(task, real_parent, tgid)
    CHECK(u32(u64(task + offset_of("task_struct", "real_parent")) + offset_of("task_struct", "tgid")) == 1);
    // BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum): three pointers deep.
    const uint64_t nsproxy = u64(task + offset_of("task_struct", "nsproxy"));
    const uint64_t pid_ns = u64(nsproxy + offset_of("nsproxy", "pid_ns_for_children"));
    CHECK(u32(pid_ns + offset_of("pid_namespace", "ns") + offset_of("ns_common", "inum")) == 0xEFFFFFFCu);
    // task->cred->uid.val
    const uint64_t cred = u64(task + offset_of("task_struct", "cred"));
    CHECK(u32(cred + offset_of("cred", "uid")) == 1001);
    CHECK(u64(task + offset_of("task_struct", "real_cred")) == cred);
    // task->mm->exe_file->f_path.dentry->d_name.name: a string in kernel memory.
    const uint64_t mm = u64(task + offset_of("task_struct", "mm"));
    REQUIRE(mm != 0);
    // mm_struct and file keep these inside anonymous members: the writer finds them as C does.
    KernelObjectWriter w(builtin_target_btf(), 0);
    auto at = [&](std::string_view type, std::string_view path) {
        const uint64_t obj = w.allocate(type);
        return *w.field_address(obj, type, path) - obj;
    };
    const uint64_t file = u64(mm + at("mm_struct", "exe_file"));
    const uint64_t dentry = u64(file + at("file", "f_path.dentry"));
    const auto name = mem.read_cstr(u64(dentry + at("dentry", "d_name.name")), 64);
    REQUIRE(name);
    CHECK(*name == "curl");
    // init_task is a kernel thread: no mm.
    CHECK(u64(task_address(2) + offset_of("task_struct", "mm")) == 0);
}

TEST_CASE("PROBE_MEM: a tracing program's load through NULL or a dangling kernel pointer reads 0; XDP faults") {
    const std::string null_load = "r1 = 0\nr0 = 7\nr0 = *(u64 *)(r1 + 16)\nexit\n";
    for (const char* section : {"fentry/do_unlinkat", "tp_btf/sched_process_exit", "kprobe/do_sys_openat2"}) {
        CAPTURE(section);
        auto s = ObjectSession::open_assembly(null_load, section, test_host());
        REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().to_string()));
        RunResult r = (*s)->run("asm", RunInput{});
        REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
        CHECK(r.r0 == 0u);
    }
    // Past the kernel objects, inside the kernel window: 0 as well.
    const std::string dangling = "r1 = " + std::to_string(window_base(window::kKernel) + 0x1000000) +
                                 " ll\nr0 = 7\nr0 = *(u32 *)(r1 + 0)\nexit\n";
    auto t = ObjectSession::open_assembly(dangling, "fentry/do_unlinkat", test_host());
    REQUIRE(t.ok());
    RunResult rt = (*t)->run("asm", RunInput{});
    REQUIRE(rt.status == RunStatus::Exited);
    CHECK(rt.r0 == 0u);
    // Elsewhere (a stack address out of range) a tracing load still faults.
    auto u = ObjectSession::open_assembly("r0 = *(u64 *)(r10 + 8)\nexit\n", "fentry/do_unlinkat", test_host());
    REQUIRE(u.ok());
    CHECK((*u)->run("asm", RunInput{}).status == RunStatus::Faulted);
    // XDP has no BTF pointers: a NULL load faults.
    auto x = ObjectSession::open_assembly(null_load, "xdp", test_host());
    REQUIRE(x.ok());
    RunResult rx = (*x)->run("asm", RunInput{});
    CHECK(rx.status == RunStatus::Faulted);
}

TEST_CASE("kconfig_ksym example: __kconfig values from the host's kconfig, init_task by address") {
    Host host = test_host();
    auto s = open("public/examples/kconfig_ksym.o", "kconfig_ksym.o", host);
    RunResult r = s->run("kconfig_ksym", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 25u);  // CONFIG_HZ / 10
    const Map* bss = s->object().maps->get(0);
    REQUIRE(bss->name() == "kconfig_.bss");
    const std::vector<uint8_t> found = bss->entries().at(0).values.at(0);
    REQUIRE(found.size() == 52);
    auto u32 = [&](size_t i) { return load_le<uint32_t>(found.data() + 4 * i); };
    CHECK(u32(0) == 6);    // version_major
    CHECK(u32(1) == 18);   // version_minor
    CHECK(u32(2) == 250);  // hz
    CHECK(u32(3) == 1);    // has_cookie
    CHECK(u32(4) == 1);    // bpf_syscall
    CHECK(u32(5) == 2);    // preload_umd: TRI_MODULE
    CHECK(u32(6) == 0);    // no_such_option (weak)
    CHECK(u32(7) == 1);    // no_such_symbol_is_null (weak)
    CHECK(u32(8) == 1);    // grandparent_is_init_task
    CHECK(std::string(reinterpret_cast<const char*>(found.data() + 36)) == "(none)");

    // The host JSON's kconfig is what the externs read.
    host.kconfig["CONFIG_HZ"] = "1000";
    host.kconfig["LINUX_KERNEL_VERSION"] = "328704";  // 5.4.0: older than 5.8
    auto t = open("public/examples/kconfig_ksym.o", "kconfig_ksym.o", host);
    RunResult rt = t->run("kconfig_ksym", RunInput{});
    REQUIRE(rt.status == RunStatus::Exited);
    CHECK(rt.r0 == 0u);
    const std::vector<uint8_t> found_old = t->object().maps->get(0)->entries().at(0).values.at(0);
    CHECK(load_le<uint32_t>(found_old.data() + 0) == 5);
    CHECK(load_le<uint32_t>(found_old.data() + 4) == 4);
    CHECK(load_le<uint32_t>(found_old.data() + 8) == 1000);

    host.kconfig.erase("CONFIG_HZ");
    std::vector<uint8_t> bytes = read_file(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/kconfig_ksym.o");
    auto refused = ObjectSession::open(bytes, "kconfig_ksym.o", host);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().what == "section \".kconfig\": -ESRCH: extern 'CONFIG_HZ' (strong): not resolved");
}

namespace {

// struct event of examples/bootstrap.c (libbpf-bootstrap's bootstrap.h): 168 bytes.
struct BootstrapEvent {
    int32_t pid, ppid;
    uint32_t exit_code;
    uint64_t duration_ns;
    std::string comm, filename;
    bool exit_event;
};

BootstrapEvent bootstrap_event(const std::vector<uint8_t>& b) {
    REQUIRE(b.size() == 168);
    auto str = [&](size_t off, size_t n) { return std::string(reinterpret_cast<const char*>(b.data() + off), strnlen(reinterpret_cast<const char*>(b.data() + off), n)); };
    return {load_le<int32_t>(b.data()), load_le<int32_t>(b.data() + 4), load_le<uint32_t>(b.data() + 8),
            load_le<uint64_t>(b.data() + 16), str(24, 16), str(40, 127), b[167] != 0};
}

// The sched_process_exec record (/sys/kernel/tracing/events/sched/sched_process_exec/format):
// common_type 365, common_pid 4242, filename as __data_loc (offset 20, length 14), pid and
// old_pid 4242, then "/usr/bin/curl". The same bytes as the page's preset.
std::vector<uint8_t> exec_record() {
    std::vector<uint8_t> r = {0x6d, 0x01, 0, 0, 0x92, 0x10, 0, 0, 20, 0, 14, 0, 0x92, 0x10, 0, 0, 0x92, 0x10, 0, 0};
    for (char c : std::string("/usr/bin/curl")) r.push_back(uint8_t(c));
    r.push_back(0);
    return r;
}

}  // namespace

TEST_CASE("bootstrap example: exec and exit events in the ring buffer, the lifetime from exec_start") {
    Host host = test_host();
    host.task.pid = 4242;  // the process's main thread: handle_exit reports it
    host.task.exit_code = 3 << 8;  // exit(3)
    auto s = open("public/examples/bootstrap.o", "bootstrap.o", host);
    const MapSet& maps = *s->object().maps;
    const auto* rb = dynamic_cast<const RingbufMap*>(maps.get(1));
    REQUIRE(rb);
    CHECK(rb->name() == "rb");

    RunInput exec;
    exec.ctx = exec_record();
    RunResult r = s->run("handle_exec", exec);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0u);
    // exec_start[4242] = the ktime of the exec (the 5th instruction: clock_start + 5).
    auto started = maps.get(0)->entries();
    REQUIRE(started.size() == 1);
    CHECK(load_le<int32_t>(started[0].key.data()) == 4242);
    const uint64_t exec_ns = load_le<uint64_t>(started[0].values.at(0).data());
    CHECK(exec_ns == 1'000'000'005u);
    REQUIRE(rb->submitted().size() == 1);
    const BootstrapEvent e = bootstrap_event(rb->submitted()[0]);
    CHECK(e.pid == 4242);
    CHECK(e.ppid == 1);  // BPF_CORE_READ(task, real_parent, tgid): systemd
    CHECK(e.exit_code == 0u);
    CHECK(e.duration_ns == 0u);
    CHECK(e.comm == "curl");
    CHECK(e.filename == "/usr/bin/curl");  // read through __data_loc_filename
    CHECK_FALSE(e.exit_event);

    s->advance_time(5'000'000);  // curl runs for 5 ms
    r = s->run("handle_exit", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0u);
    CHECK(maps.get(0)->entries().empty());  // exec_start[4242] deleted
    REQUIRE(rb->submitted().size() == 2);
    const BootstrapEvent x = bootstrap_event(rb->submitted()[1]);
    CHECK(x.pid == 4242);
    CHECK(x.ppid == 1);
    CHECK(x.exit_code == 3u);  // (task->exit_code >> 8) & 0xff
    CHECK(x.duration_ns == 5'000'000u + 60u + 12u - 5u);  // 5 ms, the exec run's 60 instructions, the 12th here
    CHECK(x.comm == "curl");
    CHECK(x.filename.empty());
    CHECK(x.exit_event);

    // A thread's exit (pid != tgid) is not reported.
    s->host().task.pid = 4243;
    CHECK(s->run("handle_exit", RunInput{}).r0 == 0u);
    CHECK(rb->submitted().size() == 2);
}

TEST_CASE("tp_openat_count example: a tracepoint counter keyed by process, the path copied from user memory") {
    auto s = open("public/examples/tp_openat_count.o", "tp_openat_count.o", test_host());
    const MapSet& maps = *s->object().maps;
    const auto counts = [&] {  // struct open_counts of the one entry: calls, creates, failures, comm, last_path
        auto entries = maps.get(0)->entries();
        REQUIRE(entries.size() == 1);
        CHECK(load_le<uint32_t>(entries[0].key.data()) == 4242u);  // the tgid, not the thread's pid 4243
        return entries[0].values.at(0);
    };
    const auto text_at = [](const std::vector<uint8_t>& v, size_t at, size_t len) {
        return std::string(reinterpret_cast<const char*>(&v.at(at)), strnlen(reinterpret_cast<const char*>(&v.at(at)), len));
    };
    for (int i = 0; i < 3; ++i) {
        RunResult r = s->run("count_enter", RunInput{});
        REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
        CHECK(r.r0 == 0u);
    }
    std::vector<uint8_t> v = counts();
    REQUIRE(v.size() == 24 + 16 + 64);
    CHECK(u64_at(v, 0) == 3u);
    CHECK(u64_at(v, 1) == 0u);
    CHECK(u64_at(v, 2) == 0u);
    CHECK(text_at(v, 24, 16) == "curl");
    CHECK(text_at(v, 40, 64) == "/etc/hostname");  // the default openat's path, read from user memory

    RunInput create;
    create.args = {{"flags", 0x241}};  // O_WRONLY | O_CREAT | O_TRUNC
    CHECK(s->run("count_enter", create).r0 == 0u);
    v = counts();
    CHECK(u64_at(v, 0) == 4u);
    CHECK(u64_at(v, 1) == 1u);

    RunInput opened;
    opened.args = {{"ret", 3}};  // an fd: not a failure
    CHECK(s->run("count_exit", opened).r0 == 0u);
    CHECK(u64_at(counts(), 2) == 0u);
    RunInput enoent;
    enoent.args = {{"ret", uint64_t(-2)}};
    CHECK(s->run("count_exit", enoent).r0 == 0u);
    v = counts();
    CHECK(u64_at(v, 0) == 4u);
    CHECK(u64_at(v, 2) == 1u);
}
