// The debugger's context view of a tracepoint program: the event's record by field (name, offset,
// the field's own size), as the Context tab and `bpfvm debug`'s state show it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/debugger/debug_json.hpp"
#include "core/hex.hpp"
#include "debugger/debug_fixture.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {

TEST_CASE("the debugger shows a tracepoint's record by field, each in its own bytes") {
    auto o = test::open_object("tests/run/bpf/tracepoint_records.o");
    RunInput in;
    in.args = {{"irq", 42}};
    auto d = DebugSession::open(*o, "irq_entry", in);
    REQUIRE_MESSAGE(d.ok(), (d.ok() ? "" : d.error().to_string()));
    const DebugState s = (*d)->state();
    CHECK(s.context_struct == "trace_event_raw_irq_handler_entry");
    // id 225, pid 4242, irq 42, name "" at 16 (1 byte): the fixed part and the __data_loc data.
    CHECK(hex_bytes(s.context) == "e1000000921000002a0000001000010000");
    std::vector<std::string> fields;
    for (const auto& f : s.context_fields)
        fields.push_back(f.name + "@" + std::to_string(f.offset) + "/" + std::to_string(f.size));
    CHECK(fields == std::vector<std::string>{"common_type@0/2", "common_flags@2/1", "common_preempt_count@3/1",
                                             "common_pid@4/4", "irq@8/4", "name@12/4"});
    REQUIRE(s.context_fields.size() == 6);
    CHECK(s.context_fields[5].about == "the record's field name (__data_loc char[])");
    CHECK(debug_state_json(s).find(R"("context_struct":"trace_event_raw_irq_handler_entry","context_fields":[)"
                                   R"({"name":"common_type","offset":0,"size":2,"kind":"value",)") != std::string::npos);
}

}  // namespace bpfplay::testing
