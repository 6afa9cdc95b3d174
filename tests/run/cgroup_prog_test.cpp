// cgroup programs inside a system call: the bpf_sysctl, bpf_sockopt, bpf_sock_addr and
// bpf_cgroup_dev_ctx contexts (the kernel's access rules per attach type), the sysctl helpers
// (101-104), bpf_get_retval / bpf_set_retval (186, 187), bpf_bind (64), and what the exit report
// says the system call does. Values and errors as kernel/bpf/cgroup.c and net/core/filter.c give
// them.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "core/context/cgroup_contexts.hpp"
#include "core/host/kernel_objects.hpp"
#include "run/asm_session.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

namespace {

Host sysctl_host(bool write, std::string new_value = {}) {
    Host h;
    h.sysctl.write = write;
    h.sysctl.new_value = std::move(new_value);
    return h;
}

RunResult run_ctx(ObjectSession& s, std::vector<uint8_t> ctx = {}, std::vector<uint8_t> packet = {}) {
    RunInput in;
    in.ctx = std::move(ctx);
    in.packet = std::move(packet);
    return s.run("asm", in);
}


// r2 = a buffer of `n` bytes at fp-64 (zeroed first), r3 = n.
std::string stack_buf(uint32_t n) {
    std::string s;
    for (int off = -64; off < 0; off += 8) s += "*(u64 *)(r10 " + std::to_string(off) + ") = 0\n";
    return s + "r6 = r1\nr2 = r10\nr2 += -64\nr3 = " + std::to_string(n) + "\n";
}

}  // namespace

// ---- bpf_sysctl ----

TEST_CASE("bpf_sysctl: write is read-only, file_pos is written whole; the verdict refuses or allows the write") {
    auto s = open_asm("r0 = *(u32 *)(r1 + 0)\nexit\n", "cgroup/sysctl", sysctl_host(true, "1 2 3\n"));
    RunResult r = run_ctx(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 1);
    CHECK(event_lines(r.host_events) == V{"2 pc 1 exit: write of \"1 2 3\\n\" to /proc/sys/net/ipv4/tcp_mem allowed"});

    // A narrow read of write is fine; returning 0 refuses the write with -EPERM.
    auto refuse = open_asm("r0 = *(u8 *)(r1 + 0)\nr0 ^= 1\nexit\n", "cgroup/sysctl", sysctl_host(true, "9\n"));
    r = run_ctx(*refuse);
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events) ==
          V{"3 pc 2 exit: write of \"9\\n\" to /proc/sys/net/ipv4/tcp_mem refused: write(2) fails with -EPERM"});

    auto store = open_asm("r0 = 1\n*(u32 *)(r1 + 0) = r0\nexit\n", "cgroup/sysctl");
    r = run_ctx(*store);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 1u);
    CHECK(r.error->what.find("field write is read-only") != std::string::npos);

    auto narrow = open_asm("r0 = 1\n*(u16 *)(r1 + 4) = r0\nexit\n", "cgroup/sysctl");
    r = run_ctx(*narrow);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("file_pos is written 4 bytes at a time, not 2 bytes") != std::string::npos);

    auto pos = open_asm("r0 = 7\n*(u32 *)(r1 + 4) = r0\nr0 = 1\nexit\n", "cgroup/sysctl");
    r = run_ctx(*pos);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(event_lines(r.host_events) == V{"4 pc 3 exit: read of /proc/sys/net/ipv4/tcp_mem allowed",
                                          "4 pc 3 exit: the program moved the file position from 0 to 7"});
}

// A run whose result is r0 and the 64 stack bytes below the frame pointer (the helper's buffer).
namespace {

struct BufRun {
    RunResult result;
    std::vector<uint8_t> buf;  // the 64 stack bytes after the helper
};

BufRun run_buf(const std::string& section, const std::string& body, Host host) {
    auto s = open_asm(body, section, std::move(host));
    RunInput in;
    auto started = s->start("asm", in);
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error().to_string()));
    RunState& run = *started.value();
    run.vm->run();
    BufRun out;
    const uint64_t fp = run.vm->reg(10);
    const uint8_t* p = run.vm->memory().helper_ptr(fp - 64, 64, false);
    REQUIRE(p);
    out.buf.assign(p, p + 64);
    out.result = s->finish(run);
    return out;
}

std::string text_of(const std::vector<uint8_t>& b, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += b[i] ? char(b[i]) : '.';
    return s;
}

}  // namespace

TEST_CASE("bpf_sysctl_get_name: the full path, the base name, and -E2BIG with what fitted") {
    BufRun r = run_buf("cgroup/sysctl", stack_buf(32) + "r4 = 0\ncall bpf_sysctl_get_name\nexit\n", Host{});
    REQUIRE(r.result.status == RunStatus::Exited);
    CHECK(r.result.r0 == 16);
    CHECK(text_of(r.buf, 18) == "net/ipv4/tcp_mem..");

    r = run_buf("cgroup/sysctl", stack_buf(32) + "r4 = 1\ncall bpf_sysctl_get_name\nexit\n", Host{});
    CHECK(r.result.r0 == 7);
    CHECK(text_of(r.buf, 9) == "tcp_mem..");

    // 6 bytes: "net/" fits (4), then "ipv4" is cut to "i" and a NUL.
    r = run_buf("cgroup/sysctl", stack_buf(6) + "r4 = 0\ncall bpf_sysctl_get_name\nexit\n", Host{});
    CHECK(int64_t(r.result.r0) == -7);
    CHECK(text_of(r.buf, 7) == "net/i..");

    // The base name cut short: 4 bytes hold "tcp" and a NUL.
    r = run_buf("cgroup/sysctl", stack_buf(4) + "r4 = 1\ncall bpf_sysctl_get_name\nexit\n", Host{});
    CHECK(int64_t(r.result.r0) == -7);
    CHECK(text_of(r.buf, 5) == "tcp..");
}

TEST_CASE("bpf_sysctl_get_current_value: the value NUL-padded, or cut with -E2BIG") {
    Host h;
    h.sysctl.value = "4096\n";
    BufRun r = run_buf("cgroup/sysctl", stack_buf(8) + "call bpf_sysctl_get_current_value\nexit\n", h);
    CHECK(r.result.r0 == 5);
    CHECK(text_of(r.buf, 9) == "4096\n....");
    r = run_buf("cgroup/sysctl", stack_buf(3) + "call bpf_sysctl_get_current_value\nexit\n", h);
    CHECK(int64_t(r.result.r0) == -7);
    CHECK(text_of(r.buf, 4) == "40..");
    // A sysctl whose handler printed nothing: zeros and -EINVAL.
    h.sysctl.value = "";
    r = run_buf("cgroup/sysctl", "*(u64 *)(r10 - 64) = -1\nr2 = r10\nr2 += -64\nr3 = 4\n"
                                 "call bpf_sysctl_get_current_value\nexit\n", h);
    CHECK(int64_t(r.result.r0) == -22);
    CHECK(text_of(r.buf, 5) == "....\xff");
}

TEST_CASE("bpf_sysctl_get_new_value: the writer's value; -EINVAL and a zeroed buffer on a read") {
    BufRun r = run_buf("cgroup/sysctl", stack_buf(16) + "call bpf_sysctl_get_new_value\nexit\n",
                       sysctl_host(true, "100 200 300\n"));
    CHECK(r.result.r0 == 12);
    CHECK(text_of(r.buf, 13) == "100 200 300\n.");
    r = run_buf("cgroup/sysctl", "*(u64 *)(r10 - 64) = -1\nr2 = r10\nr2 += -64\nr3 = 4\n"
                                 "call bpf_sysctl_get_new_value\nexit\n", sysctl_host(false));
    CHECK(int64_t(r.result.r0) == -22);
    CHECK(text_of(r.buf, 5) == "....\xff");
}

TEST_CASE("bpf_sysctl_set_new_value replaces the written value; -EINVAL on a read, -E2BIG past a page") {
    const std::string prog = "r2 = 0x0a33\n*(u64 *)(r10 - 8) = r2\nr2 = r10\nr2 += -8\nr3 = 2\n"
                             "call bpf_sysctl_set_new_value\nr6 = r0\nr0 = 1\nexit\n";
    auto s = open_asm(prog, "cgroup/sysctl", sysctl_host(true, "999999\n"));
    RunResult r = run_ctx(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(event_lines(r.host_events) ==
          V{"9 pc 8 exit: write of \"999999\\n\" to /proc/sys/net/ipv4/tcp_mem allowed",
            "9 pc 8 exit: bpf_sysctl_set_new_value replaced the value: the sysctl receives \"3\\n\" (2 bytes) instead"});

    // On a read, or a write of nothing, there is no value to replace.
    auto read = open_asm("r2 = r10\nr2 += -8\n*(u64 *)(r10 - 8) = r2\nr3 = 2\ncall bpf_sysctl_set_new_value\nexit\n",
                         "cgroup/sysctl", sysctl_host(false));
    CHECK(int64_t(run_ctx(*read).r0) == -22);
    auto empty = open_asm("r2 = r10\nr2 += -8\n*(u64 *)(r10 - 8) = r2\nr3 = 2\ncall bpf_sysctl_set_new_value\nexit\n",
                          "cgroup/sysctl", sysctl_host(true, ""));
    CHECK(int64_t(run_ctx(*empty).r0) == -22);
    // 4096 bytes: more than a page less one.
    auto big = open_asm("r2 = r10\nr2 += -8\n*(u64 *)(r10 - 8) = r2\nr3 = 4096\ncall bpf_sysctl_set_new_value\nexit\n",
                        "cgroup/sysctl", sysctl_host(true, "1\n"));
    RunResult rb = run_ctx(*big);
    // The verifier would refuse a 4096-byte read of an 8-byte stack slot: so does the run.
    CHECK(rb.status == RunStatus::Faulted);
}

TEST_CASE("bpf_sysctl_set_new_value takes at most 4095 bytes: 4096 is -E2BIG") {
    // A 4096-byte map value as the source (the stack holds 512 bytes).
    for (auto [len, want] : {std::pair{4095u, int64_t(0)}, std::pair{4096u, int64_t(-7)}}) {
        auto s = bpfplay::testing::open_asm("r2 = {buf.value} ll\nr3 = " + std::to_string(len) +
                                                "\ncall bpf_sysctl_set_new_value\nexit\n",
                                            {bpfplay::testing::array_spec("buf", 4096)}, "cgroup/sysctl");
        s->host().sysctl = sysctl_host(true, "1\n").sysctl;
        const RunResult r = run_ctx(*s);
        REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
        CHECK(int64_t(r.r0) == want);
    }
}

TEST_CASE("a replaced value is not applied when the program refuses the write") {
    const std::string prog = "r2 = 0x0a33\n*(u64 *)(r10 - 8) = r2\nr2 = r10\nr2 += -8\nr3 = 2\n"
                             "call bpf_sysctl_set_new_value\nr0 = 0\nexit\n";
    auto s = open_asm(prog, "cgroup/sysctl", sysctl_host(true, "999999\n"));
    CHECK(event_lines(run_ctx(*s).host_events) ==
          V{"8 pc 7 exit: write of \"999999\\n\" to /proc/sys/net/ipv4/tcp_mem refused: write(2) fails with -EPERM"});
}

// ---- bpf_get_retval / bpf_set_retval ----

TEST_CASE("bpf_set_retval: the system call's result; a program returning 0 keeps an error retval") {
    // retval -EINVAL, then return 0: the writer gets -EINVAL, not -EPERM.
    auto s = open_asm("r1 = -22\ncall bpf_set_retval\ncall bpf_get_retval\nr6 = r0\nr0 = 0\nexit\n",
                      "cgroup/sysctl", sysctl_host(true, "1\n"));
    RunResult r = run_ctx(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(event_lines(r.host_events) ==
          V{"6 pc 5 exit: write of \"1\\n\" to /proc/sys/net/ipv4/tcp_mem refused: write(2) fails with -EINVAL",
            "6 pc 5 exit: (-EINVAL is the retval the program set with bpf_set_retval)"});
    // An error retval with an allowing return still fails the call.
    auto allow = open_asm("r1 = -13\ncall bpf_set_retval\nr0 = 1\nexit\n", "cgroup/dev");
    r = run_ctx(*allow, {0x02, 0, 0x02, 0, 1, 0, 0, 0, 3, 0, 0, 0});
    CHECK(event_lines(r.host_events) ==
          V{"4 pc 3 exit: read of char device 1:3 refused: the open or mknod fails with -EACCES",
            "4 pc 3 exit: (-EACCES is the retval the program set with bpf_set_retval)"});
    // get_retval starts at 0 and returns what set_retval stored.
    auto get = open_asm("r1 = -1\ncall bpf_set_retval\ncall bpf_get_retval\nexit\n", "cgroup/dev");
    CHECK(int64_t(run_ctx(*get).r0) == -1);
    auto zero = open_asm("call bpf_get_retval\nexit\n", "cgroup/sysctl");
    CHECK(run_ctx(*zero).r0 == 0);
    // cgroup_skb ingress may not call it: the catalog's rule, at load.
    auto refused = ObjectSession::open_assembly("call bpf_get_retval\nexit\n", "cgroup_skb/ingress");
    CHECK_FALSE(refused.ok());
}

// ---- bpf_cgroup_dev_ctx ----

TEST_CASE("bpf_cgroup_dev_ctx: read-only, access_type narrow, major and minor whole") {
    // access_type = (BPF_DEVCG_ACC_WRITE << 16) | BPF_DEVCG_DEV_BLOCK, 8:1
    const std::vector<uint8_t> ctx = {0x01, 0, 0x04, 0, 8, 0, 0, 0, 1, 0, 0, 0};
    auto s = open_asm("r0 = *(u16 *)(r1 + 2)\nr0 &= 1\nexit\n", "cgroup/dev");
    RunResult r = run_ctx(*s, ctx);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events) ==
          V{"3 pc 2 exit: write of block device 8:1 refused: the open or mknod fails with -EPERM"});
    auto narrow = open_asm("r0 = *(u16 *)(r1 + 4)\nexit\n", "cgroup/dev");
    r = run_ctx(*narrow, ctx);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 0u);
    CHECK(r.error->what.find("major and minor are read 4 bytes at a time") != std::string::npos);
    auto store = open_asm("r0 = 1\n*(u32 *)(r1 + 8) = r0\nexit\n", "cgroup/dev");
    r = run_ctx(*store, ctx);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 1u);
    CHECK(r.error->what.find("struct bpf_cgroup_dev_ctx is read-only") != std::string::npos);
}

// ---- bpf_sockopt ----

namespace {

// level, optname, optlen, retval as a bpf_sockopt ctx_in (the pointers left 0).
std::vector<uint8_t> sockopt_ctx(int32_t level, int32_t optname, int32_t optlen = 0, int32_t retval = 0) {
    std::vector<uint8_t> b(bpf_sockopt::kSize, 0);
    for (auto [off, v] : {std::pair{bpf_sockopt::kLevel, level}, std::pair{bpf_sockopt::kOptname, optname},
                          std::pair{bpf_sockopt::kOptlen, optlen}, std::pair{bpf_sockopt::kRetval, retval}})
        store_le<uint32_t>(&b[off], uint32_t(v));
    return b;
}

// r2 = optval, r3 = optval_end; exits with 0 when fewer than `n` bytes are there.
std::string optval_checked(uint32_t n) {
    return "r2 = *(u64 *)(r1 + 8)\nr3 = *(u64 *)(r1 + 16)\nr4 = r2\nr4 += " + std::to_string(n) +
           "\nif r4 > r3 goto short\n";
}

}  // namespace

TEST_CASE("cgroup/setsockopt: the program replaces TCP_CONGESTION \"nv\" by \"cubic\"") {
    const std::string prog = optval_checked(5) +
                             "*(u8 *)(r2 + 0) = 99\n*(u8 *)(r2 + 1) = 117\n*(u8 *)(r2 + 2) = 98\n"
                             "*(u8 *)(r2 + 3) = 105\n*(u8 *)(r2 + 4) = 99\nr0 = 5\n*(u32 *)(r1 + 32) = r0\n"
                             "r0 = 1\nexit\n";
    auto s = open_asm(prog + "short:\nr0 = 0\nexit\n", "cgroup/setsockopt");
    RunResult r = run_ctx(*s, sockopt_ctx(6, 13), {'n', 'v'});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 1);
    CHECK(event_lines(r.host_events) ==
          V{"14 pc 13 exit: the kernel's setsockopt runs on the program's 5-byte value: 63 75 62 69 63"});
    // The buffer is max(16, optlen) bytes: what the program saw past the caller's 2 bytes is zeros.
    CHECK(r.packet_out.size() == 16u);
}

TEST_CASE("cgroup/setsockopt: optlen -1 bypasses the kernel, out of bounds is -EFAULT, 0 keeps the caller's value") {
    auto bypass = open_asm("r0 = -1\n*(u32 *)(r1 + 32) = r0\nr0 = 1\nexit\n", "cgroup/setsockopt");
    CHECK(event_lines(run_ctx(*bypass, sockopt_ctx(1, 7), {1, 0, 0, 0}).host_events) ==
          V{"4 pc 3 exit: setsockopt(level 1, optname 7) returns 0 without the kernel's handler (the program set "
            "optlen to -1)"});
    auto big = open_asm("r0 = 17\n*(u32 *)(r1 + 32) = r0\nr0 = 1\nexit\n", "cgroup/setsockopt");
    CHECK(event_lines(run_ctx(*big, sockopt_ctx(1, 7), {1, 0, 0, 0}).host_events) ==
          V{"4 pc 3 exit: setsockopt(level 1, optname 7) fails with -EFAULT: optlen 17 is outside -1 to 16 (the "
            "buffer's size)"});
    // optname changed, optlen 0: the kernel's handler gets the new optname and the caller's bytes.
    auto keep = open_asm("r0 = 8\n*(u32 *)(r1 + 28) = r0\nr0 = 0\n*(u32 *)(r1 + 32) = r0\nr0 = 1\nexit\n",
                         "cgroup/setsockopt");
    CHECK(event_lines(run_ctx(*keep, sockopt_ctx(1, 7), {1, 0, 0, 0}).host_events) ==
          V{"6 pc 5 exit: the kernel's setsockopt runs with level 1, optname 8 (the caller asked for level 1, "
            "optname 7) on the caller's own 4-byte value"});
    auto deny = open_asm("r0 = 0\nexit\n", "cgroup/setsockopt");
    CHECK(event_lines(run_ctx(*deny, sockopt_ctx(1, 7), {1, 0, 0, 0}).host_events) ==
          V{"2 pc 1 exit: setsockopt(level 1, optname 7) fails with -EPERM; the kernel's handler does not run"});
}

TEST_CASE("bpf_sockopt access rules: retval is getsockopt's, level and optname setsockopt's") {
    auto s = open_asm("r0 = 0\n*(u32 *)(r1 + 36) = r0\nr0 = 1\nexit\n", "cgroup/setsockopt");
    RunResult r = run_ctx(*s, sockopt_ctx(1, 7), {1, 0, 0, 0});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 1u);
    CHECK(r.error->what.find("only a cgroup/getsockopt program may write retval") != std::string::npos);
    auto read = open_asm("r0 = *(u32 *)(r1 + 36)\nexit\n", "cgroup/setsockopt");
    r = run_ctx(*read, sockopt_ctx(1, 7), {1, 0, 0, 0});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("only a cgroup/getsockopt program may read retval") != std::string::npos);
    auto level = open_asm("r0 = 0\n*(u32 *)(r1 + 24) = r0\nr0 = 1\nexit\n", "cgroup/getsockopt");
    r = run_ctx(*level, sockopt_ctx(1, 7), {1, 0, 0, 0});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("only a cgroup/setsockopt program may change level and optname") != std::string::npos);
    auto narrow = open_asm("r0 = *(u32 *)(r1 + 8)\nexit\n", "cgroup/getsockopt");
    r = run_ctx(*narrow, sockopt_ctx(1, 7), {1, 0, 0, 0});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("read as 8-byte pointers") != std::string::npos);
}

TEST_CASE("cgroup/getsockopt: the caller sees the program's value; a kernel error can be turned into success") {
    // SO_SNDBUF 4096 as the kernel returned it; the program doubles the second byte.
    auto s = open_asm(optval_checked(4) + "*(u8 *)(r2 + 1) = 32\nr0 = 1\nexit\nshort:\nr0 = 0\nexit\n", "cgroup/getsockopt");
    RunResult r = run_ctx(*s, sockopt_ctx(1, 7), {0x00, 0x10, 0x00, 0x00});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(event_lines(r.host_events) ==
          V{"8 pc 7 exit: getsockopt(level 1, optname 7) returns 0; the caller sees optlen 4 and the value 00 20 00 00"});
    // The kernel's getsockopt failed with -ENOPROTOOPT (retval -92): the program answers instead.
    const std::string answer = "r6 = r1\ncall bpf_get_retval\nr7 = r0\n" + std::string("r1 = r6\n") +
                               optval_checked(4) + "*(u32 *)(r2 + 0) = 1\nr0 = 4\n*(u32 *)(r6 + 32) = r0\n"
                               "r0 = 0\n*(u32 *)(r6 + 36) = r0\nr0 = r7\nr0 += 93\nexit\nshort:\nr0 = 0\nexit\n";
    auto fix = open_asm(answer, "cgroup/getsockopt");
    r = run_ctx(*fix, sockopt_ctx(1, 200, 8, -92), {});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 1);  // bpf_get_retval gave -92
    CHECK(event_lines(r.host_events) ==
          V{"17 pc 16 exit: getsockopt(level 1, optname 200) returns 0; the caller sees optlen 4 and the value 01 00 "
            "00 00"});
    // Returning 0 turns a success into -EPERM.
    auto deny = open_asm("r0 = 0\nexit\n", "cgroup/getsockopt");
    CHECK(event_lines(run_ctx(*deny, sockopt_ctx(1, 7), {0, 0x10, 0, 0}).host_events) ==
          V{"2 pc 1 exit: getsockopt(level 1, optname 7) returns -EPERM to the caller"});
}

// ---- bpf_sock_addr ----

namespace {

// A sockaddr as bpf_sock_addr ctx_in: user_ip4 and user_port (network byte order).
std::vector<uint8_t> addr4_ctx(std::array<uint8_t, 4> ip, uint16_t port) {
    std::vector<uint8_t> b(bpf_sock_addr::kSize, 0);
    std::copy(ip.begin(), ip.end(), b.begin() + bpf_sock_addr::kUserIp4);
    b[bpf_sock_addr::kUserPort] = uint8_t(port >> 8);
    b[bpf_sock_addr::kUserPort + 1] = uint8_t(port);
    return b;
}

}  // namespace

TEST_CASE("cgroup/connect4 rewrites the destination: connect to 10.0.0.1:80 goes to 10.0.0.2:8080") {
    // 10.0.0.2 as the u32 a little-endian load of its network-order bytes gives; port 8080 = 0x1f90.
    auto s = open_asm("r2 = 0x0200000a\n*(u32 *)(r1 + 4) = r2\nr2 = 0x901f\n*(u32 *)(r1 + 24) = r2\n"
                      "r0 = *(u32 *)(r1 + 0)\nr0 -= 1\nexit\n",
                      "cgroup/connect4");
    RunResult r = run_ctx(*s, addr4_ctx({10, 0, 0, 1}, 80));
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 1);  // user_family AF_INET (2) - 1
    CHECK(event_lines(r.host_events) == V{"7 pc 6 exit: connect to 10.0.0.1:80 rewritten to 10.0.0.2:8080"});
    auto deny = open_asm("r0 = 0\nexit\n", "cgroup/connect4");
    CHECK(event_lines(run_ctx(*deny, addr4_ctx({10, 0, 0, 1}, 80)).host_events) ==
          V{"2 pc 1 exit: connect to 10.0.0.1:80: refused, the system call fails with -EPERM"});
}

TEST_CASE("bpf_sock_addr access rules: the attach type's family, whole writes, read-only family fields") {
    auto v6 = open_asm("r0 = *(u32 *)(r1 + 8)\nexit\n", "cgroup/connect4");
    RunResult r = run_ctx(*v6, addr4_ctx({10, 0, 0, 1}, 80));
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 0u);
    CHECK(r.error->what.find("user_ip6 belongs to the IPv6 attach types") != std::string::npos);
    auto family = open_asm("r0 = 10\n*(u32 *)(r1 + 28) = r0\nexit\n", "cgroup/connect4");
    r = run_ctx(*family, addr4_ctx({10, 0, 0, 1}, 80));
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 1u);
    CHECK(r.error->what.find("user_family, family, type and protocol are read-only") != std::string::npos);
    auto narrow = open_asm("r0 = 80\n*(u16 *)(r1 + 24) = r0\nexit\n", "cgroup/connect4");
    r = run_ctx(*narrow, addr4_ctx({10, 0, 0, 1}, 80));
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("user_port is written 4 bytes at a time") != std::string::npos);
    auto src = open_asm("r0 = 1\n*(u32 *)(r1 + 40) = r0\nexit\n", "cgroup/connect4");
    r = run_ctx(*src, addr4_ctx({10, 0, 0, 1}, 80));
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("msg_src_ip4 exists only for cgroup/sendmsg4") != std::string::npos);
    // IPv6: an aligned 8-byte store into user_ip6 is allowed.
    auto wide = open_asm("r0 = 0\n*(u64 *)(r1 + 16) = r0\nr0 = 1\nexit\n", "cgroup/connect6");
    std::vector<uint8_t> ctx6(bpf_sock_addr::kSize, 0);
    ctx6[bpf_sock_addr::kUserIp6] = 0xfd;
    ctx6[bpf_sock_addr::kUserIp6 + 15] = 1;
    ctx6[bpf_sock_addr::kUserPort + 1] = 80;
    r = run_ctx(*wide, ctx6);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(event_lines(r.host_events) == V{"4 pc 3 exit: connect to [fd00::1]:80 rewritten to [fd00::]:80"});
}

TEST_CASE("helpers the kernel gives sock_addr programs: the socket's cookie, the task's ids") {
    // ctx->sk is the host's program socket (socket 1, cookie 4098).
    auto s = open_asm("r6 = r1\ncall bpf_get_socket_cookie\nr7 = r0\ncall bpf_get_current_pid_tgid\n"
                      "r0 >>= 32\nr0 += r7\nexit\n",
                      "cgroup/connect4");
    const RunResult r = run_ctx(*s, addr4_ctx({10, 0, 0, 1}, 80));
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 4098u + 4242u);
}

TEST_CASE("cgroup/sendmsg4 may set the datagram's source address") {
    auto s = open_asm("r0 = 0x0201000a\n*(u32 *)(r1 + 40) = r0\nr0 = 1\nexit\n", "cgroup/sendmsg4");
    RunResult r = run_ctx(*s, addr4_ctx({8, 8, 8, 8}, 53));
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(event_lines(r.host_events) == V{"4 pc 3 exit: sendmsg to 8.8.8.8:53: allowed, unchanged",
                                          "4 pc 3 exit: the datagram leaves from source address 10.0.1.2"});
}

TEST_CASE("bpf_bind from cgroup/connect4: the host's address; -EINVAL, -EAFNOSUPPORT, -EADDRNOTAVAIL") {
    // struct sockaddr_in {AF_INET, htons(port), addr} at fp-16, then bpf_bind(ctx, &sa, len).
    auto bind_prog = [](uint16_t family, std::array<uint8_t, 4> ip, uint32_t len) {
        const uint32_t ip_le = uint32_t(ip[0]) | uint32_t(ip[1]) << 8 | uint32_t(ip[2]) << 16 | uint32_t(ip[3]) << 24;
        return "r2 = 0\n*(u64 *)(r10 - 16) = r2\n*(u64 *)(r10 - 8) = r2\nr2 = " + std::to_string(family) +
               "\n*(u16 *)(r10 - 16) = r2\nr2 = 0xe803\n*(u16 *)(r10 - 14) = r2\nr2 = " + std::to_string(ip_le) +
               " ll\n*(u32 *)(r10 - 12) = r2\nr2 = r10\nr2 += -16\nr3 = " + std::to_string(len) +
               "\ncall bpf_bind\nexit\n";
    };
    auto ok = open_asm(bind_prog(2, {10, 0, 0, 2}, 16), "cgroup/connect4");
    RunResult r = run_ctx(*ok, addr4_ctx({10, 0, 0, 1}, 80));
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events) ==
          V{"13 pc 13 bpf_bind: the socket is bound to 10.0.0.2:1000 before it connects",
            "14 pc 14 exit: connect to 10.0.0.1:80: refused, the system call fails with -EPERM"});
    auto short_len = open_asm(bind_prog(2, {10, 0, 0, 2}, 8), "cgroup/connect4");
    CHECK(int64_t(run_ctx(*short_len, addr4_ctx({10, 0, 0, 1}, 80)).r0) == -22);
    auto tiny = open_asm(bind_prog(2, {10, 0, 0, 2}, 1), "cgroup/connect4");
    CHECK(int64_t(run_ctx(*tiny, addr4_ctx({10, 0, 0, 1}, 80)).r0) == -22);
    auto unix_family = open_asm(bind_prog(1, {10, 0, 0, 2}, 16), "cgroup/connect4");
    CHECK(int64_t(run_ctx(*unix_family, addr4_ctx({10, 0, 0, 1}, 80)).r0) == -97);
    auto remote = open_asm(bind_prog(2, {192, 0, 2, 1}, 16), "cgroup/connect4");
    CHECK(int64_t(run_ctx(*remote, addr4_ctx({10, 0, 0, 1}, 80)).r0) == -99);
    // connect6: a struct sockaddr_in6 (24 bytes at least: SIN6_LEN_RFC2133) for [::1]:1000.
    auto bind6 = [](uint32_t len) {
        return "r2 = 0\n*(u64 *)(r10 - 32) = r2\n*(u64 *)(r10 - 24) = r2\n*(u64 *)(r10 - 16) = r2\n"
               "*(u64 *)(r10 - 8) = r2\nr2 = 10\n*(u16 *)(r10 - 32) = r2\nr2 = 0xe803\n*(u16 *)(r10 - 30) = r2\n"
               "*(u8 *)(r10 - 9) = 1\nr2 = r10\nr2 += -32\nr3 = " + std::to_string(len) + "\ncall bpf_bind\nexit\n";
    };
    std::vector<uint8_t> ctx6(bpf_sock_addr::kSize, 0);
    auto v6 = open_asm(bind6(24), "cgroup/connect6");
    r = run_ctx(*v6, ctx6);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events).at(0) == "14 pc 13 bpf_bind: the socket is bound to [::1]:1000 before it connects");
    auto v6_short = open_asm(bind6(16), "cgroup/connect6");
    CHECK(int64_t(run_ctx(*v6_short, ctx6).r0) == -22);
    // Only connect programs may bind: the catalog refuses it to bind4 at load.
    CHECK_FALSE(ObjectSession::open_assembly(bind_prog(2, {10, 0, 0, 2}, 16), "cgroup/bind4").ok());
}

// ---- reverse stepping ----

TEST_CASE("stepping back restores the sysctl's new value, the retval and file_pos") {
    Host h = sysctl_host(true, "999999\n");
    auto s = open_asm("r6 = r1\nr2 = 0x0a33\n*(u64 *)(r10 - 8) = r2\nr2 = r10\nr2 += -8\nr3 = 2\n"
                      "call bpf_sysctl_set_new_value\nr1 = -22\ncall bpf_set_retval\nr0 = 5\n"
                      "*(u32 *)(r6 + 4) = r0\nr0 = 1\nexit\n",
                      "cgroup/sysctl", h);
    auto started = s->start("asm", RunInput{});
    REQUIRE(started.ok());
    RunState& run = *started.value();
    Journal journal;
    run.vm->set_recording(&journal, nullptr);
    auto& ctx = static_cast<CgroupContext&>(*run.ctx);
    REQUIRE(run.vm->run(11) == RunStatus::Ready);  // through the file_pos store
    CHECK(ctx.sysctl_value().updated == 1);
    CHECK(std::string(ctx.sysctl_value().bytes.data(), ctx.sysctl_value().len) == "3\n");
    CHECK(ctx.retval() == -22);
    CHECK(ctx.get_u32(bpf_sysctl::kFilePos) == 5u);
    REQUIRE(run.vm->undo_step());  // the file_pos store
    CHECK(ctx.get_u32(bpf_sysctl::kFilePos) == 0u);
    REQUIRE(run.vm->undo_step());  // r0 = 5
    REQUIRE(run.vm->undo_step());  // bpf_set_retval
    CHECK(ctx.retval() == 0);
    REQUIRE(run.vm->undo_step());  // r1 = -22
    REQUIRE(run.vm->undo_step());  // bpf_sysctl_set_new_value
    CHECK(ctx.sysctl_value().updated == 0);
    CHECK(std::string(ctx.sysctl_value().bytes.data(), ctx.sysctl_value().len) == "999999\n");
    REQUIRE(run.vm->run() == RunStatus::Exited);  // forward again: the same end
    CHECK(ctx.retval() == -22);
    CHECK(event_lines(s->finish(run).host_events) ==
          V{"13 pc 12 exit: write of \"999999\\n\" to /proc/sys/net/ipv4/tcp_mem refused: write(2) fails with -EINVAL",
            "13 pc 12 exit: (-EINVAL is the retval the program set with bpf_set_retval)"});
}

// ---- examples/sysctl_guard.c ----

namespace {

// The guard on a write of `value` to `name`: r0 and the event lines.
std::pair<uint64_t, V> guard(const std::string& name, bool write, const std::string& value) {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/sysctl_guard.o", std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    Host host = sysctl_host(write, value);
    host.sysctl.name = name;
    auto s = ObjectSession::open(bytes, "sysctl_guard.o", std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    const RunResult r = s.value()->run("sysctl_guard", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    V texts;
    for (const HostEvent& e : r.host_events) texts.push_back(e.text);
    return {r.r0, texts};
}

}  // namespace

TEST_CASE("sysctl_guard example: tcp_mem above the limit is refused, a missing newline added, the rest allowed") {
    CHECK(guard("net/ipv4/tcp_mem", false, "") ==
          std::pair<uint64_t, V>{1, {"read of /proc/sys/net/ipv4/tcp_mem allowed"}});
    CHECK(guard("net/ipv4/tcp_mem", true, "4096 8192 16384\n") ==
          std::pair<uint64_t, V>{1, {"write of \"4096 8192 16384\\n\" to /proc/sys/net/ipv4/tcp_mem allowed"}});
    CHECK(guard("net/ipv4/tcp_mem", true, "4096 8192 900000\n") ==
          std::pair<uint64_t, V>{0, {"write of \"4096 8192 900000\\n\" to /proc/sys/net/ipv4/tcp_mem refused: "
                                     "write(2) fails with -EPERM"}});
    CHECK(guard("net/ipv4/tcp_mem", true, "100\t200\t300") ==
          std::pair<uint64_t, V>{1, {"write of \"100\\t200\\t300\" to /proc/sys/net/ipv4/tcp_mem allowed",
                                     "bpf_sysctl_set_new_value replaced the value: the sysctl receives "
                                     "\"100\\t200\\t300\\n\" (12 bytes) instead"}});
    // Only two numbers: refused.
    CHECK(guard("net/ipv4/tcp_mem", true, "1 2\n").first == 0);
    // Another sysctl is not guarded.
    CHECK(guard("net/ipv4/tcp_rmem", true, "1 2 999999999\n").first == 1);
}

// ---- examples/connect_rewrite.c ----

TEST_CASE("connect_rewrite example: a service address goes to its backend, SMTP is refused with -EACCES") {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/connect_rewrite.o", std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto opened = ObjectSession::open(bytes, "connect_rewrite.o");
    if (!opened.ok()) FAIL(opened.error().to_string());
    ObjectSession& s = *opened.value();
    // services[10.96.0.10:80] = 10.0.0.2:8080 (addresses and ports in network byte order).
    const std::vector<uint8_t> key{10, 96, 0, 10, 0, 80, 0, 0}, backend{10, 0, 0, 2, 0x1f, 0x90, 0, 0};
    REQUIRE(s.object().maps->find("services")->update_user(key, backend) == 0);
    auto texts = [&](std::array<uint8_t, 4> ip, uint16_t port) {
        RunInput in;
        in.ctx = addr4_ctx(ip, port);
        const RunResult r = s.run("connect_rewrite", in);
        REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
        V out{std::to_string(r.r0)};
        for (const HostEvent& e : r.host_events) out.push_back(e.text);
        return out;
    };
    CHECK(texts({10, 96, 0, 10}, 80) == V{"1", "connect to 10.96.0.10:80 rewritten to 10.0.0.2:8080"});
    CHECK(texts({10, 96, 0, 10}, 443) == V{"1", "connect to 10.96.0.10:443: allowed, unchanged"});
    CHECK(texts({10, 0, 0, 9}, 25) == V{"0", "connect to 10.0.0.9:25: refused, the system call fails with -EACCES",
                                        "(-EACCES is the retval the program set with bpf_set_retval)"});
}

// ---- bpf_sock (cgroup/sock_create, post_bind4) ----

TEST_CASE("cgroup/sock_create sets the new socket's device, mark and priority; 0 refuses socket(2)") {
    auto s = open_asm("r2 = 2\n*(u32 *)(r1 + 0) = r2\nr2 = 42\n*(u32 *)(r1 + 16) = r2\nr2 = 6\n"
                      "*(u32 *)(r1 + 20) = r2\nr0 = 1\nexit\n",
                      "cgroup/sock_create");
    RunResult r = run_ctx(*s);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(event_lines(r.host_events) ==
          V{"8 pc 7 exit: the socket is created, bound to eth0 (ifindex 2), mark 0x2a, priority 6"});
    auto deny = open_asm("r0 = *(u32 *)(r1 + 4)\nr0 -= 2\nexit\n", "cgroup/sock_create");  // family AF_INET
    CHECK(event_lines(run_ctx(*deny).host_events) ==
          V{"3 pc 2 exit: socket(2) fails with -EPERM: the socket is not created"});
}

TEST_CASE("bpf_sock access rules: post_bind reads its source address, never mark; no padding after dst_port") {
    std::vector<uint8_t> ctx(80, 0);
    ctx[24] = 10, ctx[27] = 2;  // src_ip4 10.0.0.2
    ctx[44] = 0x90, ctx[45] = 0x1f;  // src_port 8080, host byte order
    auto deny = open_asm("r0 = *(u32 *)(r1 + 44)\nr0 -= 8080\nexit\n", "cgroup/post_bind4");
    RunResult r = run_ctx(*deny, ctx);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(event_lines(r.host_events) ==
          V{"3 pc 2 exit: bind to 10.0.0.2:8080 fails with -EPERM (the kernel undoes the bind)"});
    auto mark = open_asm("r0 = *(u32 *)(r1 + 16)\nexit\n", "cgroup/post_bind4");
    r = run_ctx(*mark, ctx);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 0u);
    CHECK(r.error->what.find("bound_dev_if, mark and priority belong to cgroup/sock_create and sock_release") !=
          std::string::npos);
    auto v6 = open_asm("r0 = *(u32 *)(r1 + 28)\nexit\n", "cgroup/post_bind4");
    CHECK(run_ctx(*v6, ctx).error->what.find("src_ip6 exists only for cgroup/post_bind6") != std::string::npos);
    auto pad = open_asm("r0 = *(u16 *)(r1 + 50)\nexit\n", "cgroup/post_bind4");
    CHECK(run_ctx(*pad, ctx).error->what.find("bytes 50 and 51 are padding after dst_port") != std::string::npos);
    auto family = open_asm("r0 = 10\n*(u32 *)(r1 + 4) = r0\nexit\n", "cgroup/sock_create");
    r = run_ctx(*family);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 1u);
    CHECK(r.error->what.find("the field is read-only") != std::string::npos);
}
