// bpf_timer_init / set_callback / start / cancel from assembled programs, and the runner firing
// due timers on the virtual clock: kernel/bpf/helpers.c's return codes, the verifier's checks.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "run/asm_session.hpp"

using namespace bpfplay;
using namespace bpfplay::testing;

namespace {

constexpr uint64_t kEINVAL = uint64_t(-22), kEBUSY = uint64_t(-16), kEDEADLK = uint64_t(-35);

// An array "m" of 2 values { struct bpf_timer t; u64 fired; }, the timer at offset 0.
MapSpec timer_map() {
    MapSpec s;
    s.type = MapType::Array;
    s.name = "m";
    s.key_size = 4;
    s.value_size = 24;
    s.max_entries = 2;
    s.timer_off = 0;
    s.kernel_btf = true;
    return s;
}

// r6 = &m[key] (an array lookup of a key below max_entries cannot fail).
std::string value_of(int key) {
    return "*(u32 *)(r10 - 4) = " + std::to_string(key) +
           "\n"
           "r2 = r10\n"
           "r2 += -4\n"
           "r1 = {m} ll\n"
           "call 1\n"
           "r6 = r0\n";
}
std::string call(const std::string& args, int helper) {
    return "r1 = r6\n" + args + "call " + std::to_string(helper) + "\n";
}
const std::string kInit = call("r2 = {m} ll\nr3 = 1\n", 169);  // CLOCK_MONOTONIC

// Instruction slots in `text` before `pos` (an lddw takes two).
size_t slots_before(const std::string& text, size_t pos) {
    size_t n = 0;
    for (size_t i = 0; i < pos; ++i) n += text[i] == '\n';
    for (size_t k = 0; (k = text.find(" ll\n", k)) != std::string::npos && k < pos; ++k) ++n;
    return n;
}

// `body`, exit, then a timer callback that adds 1 to the value's counter (after `cb_extra`)
// and returns `cb_ret`. "{cb}" in body loads the callback's address into r2.
std::unique_ptr<ObjectSession> open(std::string body, int cb_ret = 0, const std::string& cb_extra = "") {
    for (size_t at; (at = body.find("{cb}")) != std::string::npos;) body.replace(at, 4, "r2 = func(+@) ll");
    std::string text = body + "exit\n";
    const size_t cb = slots_before(text, text.size());
    text += cb_extra + "r1 = *(u64 *)(r3 + 16)\nr1 += 1\n*(u64 *)(r3 + 16) = r1\nr0 = " + std::to_string(cb_ret) +
            "\nexit\n";
    for (size_t at; (at = text.find("+@")) != std::string::npos;)
        text.replace(at, 2, "+" + std::to_string(cb - slots_before(text, at) - 1));
    return open_asm(text, {timer_map()});
}

const std::string kSetCb = "r1 = r6\n{cb}\ncall 170\n";

uint64_t fired(ObjectSession& s, uint32_t key) {
    std::vector<uint8_t> k(4), v(24);
    std::memcpy(k.data(), &key, 4);
    REQUIRE(s.object().maps->get(0)->lookup_user(k, v) == 0);
    uint64_t n;
    std::memcpy(&n, v.data() + 16, 8);
    return n;
}

}  // namespace

TEST_CASE("bpf_timer_init: 0, then -EBUSY; an unknown clock is -EINVAL") {
    auto s = open(value_of(0) + kInit + "r7 = r0\n" + kInit + "r0 <<= 8\nr0 |= r7\n");
    CHECK(run_asm(*s).r0 == ((kEBUSY << 8) | 0));
    auto t = open(value_of(0) + call("r2 = {m} ll\nr3 = 4\n", 169));  // CLOCK_MONOTONIC_RAW
    CHECK(run_asm(*t).r0 == kEINVAL);
}

TEST_CASE("before bpf_timer_init, set_callback, start and cancel are -EINVAL") {
    CHECK(run_asm(*open(value_of(0) + kSetCb)).r0 == kEINVAL);
    CHECK(run_asm(*open(value_of(0) + call("r2 = 0\nr3 = 0\n", 171))).r0 == kEINVAL);
    CHECK(run_asm(*open(value_of(0) + call("", 172))).r0 == kEINVAL);
    // Initialized but without a callback: start is -EINVAL too.
    CHECK(run_asm(*open(value_of(0) + kInit + call("r2 = 0\nr3 = 0\n", 171))).r0 == kEINVAL);
}

TEST_CASE("a started timer fires after the run; cancel returns 1 when armed and stops it") {
    auto s = open(value_of(0) + kInit + kSetCb + call("r2 = 0\nr3 = 0\n", 171));
    RunResult r = run_asm(*s);
    CHECK(r.r0 == 0u);
    REQUIRE(r.timer_runs.size() == 1);
    CHECK(r.timer_runs[0].status == RunStatus::Exited);
    CHECK(r.timer_runs[0].timer.find("timer callback at insn") == 0);
    CHECK(fired(*s, 0) == 1u);

    auto c = open(value_of(0) + kInit + kSetCb + call("r2 = 0\nr3 = 0\n", 171) + call("", 172) + "r7 = r0\n" +
                  call("", 172) + "r0 <<= 8\nr0 |= r7\n");
    r = run_asm(*c);
    CHECK(r.r0 == 1u);  // 1, then 0 (already disarmed)
    CHECK(r.timer_runs.empty());
    CHECK(fired(*c, 0) == 0u);
}

TEST_CASE("bpf_timer_start: unknown flags are -EINVAL; a timer due later fires when the clock gets there") {
    CHECK(run_asm(*open(value_of(0) + kInit + kSetCb + call("r2 = 0\nr3 = 4\n", 171))).r0 == kEINVAL);
    auto s = open(value_of(0) + kInit + kSetCb + call("r2 = 5000\nr3 = 0\n", 171) + value_of(1) + kInit + kSetCb +
                  call("r2 = 1000\nr3 = 0\n", 171));
    RunResult r = run_asm(*s);
    CHECK(r.timer_runs.empty());  // ~40 ns of virtual time passed
    std::vector<RunResult> fired_now = s->advance_time(2000);
    REQUIRE(fired_now.size() == 1);  // the 1000 ns timer (element 1)
    CHECK(fired(*s, 1) == 1u);
    CHECK(fired(*s, 0) == 0u);
    CHECK(s->advance_time(2000).empty());
    CHECK(s->advance_time(2000).size() == 1);
    CHECK(fired(*s, 0) == 1u);
}

TEST_CASE("a timer callback must return 0, and cannot cancel its own timer") {
    auto s = open(value_of(0) + kInit + kSetCb + call("r2 = 0\nr3 = 0\n", 171), 1);
    RunResult r = run_asm(*s);
    REQUIRE(r.timer_runs.size() == 1);
    CHECK(r.timer_runs[0].status == RunStatus::Faulted);
    REQUIRE(r.timer_runs[0].error);
    CHECK(r.timer_runs[0].error->what.find("should have been in (0x0; 0x0)") != std::string::npos);

    // The callback cancels its timer (r3 = the value, whose first 16 bytes are the timer):
    // -EDEADLK, stored in the counter's place.
    auto d = open(value_of(0) + kInit + kSetCb + call("r2 = 0\nr3 = 0\n", 171), 0,
                  "r6 = r3\nr1 = r3\ncall 172\n*(u64 *)(r6 + 16) = r0\nr3 = r6\n");
    r = run_asm(*d);
    REQUIRE(r.timer_runs.size() == 1);
    CHECK(r.timer_runs[0].status == RunStatus::Exited);
    CHECK(fired(*d, 0) == kEDEADLK + 1);  // then the usual +1
}

TEST_CASE("the verifier's checks: a pointer off the timer field, another map") {
    auto s = open(value_of(0) + "r6 += 8\n" + kInit);
    RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("doesn't point to 'struct bpf_timer' that is at 0") != std::string::npos);
}
