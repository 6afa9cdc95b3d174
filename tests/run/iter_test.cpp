// Iterator programs (SEC("iter/task")) run as a reader of the pinned iterator file would see
// them (core/run/iter_run.hpp): one call per task of the emulated host with seq_num counting
// up, a final call with task NULL, bpf_seq_printf / bpf_seq_write output collected per read()
// as bpf_seq_read does, and the helpers' error codes (kernel/trace/bpf_trace.c).
// public/examples/task_iter.o is the example; assembly programs cover the edges.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "core/host/host_json.hpp"
#include "core/run/iter_report.hpp"
#include "core/run/object_session.hpp"
#include "tests/run/asm_session.hpp"

using namespace bpfplay;
using namespace bpfplay::testing;

namespace {

// An object of the repository (default: the task iterator example) on `host`.
std::unique_ptr<ObjectSession> open_example(Host host, const std::string& path = "public/examples/task_iter.o") {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/" + path, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, path.substr(path.rfind('/') + 1), std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

Host curl_host() {
    Host h;
    h.task.pid = 4243;
    h.task.tgid = 4242;
    h.task.set_comm("curl");
    return h;
}

std::string text(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

RunResult run_ok(ObjectSession& s, const char* program) {
    RunResult r = s.run(program, RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    REQUIRE(r.iter);
    return r;
}

std::unique_ptr<ObjectSession> open_iter_asm(const std::string& text, std::vector<MapSpec> maps = {}) {
    return open_asm(text, maps, "iter/task");
}

uint64_t u64_value(ObjectSession& s, const char* map) {
    const MapEntry e = s.object().maps->find(map)->entries()[0];
    uint64_t v = 0;
    std::memcpy(&v, e.values[0].data(), 8);
    return v;
}

}  // namespace

TEST_CASE("task iterator example: one line per task, seq_num counting, and the final NULL call") {
    auto s = open_example(curl_host());
    RunResult r = run_ok(*s, "dump_task");
    const IterOutput& it = *r.iter;
    CHECK(it.target == "task");
    CHECK(it.session_id == 1);
    CHECK(text(it.bytes) ==
          "     pid     tgid comm\n"
          "       1        1 systemd\n"
          "    4243     4242 curl\n"
          "-- end (last seq_num 1)\n");
    // All in the first read(); the second returns 0 (end of file) and runs nothing.
    CHECK(it.reads == 2);
    CHECK(it.read_error == 0);
    REQUIRE(it.calls.size() == 3);
    CHECK(it.calls[0].seq_num == 0);
    CHECK(it.calls[0].element == "task pid 1 (systemd)");
    CHECK(it.calls[1].seq_num == 1);
    CHECK(it.calls[1].element == "task pid 4243 (curl)");
    CHECK(it.calls[2].seq_num == 1);  // the stop call sees the last element's seq_num
    CHECK(it.calls[2].element == "NULL (the final call)");
    for (const IterCall& c : it.calls) CHECK(c.read == 1);
    CHECK(r.r0 == 0);
    // Each opened iterator file is a new session.
    CHECK(run_ok(*s, "dump_task").iter->session_id == 2);
    const std::string report = iter_output_text(it);
    CHECK(report.find("iterator task (session 1): 3 calls, 2 reads\n"
                      "  read 1: seq_num 0 task pid 1 (systemd) -> 0\n") == 0);
    CHECK(report.find("  read 2: end of file\niterator output (96 bytes):\n     pid") != std::string::npos);
}

TEST_CASE("task iterator example: bpf_seq_write's records, shown as hex") {
    auto s = open_example(curl_host());
    RunResult r = run_ok(*s, "dump_task_raw");
    std::vector<uint8_t> want = {1, 0, 0, 0, 1, 0, 0, 0, 's', 'y', 's', 't', 'e', 'm', 'd', 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0x93, 0x10, 0, 0, 0x92, 0x10, 0, 0, 'c', 'u', 'r', 'l'};
    want.resize(48, 0);
    CHECK(r.iter->bytes == want);
    CHECK(r.iter->calls.size() == 3);
    const std::string report = iter_output_text(*r.iter);
    CHECK(report.find("iterator output (48 bytes):\n"
                      "  0000: 01 00 00 00 01 00 00 00 73 79 73 74 65 6d 64 00\n"
                      "  0010: 00 00 00 00 00 00 00 00 93 10 00 00 92 10 00 00\n") != std::string::npos);
    const std::string json = run_result_json(*s, r);
    CHECK(json.find("\"iterator\":{\"target\":\"task\",\"session_id\":1,\"reads\":2,") != std::string::npos);
    CHECK(json.find("\"output_hex\":\"0100000001000000") != std::string::npos);
    CHECK(json.find("{\"read\":1,\"seq_num\":1,\"element\":\"NULL (the final call)\",\"return\":0}") !=
          std::string::npos);
}

TEST_CASE("task iterator example: bpf_seq_printf_btf prints a kernel struct as the kernel does") {
    auto s = open_example(curl_host());
    RunResult r = run_ok(*s, "dump_task_btf");
    // The 6.18 kernel's output of this program (bpftool iter pin, then cat) has the same form:
    // "(struct upid){.nr = (int)2,.ns = (struct pid_namespace *)0xffffffff82e74820,}".
    // Both tasks are in the initial pid namespace: one object, its address in 16 hex digits.
    const std::string out = text(r.iter->bytes);
    const std::string ns_tag = ".ns = (struct pid_namespace *)0x";
    const size_t at = out.find(ns_tag);
    REQUIRE(at != std::string::npos);
    const std::string ns = out.substr(at + ns_tag.size(), 16);
    CHECK(ns.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(ns != std::string(16, '0'));
    CHECK(out == "(struct upid){.nr = (int)1," + ns_tag + ns + ",}\n(struct upid){.nr = (int)4243," + ns_tag + ns + ",}\n");
}

TEST_CASE("task iterator: the current task with pid 1 is one task, init_task is never visited") {
    Host h;
    h.task.pid = 1;
    h.task.tgid = 1;
    h.task.set_comm("init");
    auto s = open_example(h);
    RunResult r = run_ok(*s, "dump_task");
    CHECK(text(r.iter->bytes) == "     pid     tgid comm\n       1        1 init\n-- end (last seq_num 0)\n");
}

// One bpf_seq_printf(ctx->meta->seq, r10 + fmt_off, fmt_size, r10 + data_off, data_len) whose
// return value goes to slot `slot` of map "out" (r6 = ctx->meta, r8 = the slots).
static std::string seq_printf_call(int fmt_off, int fmt_size, int data_off, int data_len, int slot) {
    return "r1 = *(u64 *)(r6 + 0)\nr2 = r10\nr2 += " + std::to_string(fmt_off) + "\nr3 = " +
           std::to_string(fmt_size) + "\nr4 = r10\nr4 += " + std::to_string(data_off) + "\nr5 = " +
           std::to_string(data_len) + "\ncall bpf_seq_printf\n*(u64 *)(r8 + " + std::to_string(8 * slot) +
           ") = r0\n";
}

TEST_CASE("bpf_seq_printf error codes: bad format, bad data_len, no NUL, too many args") {
    // "x %q\n" at r10 - 8, "x %d\n" at r10 - 16, the argument 7 at r10 - 24.
    auto s = open_iter_asm(R"(
        r6 = *(u64 *)(r1 + 0)
        r7 = *(u64 *)(r1 + 8)
        if r7 == 0 goto out
        r1 = 0x0000000a71252078 ll
        *(u64 *)(r10 - 8) = r1
        r1 = 0x0000000a64252078 ll
        *(u64 *)(r10 - 16) = r1
        r1 = 7
        *(u64 *)(r10 - 24) = r1
        r8 = {out.value} ll
    )" + seq_printf_call(-8, 8, -24, 0, 0) + seq_printf_call(-16, 8, -24, 4, 1) +
                               seq_printf_call(-16, 4, -24, 8, 2) + seq_printf_call(-16, 8, -128, 104, 3) +
                               seq_printf_call(-16, 8, -24, 8, 4) + R"(
    out:
        r0 = 0
        exit
    )", {array_spec("out", 40)});
    RunResult r = s->run("asm", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    const MapEntry e = s->object().maps->find("out")->entries()[0];
    auto slot = [&](int i) {
        uint64_t v = 0;
        std::memcpy(&v, e.values[0].data() + 8 * i, 8);
        return int64_t(v);
    };
    CHECK(slot(0) == -22);  // "x %q\n": no such conversion
    CHECK(slot(1) == -22);  // data_len 4: not whole u64s
    CHECK(slot(2) == -22);  // fmt_size 4: no NUL in "x %d"
    CHECK(slot(3) == -22);  // 13 arguments: more than MAX_BPRINTF_VARARGS
    CHECK(slot(4) == 0);
    // Only the good calls printed: "x 7\n" once per task.
    CHECK(text(r.iter->bytes) == "x 7\nx 7\n");
}

// `writes` bpf_seq_write calls of 500 bytes per task (none for the final call); map "out" gets
// the last failing call's return value (slot 0) and the number of failures (slot 1).
static std::unique_ptr<ObjectSession> seq_writes(int writes) {
    return open_iter_asm(R"(
        r6 = *(u64 *)(r1 + 0)
        r7 = *(u64 *)(r1 + 8)
        if r7 == 0 goto out
        r9 = )" + std::to_string(writes) + R"(
    loop:
        r1 = *(u64 *)(r6 + 0)
        r2 = r10
        r2 += -512
        r3 = 500
        call bpf_seq_write
        if r0 == 0 goto next
        r1 = {out.value} ll
        *(u64 *)(r1 + 0) = r0
        r2 = *(u64 *)(r1 + 8)
        r2 += 1
        *(u64 *)(r1 + 8) = r2
    next:
        r9 += -1
        if r9 != 0 goto loop
    out:
        r0 = 0
        exit
    )", {array_spec("out", 16)});
}

static uint64_t failures(ObjectSession& s) {
    uint64_t n = 0;
    std::memcpy(&n, s.object().maps->find("out")->entries()[0].values[0].data() + 8, 8);
    return n;
}

TEST_CASE("seq_file overflow: -EOVERFLOW, the element retried by the next read with the same seq_num") {
    // 40 writes of 500 bytes per task: the first task's 20000 bytes fit the 32 KiB buffer, the
    // second's do not (the 26th write overflows), so read 1 returns the first task's bytes and
    // read 2 shows the second task again.
    auto s = seq_writes(40);
    RunResult r = s->run("asm", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    const IterOutput& it = *r.iter;
    CHECK(it.bytes.size() == 40000);
    CHECK(it.reads == 3);
    CHECK(it.read_error == 0);
    REQUIRE(it.calls.size() == 4);
    CHECK((it.calls[0].read == 1 && it.calls[0].seq_num == 0 && it.calls[0].element == "task pid 1 (systemd)"));
    CHECK((it.calls[1].read == 1 && it.calls[1].seq_num == 1 && it.calls[1].element == "task pid 4242 (bpfplay-demo)"));
    CHECK((it.calls[2].read == 2 && it.calls[2].seq_num == 1 && it.calls[2].element == "task pid 4242 (bpfplay-demo)"));
    CHECK((it.calls[3].read == 2 && it.calls[3].seq_num == 1 && it.calls[3].element == "NULL (the final call)"));
    CHECK(int64_t(u64_value(*s, "out")) == -75);  // -EOVERFLOW
    // Writes 26..40 of the overflowing call: once overflowed, every write fails.
    CHECK(failures(*s) == 15);
}

TEST_CASE("one task's output larger than the buffer: the read fails with -E2BIG") {
    auto s = seq_writes(70);  // 35000 bytes: the 66th write overflows
    RunResult r = s->run("asm", RunInput{});
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.iter->bytes.empty());
    CHECK(r.iter->reads == 1);
    CHECK(r.iter->read_error == -7);
    CHECK(r.iter->calls.size() == 1);
    CHECK(failures(*s) == 5);
    CHECK(iter_output_text(*r.iter).find("  read 1: fails with -E2BIG\n") != std::string::npos);
}

TEST_CASE("returning 1: the read ends before that task; the next read fails with -EAGAIN") {
    // Prints the seq_num, then returns 1 for the second task.
    auto s = open_iter_asm(R"(
        r6 = *(u64 *)(r1 + 0)
        r7 = *(u64 *)(r1 + 8)
        r1 = 0x00000a756c6c2520 ll
        *(u64 *)(r10 - 8) = r1
        r1 = *(u64 *)(r6 + 16)
        *(u64 *)(r10 - 16) = r1
        r1 = *(u64 *)(r6 + 0)
        r2 = r10
        r2 += -8
        r3 = 8
        r4 = r10
        r4 += -16
        r5 = 8
        call bpf_seq_printf
        r0 = 0
        r1 = *(u64 *)(r6 + 16)
        if r1 == 0 goto done
        if r7 == 0 goto done
        r0 = 1
    done:
        exit
    )");
    RunResult r = s->run("asm", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    const IterOutput& it = *r.iter;
    CHECK(text(it.bytes) == " 0\n");  // the second task's " 1\n" was dropped with its -EAGAIN
    CHECK(it.reads == 2);
    CHECK(it.read_error == -11);
    REQUIRE(it.calls.size() == 3);
    CHECK((it.calls[1].read == 1 && it.calls[1].r0 == 1));
    CHECK((it.calls[2].read == 2 && it.calls[2].seq_num == 1 && it.calls[2].r0 == 1));
}

TEST_CASE("bpf_seq_write of another pointer than ctx->meta->seq stops the run") {
    auto s = open_iter_asm(R"(
        r1 = *(u64 *)(r1 + 0)
        r2 = r10
        r2 += -8
        r3 = 8
        call bpf_seq_write
        r0 = 0
        exit
    )");
    RunResult r = s->run("asm", RunInput{});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->to_string().find("is not the iterator's seq_file") != std::string::npos);
    REQUIRE(r.iter);
    CHECK(r.iter->calls.size() == 1);
}

TEST_CASE("iterators bpfplay does not run are refused by name") {
    auto s = open_asm("r0 = 0\nexit\n", {}, "iter/udp");
    RunResult r = s->run("asm", RunInput{});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "SEC(\"iter/udp\"): bpfplay does not run \"udp\" iterators; it runs iter/task, iter/task_file, "
          "iter/task_vma (the emulated host's tasks, their open files and memory areas), iter/tcp (its TCP sockets) "
          "and iter/bpf_map_elem (a map's elements)");
}

namespace {

std::unique_ptr<ObjectSession> open_targets(Host host) {
    return open_example(std::move(host), "tests/run/bpf/iter_targets.o");
}

}  // namespace

TEST_CASE("task_file iterator: every task's descriptors in fd order, each a struct file with its dentry") {
    auto s = open_targets(curl_host());
    RunResult r = run_ok(*s, "dump_files");
    CHECK(r.iter->target == "task_file");
    // init's three on /dev/null, then curl's: its terminal (the dentry "0" of /dev/pts/0) and the
    // log; the same path is one struct file with one inode.
    CHECK(text(r.iter->bytes) ==
          "pid fd name\n"
          "1 0 null ino 131078\n"
          "1 1 null ino 131078\n"
          "1 2 null ino 131078\n"
          "4243 0 0 ino 131076\n"
          "4243 1 0 ino 131076\n"
          "4243 2 0 ino 131076\n"
          "4243 3 bpfplay-demo.log ino 131077\n"
          "-- last seq_num 6\n");
    REQUIRE(r.iter->calls.size() == 8);
    CHECK(r.iter->calls[6].element == "task pid 4243 (curl) fd 3 (/var/log/bpfplay-demo.log)");
    CHECK(r.iter->calls[7].seq_num == 6);

    // The host's table: a socket on fd 4 and a descriptor past the embedded 64-slot table (the
    // kernel then allocates a 128-slot fdtable).
    Host h = curl_host();
    REQUIRE(apply_host_json(h, R"({"open_files": [{"fd": 0, "path": "/dev/null"}, {"fd": 4, "socket": 1},
                                                  {"fd": 100, "path": "/tmp/big"}]})").ok());
    auto t = open_targets(h);
    RunResult big = run_ok(*t, "dump_files");
    CHECK(text(big.iter->bytes) ==
          "pid fd name\n"
          "1 0 null ino 131076\n"
          "1 1 null ino 131076\n"
          "1 2 null ino 131076\n"
          "4243 0 null ino 131076\n"
          "4243 4 socket 1\n"
          "4243 100 big ino 131077\n"
          "-- last seq_num 5\n");
    CHECK(big.iter->calls[4].element == "task pid 4243 (curl) fd 4 (socket 1)");
}

TEST_CASE("host JSON open_files: read back as written, checked member by member") {
    Host h;
    CHECK(host_json(h).find("\"open_files\"") == std::string::npos);  // the default is not written
    REQUIRE(apply_host_json(h, R"({"open_files": [{"fd": 3, "path": "/etc/passwd"}, {"fd": 7, "socket": 0}]})").ok());
    REQUIRE(h.open_files.size() == 2);
    CHECK(h.open_files[1] == HostOpenFile{7, "", 0u});
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)).ok());
    CHECK(back.open_files == h.open_files);
    auto error_of = [](std::string_view json) {
        Host x;
        auto r = apply_host_json(x, json);
        REQUIRE_FALSE(r.ok());
        CHECK(x.open_files == default_open_files());
        return r.error().what;
    };
    CHECK(error_of(R"({"open_files": [{"fd": 1024, "path": "/a"}]})") ==
          "host JSON: open_files[0].fd: expected a file descriptor from 0 to 1023");
    CHECK(error_of(R"({"open_files": [{"fd": 1}]})") ==
          "host JSON: open_files[0]: expected either \"path\" (a file's absolute path) or \"socket\" (the index of "
          "one of the host's sockets)");
    CHECK(error_of(R"({"open_files": [{"fd": 1, "path": "a.txt"}]})") ==
          "host JSON: open_files[0].path: expected a file's absolute path (\"/dev/pts/0\"): at most 4095 bytes, no "
          "empty component");
    CHECK(error_of(R"({"open_files": [{"fd": 1, "socket": 9}]})") ==
          "host JSON: open_files[0].socket: expected the index of one of the host's " +
              std::to_string(Host{}.net.sockets.size()) + " sockets (\"sockets\", from 0)");
    CHECK(error_of(R"({"open_files": [{"fd": 2, "path": "/a"}, {"fd": 2, "path": "/b"}]})") ==
          "host JSON: open_files[1].fd: descriptors are listed in ascending order, each once: 2 follows 2");
    CHECK(fdtable_max_fds(63) == 64);
    CHECK(fdtable_max_fds(64) == 128);
    CHECK(fdtable_max_fds(127) == 128);
    CHECK(fdtable_max_fds(128) == 256);
}

TEST_CASE("task_vma iterator: the current task's memory areas in address order, with their files") {
    auto s = open_targets(curl_host());
    RunResult r = run_ok(*s, "dump_vmas");
    CHECK(r.iter->target == "task_vma");
    const std::string out = text(r.iter->bytes);
    CHECK(out.starts_with("4243 55d0c4a00000-55d0c4a01000 bpfplay-demo\n"));
    CHECK(out.find("4243 7f8e5a028000-7f8e5a1bd000 libc.so.6\n") != std::string::npos);
    CHECK(out.ends_with("4243 7ffd5e3f4000-7ffd5e3f6000 \n-- end\n"));
    CHECK(r.iter->calls.size() == default_vmas().size() + 1);
}

TEST_CASE("tcp iterator: listening sockets first, uid per socket, the final call with sk_common NULL") {
    auto s = open_targets(curl_host());
    RunResult r = run_ok(*s, "dump_tcp");
    CHECK(r.iter->target == "tcp");
    CHECK(text(r.iter->bytes) ==
          "family local remote state uid\n"
          "2 80 0 10 33\n"
          "2 8080 40000 1 1000\n"
          "-- end 1\n");
    CHECK(r.iter->calls[0].element == "tcp socket 0 (LISTEN)");

    // A TIME_WAIT socket reports uid 0; an established IPv6 one listed before a listener comes after it.
    Host h = curl_host();
    REQUIRE(apply_host_json(h, R"({"sockets": [
        {"protocol": "tcp", "state": "ESTABLISHED", "local_addr": "::1", "local_port": 5000,
         "remote_addr": "::1", "remote_port": 443, "uid": 7},
        {"protocol": "udp", "local_addr": "10.0.0.1", "local_port": 53},
        {"protocol": "tcp", "state": "TIME_WAIT", "local_addr": "10.0.0.1", "local_port": 6000,
         "remote_addr": "10.0.0.2", "remote_port": 80, "uid": 1000},
        {"protocol": "tcp", "state": "LISTEN", "local_addr": "0.0.0.0", "local_port": 22, "uid": 0}]})").ok());
    auto t = open_targets(h);
    CHECK(text(run_ok(*t, "dump_tcp").iter->bytes) ==
          "family local remote state uid\n"
          "2 22 0 10 0\n"
          "10 5000 443 1 7\n"
          "2 6000 80 6 0\n"
          "-- end 2\n");

    // No TCP socket: SEQ_START_TOKEN took seq_num 0, so the final call alone sees 0 - 1.
    Host none = curl_host();
    REQUIRE(apply_host_json(none, R"({"sockets": []})").ok());
    auto u = open_targets(none);
    RunResult empty = run_ok(*u, "dump_tcp");
    CHECK(text(empty.iter->bytes) == "-- end -1\n");
    REQUIRE(empty.iter->calls.size() == 1);
    CHECK(empty.iter->calls[0].seq_num == ~uint64_t(0));
}

namespace {

MapSpec hash_spec(std::string name, MapType type = MapType::Hash) {
    MapSpec s;
    s.type = type;
    s.name = std::move(name);
    s.key_size = 4;
    s.value_size = 8;
    s.max_entries = 8;
    return s;
}

// For each element: seq_printf("%u=%llu\n", *key, *value), then *value += 1; the final call
// prints "end\n" when ctx->map is still set (key and value are NULL then).
const char* const kMapElemDump = R"(
        r9 = r1
        r6 = *(u64 *)(r9 + 0)
        r7 = *(u64 *)(r9 + 16)
        r8 = *(u64 *)(r9 + 24)
        r1 = 0x0a756c6c253d7525 ll
        *(u64 *)(r10 - 32) = r1
        r1 = 0
        *(u64 *)(r10 - 24) = r1
        if r7 == 0 goto final
        r1 = *(u32 *)(r7 + 0)
        *(u64 *)(r10 - 16) = r1
        r1 = *(u64 *)(r8 + 0)
        *(u64 *)(r10 - 8) = r1
        r1 += 1
        *(u64 *)(r8 + 0) = r1
        r1 = *(u64 *)(r6 + 0)
        r2 = r10
        r2 += -32
        r3 = 9
        r4 = r10
        r4 += -16
        r5 = 16
        call bpf_seq_printf
        goto out
    final:
        r1 = *(u64 *)(r9 + 8)
        if r1 == 0 goto out
        r1 = 0x0a646e65 ll
        *(u64 *)(r10 - 32) = r1
        r1 = *(u64 *)(r6 + 0)
        r2 = r10
        r2 += -32
        r3 = 4
        call bpf_seq_write
    out:
        r0 = 0
        exit
    )";

void put(ObjectSession& s, uint32_t map, uint32_t key, uint64_t value) {
    std::vector<uint8_t> k(4), v(8);
    std::memcpy(k.data(), &key, 4);
    std::memcpy(v.data(), &value, 8);
    REQUIRE(s.object().maps->get(map)->update_user(k, v) == 0);
}

}  // namespace

TEST_CASE("bpf_map_elem iterator: one call per element with key and value, the value writable") {
    auto s = open_asm(kMapElemDump, {hash_spec("counts")}, "iter/bpf_map_elem");
    put(*s, 0, 3, 5);
    put(*s, 0, 7, 9);
    RunResult r = run_ok(*s, "asm");
    CHECK(text(r.iter->bytes) == "3=5\n7=9\nend\n");
    REQUIRE(r.iter->calls.size() == 3);
    CHECK(r.iter->calls[0].element == "element key 0x03000000");
    CHECK(r.iter->calls[1].seq_num == 1);
    CHECK(r.iter->calls[2].element == "NULL (the final call)");
    // The program added 1 to each value in the map itself.
    std::vector<uint8_t> v(8);
    REQUIRE(s->object().maps->get(0)->lookup_user(std::vector<uint8_t>{3, 0, 0, 0}, v) == 0);
    CHECK(v[0] == 6);
}

TEST_CASE("bpf_map_elem iterator: an ARRAY visits every index; the map is chosen by name") {
    MapSpec arr = hash_spec("slots", MapType::Array);
    arr.max_entries = 2;
    auto s = open_asm(kMapElemDump, {hash_spec("other"), arr}, "iter/bpf_map_elem");
    put(*s, 1, 1, 40);
    // Two maps: the run must say which.
    RunResult refused = s->run("asm", RunInput{});
    REQUIRE(refused.status == RunStatus::Faulted);
    CHECK(refused.error->to_string().find("iterates over one map; the object has 2 (other, slots)") !=
          std::string::npos);
    RunInput in;
    in.iter_map = "slots";
    RunResult r = s->run("asm", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(text(r.iter->bytes) == "0=0\n1=40\nend\n");
    in.iter_map = "nope";
    CHECK(s->run("asm", in).error->to_string().find("the object has no map \"nope\"") != std::string::npos);
}

TEST_CASE("bpf_map_elem iterator: a per-CPU map is refused by type") {
    auto s = open_asm(kMapElemDump, {hash_spec("pc", MapType::PercpuHash)}, "iter/bpf_map_elem");
    RunResult r = s->run("asm", RunInput{});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->to_string().find("bpfplay iterates over HASH, LRU_HASH and ARRAY maps") != std::string::npos);
}
