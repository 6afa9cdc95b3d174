// The Host's virtual clocks as plain functions of the instruction count.
#include <doctest/doctest.h>

#include "core/host/host.hpp"

using namespace bpfplay;

TEST_CASE("host defaults are the documented ones") {
    Host h;
    CHECK(h.cpu == 0u);
    CHECK(h.ncpus == 4u);
    CHECK(h.numa_node == 0u);
    CHECK(h.clock_start_ns == 1'000'000'000u);
    CHECK(h.ns_per_insn == 1u);
    CHECK(h.boot_offset_ns == 0u);
    CHECK(h.hz == 250u);
    CHECK(h.task.pid == 4242u);
    CHECK(h.task.tgid == 4242u);
    CHECK(h.task.uid == 1000u);
    CHECK(h.task.gid == 1000u);
    CHECK(h.task.comm_view() == "bpfplay-demo");
    CHECK(h.printk.empty());
}

TEST_CASE("ktime is the start plus instructions times ns_per_insn; boot time adds the offset") {
    Host h;
    h.clock_start_ns = 5'000;
    h.ns_per_insn = 3;
    CHECK(h.ktime_ns(0) == 5'000u);
    CHECK(h.ktime_ns(10) == 5'030u);
    h.boot_offset_ns = 700;
    CHECK(h.boot_ns(10) == 5'730u);
}

TEST_CASE("a jiffy is TICK_NSEC = (1e9 + HZ/2) / HZ") {
    Host h;
    CHECK(h.tick_ns() == 4'000'000u);
    h.hz = 1000;
    CHECK(h.tick_ns() == 1'000'000u);
    h.hz = 300;
    CHECK(h.tick_ns() == 3'333'333u);
    h.hz = 0;  // treated as 250
    CHECK(h.tick_ns() == 4'000'000u);
}

TEST_CASE("the coarse clock is ktime rounded down to the last tick") {
    Host h;
    h.clock_start_ns = 1'004'000'123;
    CHECK(h.coarse_ns(0) == 1'004'000'000u);
    h.clock_start_ns = 1'003'999'999;
    CHECK(h.coarse_ns(0) == 1'000'000'000u);
    CHECK(h.coarse_ns(1) == 1'004'000'000u);
}

TEST_CASE("jiffies64 starts at the kernel's INITIAL_JIFFIES and counts ticks of ktime") {
    Host h;
    CHECK(h.initial_jiffies() == 4'294'892'296u);  // (u32)(-300 * 250)
    CHECK(h.jiffies64(0) == 4'294'892'296u + 250u);  // one second after boot
    h.hz = 1000;
    CHECK(h.initial_jiffies() == 4'294'667'296u);  // (u32)(-300 * 1000)
    CHECK(h.jiffies64(0) == 4'294'667'296u + 1000u);
    h.clock_start_ns = 0;
    CHECK(h.jiffies64(999'999) == 4'294'667'296u);
    CHECK(h.jiffies64(1'000'000) == 4'294'667'297u);
}

TEST_CASE("advance_clock moves the next run's start by the instructions of the last") {
    Host h;
    h.ns_per_insn = 2;
    h.advance_clock(50);
    CHECK(h.clock_start_ns == 1'000'000'100u);
    CHECK(h.ktime_ns(1) == 1'000'000'102u);
}

TEST_CASE("set_comm keeps 15 bytes and NUL-fills the rest") {
    Task t;
    t.set_comm("a-very-long-process-name");
    CHECK(t.comm_view() == "a-very-long-pro");
    CHECK(t.comm[15] == '\0');
    t.set_comm("sh");
    CHECK(t.comm_view() == "sh");
    for (size_t k = 2; k < kTaskCommLen; ++k) CHECK(t.comm[k] == '\0');
}
