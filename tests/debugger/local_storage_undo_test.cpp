// Reverse execution over the local storage helpers: values created, written and deleted come
// back exactly on step-back.
#include <doctest/doctest.h>

#include "debugger/debug_fixture.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {

namespace {
MapSpec task_storage_spec() {
    MapSpec s;
    s.type = MapType::TaskStorage;
    s.name = "ls";
    s.key_size = 4;
    s.value_size = 8;
    s.map_flags = map_flag::kNoPrealloc;
    s.btf_key_type_id = 1;
    s.btf_value_type_id = 2;
    return s;
}
} // namespace

TEST_CASE("stepping back over bpf_task_storage_get and bpf_task_storage_delete restores the storage") {
    auto object = open_asm("call 158\nr6 = r0\n"
                           "r1 = {ls} ll\nr2 = r6\nr3 = 0\nr4 = 1\ncall 156\n"
                           "r1 = 7\n*(u64 *)(r0 + 0) = r1\n"
                           "r1 = {ls} ll\nr2 = r6\ncall 157\n"
                           "r1 = {ls} ll\nr2 = r6\nr3 = 0\nr4 = 1\ncall 156\n"
                           "r0 = *(u64 *)(r0 + 0)\nexit\n",
                           {task_storage_spec()}, "kprobe/do_sys_openat2");
    auto s = DebugSession::open(*object, "asm", RunInput{});
    REQUIRE(s.ok());
    const std::vector<std::string> forward = fingerprints_to_end(**s);
    CHECK(int64_t((*s)->vm().regs()[0]) == 0);  // the second value is new: zeros
    CHECK(object->object().maps->find("ls")->count() == 1);
    require_same_states_back(**s, forward);
    CHECK(object->object().maps->find("ls")->count() == 0);
}

TEST_CASE("stepping back over bpf_get_local_storage removes the value its first call created") {
    MapSpec spec;
    spec.type = MapType::PercpuCgroupStorage;
    spec.name = "cs";
    spec.key_size = 16;
    spec.value_size = 8;
    auto object = open_asm("r1 = {cs} ll\nr2 = 0\ncall 81\nr1 = 9\n*(u64 *)(r0 + 0) = r1\n"
                           "r1 = {cs} ll\nr2 = 0\ncall 81\nr0 = *(u64 *)(r0 + 0)\nexit\n",
                           {spec}, "cgroup_skb/ingress");
    RunInput in;
    in.packet.assign(64, 0);
    auto s = DebugSession::open(*object, "asm", in);
    REQUIRE(s.ok());
    const std::vector<std::string> forward = fingerprints_to_end(**s);
    CHECK(int64_t((*s)->vm().regs()[0]) == 9);
    CHECK(object->object().maps->find("cs")->count() == 1);
    require_same_states_back(**s, forward);
    CHECK(object->object().maps->find("cs")->count() == 0);
}

} // namespace bpfplay::testing
