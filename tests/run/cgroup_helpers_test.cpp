// The cgroup helpers and BPF_MAP_TYPE_CGROUP_ARRAY over the host's default cgroup tree (ids 1
// "/", 2 "/system.slice", 3 "/user.slice", 4 "/user.slice/user-1000.slice", 5 its
// "session-2.scope", the task's). Return codes and their order are kernel/bpf/helpers.c's and
// net/core/filter.c's (Linux 6.18): the index (-E2BIG), the slot (-EAGAIN), then 1 or 0. The
// kernel's answers to bpf_skb_under_cgroup are recorded in examples/cases/cgroup_filter.json
// (a host cgroup tree made real by tests/kernel/kernel_run --host).
#include <doctest/doctest.h>

#include <cstring>

#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

MapSpec cgroup_array_spec(uint32_t max_entries = 4) {
    MapSpec s;
    s.type = MapType::CgroupArray;
    s.name = "cg";
    s.key_size = 4;
    s.value_size = 4;
    s.max_entries = max_entries;
    return s;
}

std::vector<uint8_t> u32(uint32_t v) {
    std::vector<uint8_t> b(4);
    std::memcpy(b.data(), &v, 4);
    return b;
}

int64_t run(ObjectSession& s, const std::vector<uint8_t>& packet = {}) {
    RunInput in;
    in.packet = packet;
    const RunResult r = s.run("asm", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return int64_t(r.r0);
}

// r0 = bpf_current_task_under_cgroup(cg, idx) in a kprobe.
std::unique_ptr<ObjectSession> task_under(uint64_t idx) {
    auto s = open_asm("r1 = {cg} ll\nr2 = " + std::to_string(idx) + " ll\ncall 37\nexit\n", {cgroup_array_spec()},
                      "kprobe/do_sys_openat2");
    Map& cg = *s->object().maps->find("cg");
    REQUIRE(cg.update_user(u32(0), u32(3)) == 0);  // /user.slice: an ancestor of the task's
    REQUIRE(cg.update_user(u32(1), u32(2)) == 0);  // /system.slice: not
    REQUIRE(cg.update_user(u32(2), u32(5)) == 0);  // the task's own cgroup
    return s;
}

} // namespace

TEST_CASE("bpf_current_task_under_cgroup: 1 for the task's cgroup and its ancestors, 0 else, -EAGAIN, -E2BIG") {
    CHECK(run(*task_under(0)) == 1);
    CHECK(run(*task_under(1)) == 0);
    CHECK(run(*task_under(2)) == 1);
    CHECK(run(*task_under(3)) == -11);  // an empty slot
    CHECK(run(*task_under(4)) == -7);   // past max_entries
    CHECK(run(*task_under(0x100000000ull)) == 1);  // the index is a u32: the high half is dropped
    // The task moves to /system.slice: now slot 1 holds its cgroup, slot 0 does not.
    auto s = task_under(1);
    s->host().task.cgroup_id = 2;
    CHECK(run(*s) == 1);
    auto root = task_under(0);
    root->host().task.cgroup_id = 1;  // the root is under no other cgroup
    CHECK(run(*root) == 0);
}

TEST_CASE("bpf_skb_under_cgroup tests the packet's socket, the test-running task's, in a tc program") {
    auto s = open_asm("r2 = {cg} ll\nr3 = 0\ncall 33\nexit\n", {cgroup_array_spec()}, "tc");
    Map& cg = *s->object().maps->find("cg");
    const std::vector<uint8_t> packet(64, 0);
    CHECK(run(*s, packet) == -11);
    REQUIRE(cg.update_user(u32(0), u32(4)) == 0);
    CHECK(run(*s, packet) == 1);
    REQUIRE(cg.update_user(u32(0), u32(2)) == 0);
    CHECK(run(*s, packet) == 0);
}

TEST_CASE("bpf_get_current_cgroup_id and bpf_get_current_ancestor_cgroup_id") {
    auto id = open_asm("call 80\nexit\n", {}, "kprobe/do_sys_openat2");
    CHECK(run(*id) == 5);
    for (const auto& c : {std::pair<int64_t, int64_t>{0, 1}, {1, 3}, {2, 4}, {3, 5}, {4, 0}, {-1, 0}}) {
        const int64_t level = c.first, expected = c.second;
        CAPTURE(level);
        auto s = open_asm("r1 = " + std::to_string(level) + " ll\ncall 123\nexit\n", {}, "kprobe/do_sys_openat2");
        CHECK(run(*s) == expected);
    }
}

TEST_CASE("the test run skb's socket: the task's cgroup ids, net_cls classid 0") {
    // Linux 6.18, task in /tcxa/tcxb (ids 1, 44, 63): bpf_skb_cgroup_id 63, ancestors 1, 44, 63,
    // then 0; both classids 0 (no net_cls). Here the task is in cgroup 5 at level 3.
    const std::vector<uint8_t> packet(64, 0);
    auto id = open_asm("call 79\nexit\n", {}, "tc");
    CHECK(run(*id, packet) == 5);
    id->host().task.cgroup_id = 3;
    CHECK(run(*id, packet) == 3);
    for (const auto& c : {std::pair<int64_t, int64_t>{0, 1}, {1, 3}, {2, 4}, {3, 5}, {4, 0}, {100, 0}, {-1, 0}}) {
        const int64_t level = c.first, expected = c.second;
        CAPTURE(level);
        auto s = open_asm("r2 = " + std::to_string(level) + " ll\ncall 83\nexit\n", {}, "tc");
        CHECK(run(*s, packet) == expected);
    }
    for (const char* classid : {"call 17\nexit\n", "call 151\nexit\n"}) {
        auto s = open_asm(std::string("r0 = 7\n") + classid, {}, "tc");
        CHECK(run(*s, packet) == 0);
    }
}

TEST_CASE("cgroup_array from user space: cgroup ids in, -ENOTSUPP lookups, fd-array flags and bounds") {
    auto s = task_under(0);
    Map& cg = *s->object().maps->find("cg");
    std::vector<uint8_t> value(4);
    CHECK(cg.lookup_user(u32(0), value) == -524);  // a cgroup has no id to give back (no sys lookup)
    CHECK(cg.update_user(u32(3), u32(42)) == -9);  // no cgroup 42: -EBADF, as an fd that is no cgroup
    CHECK(cg.update_user(u32(3), u32(1), 1) == -22);  // only BPF_ANY
    CHECK(cg.update_user(u32(4), u32(1)) == -7);
    CHECK(cg.delete_user(u32(3)) == -2);
    CHECK(cg.delete_user(u32(4)) == -7);
    CHECK(cg.delete_user(u32(0)) == 0);
    CHECK(cg.count() == 2);
    // Creation: values are fds (4 bytes), no program access flags.
    MapSpec bad = cgroup_array_spec();
    bad.value_size = 8;
    auto p = check_map_spec(bad);
    REQUIRE(p);
    CHECK(p->code == -22);
    bad = cgroup_array_spec();
    bad.map_flags = map_flag::kRdonlyProg;
    CHECK(check_map_spec(bad)->code == -22);
}

} // namespace bpfplay::testing
