// CPU, randomness and current-task helpers called from BPF programs.
#include <doctest/doctest.h>

#include "core/host/lfsr113.hpp"
#include "host/host_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::host_test;

TEST_CASE("bpf_get_smp_processor_id and bpf_get_numa_node_id return the host's settings") {
    Host host;
    CHECK(run_on_host("call bpf_get_smp_processor_id\nexit", host).r0 == 0u);
    CHECK(run_on_host("call bpf_get_numa_node_id\nexit", host).r0 == 0u);
    host.cpu = 3;
    host.numa_node = 1;
    CHECK(run_on_host("call 8\nexit", host).r0 == 3u);
    CHECK(run_on_host("call 42\nexit", host).r0 == 1u);
}

TEST_CASE("bpf_get_current_pid_tgid is tgid << 32 | pid") {
    Host host;
    CHECK(run_on_host("call bpf_get_current_pid_tgid\nexit", host).r0 == (uint64_t{4242} << 32 | 4242u));
    host.task.pid = 1001;  // a second thread of process 1000
    host.task.tgid = 1000;
    auto run = run_on_host("call 14\nexit", host);
    CHECK(run.r0 == 0x000003e8000003e9u);
    // The usual idiom: the process id is the upper half.
    CHECK(run_on_host("call 14\nr0 >>= 32\nexit", host).r0 == 1000u);
}

TEST_CASE("bpf_get_current_uid_gid is gid << 32 | uid") {
    Host host;
    CHECK(run_on_host("call bpf_get_current_uid_gid\nexit", host).r0 == (uint64_t{1000} << 32 | 1000u));
    host.task.uid = 0;
    host.task.gid = 0xfffffffe;
    CHECK(run_on_host("call 15\nexit", host).r0 == 0xfffffffe00000000u);
}

TEST_CASE("bpf_get_prandom_u32 gives the documented sequence for the seed") {
    Host host;  // seed 1: the kernel's selftest value comes first
    const char* two_draws = R"(call bpf_get_prandom_u32
r6 = r0
call bpf_get_prandom_u32
r0 <<= 32
r0 |= r6
exit)";
    auto run = run_on_host(two_draws, host);
    REQUIRE(run.status == RunStatus::Exited);
    Lfsr113 expected(1);
    const uint64_t first = expected.next();
    const uint64_t second = expected.next();
    CHECK(first == 3484351685u);
    CHECK(run.r0 == (second << 32 | first));
    CHECK((run.r0 >> 32) == 2581081208u);  // the second draw for seed 1, as a fixed number

    // The state carries on to the next run on the same host...
    CHECK(run_on_host("call 7\nexit", host).r0 == expected.next());
    // ...and a fresh host with the same seed repeats the run exactly.
    Host again;
    CHECK(run_on_host(two_draws, again).r0 == run.r0);
    again.prandom.seed(2);
    CHECK(run_on_host("call 7\nexit", again).r0 == 2623130059u);
}

namespace {
// Fills 24 stack bytes at r10 - 24 with 0xaa, calls bpf_get_current_comm(r10 - 24, size).
std::string comm_program(uint32_t size) {
    return store_on_stack(std::string(24, '\xaa'), -24) + "r1 = r10\nr1 += -24\nr2 = " + std::to_string(size) +
           "\ncall bpf_get_current_comm\nexit\n";
}
}  // namespace

TEST_CASE("bpf_get_current_comm copies the name, a NUL, and zeros to the end of the buffer") {
    Host host;
    auto run = run_on_host(comm_program(16), host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == 0u);
    const std::string expected = std::string("bpfplay-demo") + std::string(4, '\0');
    for (int k = 0; k < 16; ++k) CHECK(run.at_fp(-24 + k) == uint8_t(expected[size_t(k)]));
    for (int k = 16; k < 24; ++k) CHECK(run.at_fp(-24 + k) == 0xaa);  // past size: untouched
}

TEST_CASE("bpf_get_current_comm truncates to size - 1 characters and still returns 0") {
    Host host;
    auto run = run_on_host(comm_program(5), host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == 0u);
    const char expected[] = {'b', 'p', 'f', 'p', '\0'};
    for (int k = 0; k < 5; ++k) CHECK(run.at_fp(-24 + k) == uint8_t(expected[k]));
    CHECK(run.at_fp(-19) == 0xaa);

    auto one = run_on_host(comm_program(1), host);  // room for the NUL only
    CHECK(one.r0 == 0u);
    CHECK(one.at_fp(-24) == 0);
    CHECK(one.at_fp(-23) == 0xaa);
}

TEST_CASE("bpf_get_current_comm with a buffer larger than the name zero-fills all of it") {
    Host host;
    host.task.set_comm("sh");
    auto run = run_on_host(comm_program(24), host);
    CHECK(run.r0 == 0u);
    CHECK(run.at_fp(-24) == 's');
    CHECK(run.at_fp(-23) == 'h');
    for (int k = 2; k < 24; ++k) CHECK(run.at_fp(-24 + k) == 0);
}

TEST_CASE("bpf_get_current_comm with size 0 returns -EINVAL and writes nothing") {
    Host host;
    auto run = run_on_host(comm_program(0), host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == neg(-22));
    CHECK(run.at_fp(-24) == 0xaa);
}

TEST_CASE("bpf_get_current_comm into memory the program may not write stops the run") {
    Host host;
    auto run = run_on_host("r1 = r10\nr1 += -8\nr2 = 16\ncall bpf_get_current_comm\nexit", host);
    REQUIRE(run.status == RunStatus::Faulted);
    REQUIRE(run.error);
    CHECK(run.error->kind == ErrorKind::Memory);
    CHECK(run.error->where.pc == 3u);
    CHECK(run.message() ==
          "bpf_get_current_comm: 16-byte helper write at 0x8000001f8 (fp-8) is outside the 512-byte stack of frame 0 "
          "at 0x800000000: valid stack offsets are fp-512 to fp-1");
}
