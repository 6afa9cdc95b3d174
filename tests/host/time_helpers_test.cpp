// The clock helpers called from BPF programs: exact values from the virtual clock.
#include <doctest/doctest.h>

#include "host/host_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::host_test;

TEST_CASE("bpf_ktime_get_ns counts the call itself: the first instruction reads start + 1 insn") {
    Host host;
    auto run = run_on_host("call bpf_ktime_get_ns\nexit", host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == 1'000'000'001u);
}

TEST_CASE("two ktime reads differ by the instructions from the first call to the second") {
    Host host;
    host.ns_per_insn = 10;
    // Calls at the 1st and 5th executed instruction: 4 instructions apart.
    const char* text = R"(call 5
r6 = r0
r1 = 1
r2 = 2
call 5
r0 -= r6
exit)";
    auto run = run_on_host(text, host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == 40u);
    CHECK(run.executed == 7u);
}

TEST_CASE("ktime advances across a loop by exactly the instructions it ran") {
    Host host;
    // 3 instructions per turn, 10 turns, between the two reads.
    const char* text = R"(call bpf_ktime_get_ns
r6 = r0
r7 = 10
r7 -= 1
if r7 != 0 goto -2
call bpf_ktime_get_ns
r0 -= r6
exit)";
    auto run = run_on_host(text, host);
    REQUIRE(run.status == RunStatus::Exited);
    // From the first call: call, r6 =, r7 = 10, then 10 * (r7 -= 1, if) = 23 instructions.
    CHECK(run.r0 == 23u);
}

TEST_CASE("bpf_ktime_get_boot_ns is ktime plus the suspended time") {
    Host host;
    host.boot_offset_ns = 3'600'000'000'000;  // an hour asleep
    const char* text = R"(call bpf_ktime_get_ns
r6 = r0
call bpf_ktime_get_boot_ns
r0 -= r6
exit)";
    auto run = run_on_host(text, host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == 3'600'000'000'000u + 2u);  // plus the two instructions between the reads
    CHECK(run_on_host("call bpf_ktime_get_boot_ns\nexit", host).r0 == 3'601'000'000'001u);
}

TEST_CASE("bpf_ktime_get_coarse_ns is rounded down to the 4 ms jiffy") {
    Host host;
    host.clock_start_ns = 2'007'999'998;
    CHECK(run_on_host("call bpf_ktime_get_coarse_ns\nexit", host).r0 == 2'004'000'000u);
    // The third instruction reads 2'008'000'001: past the tick.
    CHECK(run_on_host("r1 = 0\nr1 = 1\ncall bpf_ktime_get_coarse_ns\nexit", host).r0 == 2'008'000'000u);
}

TEST_CASE("bpf_jiffies64 is INITIAL_JIFFIES plus elapsed ticks") {
    Host host;
    CHECK(run_on_host("call bpf_jiffies64\nexit", host).r0 == 4'294'892'546u);
    host.clock_start_ns = 10'000'000'000;
    host.hz = 100;
    CHECK(run_on_host("call 118\nexit", host).r0 == 4'294'937'296u + 1000u);  // (u32)(-30000) + 10 s
}

TEST_CASE("a host reused with advance_clock continues where the last run stopped") {
    Host host;
    auto first = run_on_host("call bpf_ktime_get_ns\nr0 = 0\nexit", host);
    host.advance_clock(first.executed);
    CHECK(run_on_host("call bpf_ktime_get_ns\nexit", host).r0 == 1'000'000'004u);
}

TEST_CASE("bpf_ktime_get_tai_ns is ktime plus the TAI offset: boot at 2026-01-01 UTC plus 37 leap seconds") {
    Host host;
    CHECK(host.tai_offset_ns == 1'767'225'637'000'000'000u);
    auto run = run_on_host("call bpf_ktime_get_tai_ns\nexit", host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == 1'767'225'637'000'000'000u + 1'000'000'001u);
}

TEST_CASE("bpf_ktime_get_tai_ns follows a changed offset and advances with the clock") {
    Host host;
    host.tai_offset_ns = 5;
    const char* text = R"(call bpf_ktime_get_ns
r6 = r0
call bpf_ktime_get_tai_ns
r0 -= r6
exit)";
    auto run = run_on_host(text, host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(run.r0 == 5u + 2u);  // the offset, plus the two instructions between the reads
}

TEST_CASE("bpf_ktime_get_tai_ns without a host stops the run naming the helper") {
    auto run = run_on_host("call bpf_ktime_get_tai_ns\nexit", nullptr);
    REQUIRE(run.status == RunStatus::Faulted);
    CHECK(run.message().find("bpf_ktime_get_tai_ns") != std::string::npos);
}
