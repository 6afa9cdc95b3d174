// Reverse execution over bpf_get_stackid: stacks stored, found again, replaced
// (BPF_F_REUSE_STACKID) and refused come back exactly on step-back.
#include <doctest/doctest.h>

#include "debugger/debug_fixture.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {

TEST_CASE("stepping back over bpf_get_stackid restores the stack map") {
    MapSpec spec;
    spec.type = MapType::StackTrace;
    spec.name = "st";
    spec.key_size = 4;
    spec.value_size = 32;
    spec.max_entries = 8;
    auto object = open_asm("r6 = r1\n"
                           "r2 = {st} ll\nr3 = 0\ncall 27\n"
                           "r1 = r6\nr2 = {st} ll\nr3 = 1\ncall 27\n"
                           "r1 = r6\nr2 = {st} ll\nr3 = 0x101\ncall 27\n"
                           "r1 = r6\nr2 = {st} ll\nr3 = 0x501 ll\ncall 27\n"
                           "exit\n",
                           {spec}, "kprobe/do_sys_openat2");
    auto s = DebugSession::open(*object, "asm", RunInput{});
    REQUIRE(s.ok());
    const std::vector<std::string> forward = fingerprints_to_end(**s);
    CHECK(int64_t((*s)->vm().regs()[0]) == 2);  // the user stack took bucket 2 with REUSE
    CHECK(object->object().maps->find("st")->count() == 2);
    require_same_states_back(**s, forward);
    CHECK(object->object().maps->find("st")->count() == 0);
}

} // namespace bpfplay::testing
