// Debugging an iterator program (core/run/iter_run.hpp): the debugger steps its first call,
// the state shows that call's element, seq_num and the seq_file output so far, and stepping
// back over bpf_seq_printf takes its text back out.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "core/debugger/debug_json.hpp"
#include "core/debugger/debug_session.hpp"
#include "core/run/object_session.hpp"

using namespace bpfplay;

namespace {

std::string text(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

}  // namespace

TEST_CASE("debugging an iterator steps its first call; seq output is in the state and undone stepping back") {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/task_iter.o", std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    auto session = ObjectSession::open(bytes, "task_iter.o");
    REQUIRE(session.ok());
    ObjectSession* s = session.value().get();
    auto opened = DebugSession::open(*s, "dump_task", RunInput{});
    REQUIRE(opened.ok());
    DebugSession& d = *opened.value();
    CHECK(d.state().iter_element == "task pid 1 (systemd)");
    CHECK(d.state().iter_output.empty());
    CHECK(d.cont().reason == StopReason::Exited);
    DebugState st = d.state();
    CHECK(st.iter_target == "task");
    CHECK(st.iter_seq_num == 0);
    CHECK(text(st.iter_output) == "     pid     tgid comm\n       1        1 systemd\n");
    const std::string json = debug_state_json(st);
    CHECK(json.find("\"iterator\":{\"target\":\"task\",\"element\":\"task pid 1 (systemd)\",\"seq_num\":0,") !=
          std::string::npos);
    // Back before the last bpf_seq_printf: its line is gone.
    CHECK(d.reverse_cont().reason == StopReason::HistoryStart);
    CHECK(d.state().iter_output.empty());
}
