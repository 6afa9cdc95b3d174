// Scenarios (core/run/scenario.hpp): host events played through the object's tracing programs.
// libbpf-bootstrap's exec/exit tracer (examples/bootstrap.c) gets the stream its user space prints.
#include <doctest/doctest.h>

#include <cstring>

#include "core/hex.hpp"
#include "core/run/scenario.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {
namespace {

using test::open_object;

// bootstrap.h's struct event: pid, ppid, exit_code, duration_ns, comm[16], filename[127], exit_event.
struct BootstrapEvent {
    int32_t pid, ppid;
    uint32_t exit_code;
    uint64_t duration_ns;
    std::string comm, filename;
    bool exit_event;
};

BootstrapEvent event_of(const std::vector<uint8_t>& b) {
    REQUIRE(b.size() == 168);
    BootstrapEvent e;
    std::memcpy(&e.pid, &b[0], 4);
    std::memcpy(&e.ppid, &b[4], 4);
    std::memcpy(&e.exit_code, &b[8], 4);
    std::memcpy(&e.duration_ns, &b[16], 8);
    e.comm = reinterpret_cast<const char*>(&b[24]);
    e.filename = reinterpret_cast<const char*>(&b[40]);
    e.exit_event = b[167] != 0;
    return e;
}

}  // namespace

TEST_CASE("the default scenario through bootstrap.c: two execs, two exits, with durations and statuses") {
    auto s = open_object("public/examples/bootstrap.o");
    auto steps = play_scenario(*s, default_scenario());
    REQUIRE_MESSAGE(steps.ok(), steps.error().to_string());
    REQUIRE(steps->size() == 4);
    const std::vector<std::string> texts = {"exec: pid 4243 (ls) runs /usr/bin/ls", "exec: pid 4244 (cat) runs /usr/bin/cat",
                                            "exit: pid 4243 (ls) with status 0", "exit: pid 4244 (cat) with status 1"};
    for (size_t i = 0; i < 4; ++i) {
        const ScenarioStep& st = (*steps)[i];
        CHECK(st.text == texts[i]);
        REQUIRE(st.runs.size() == 1);
        CHECK(st.runs[0].program == (i < 2 ? "handle_exec" : "handle_exit"));
        CHECK_FALSE(st.runs[0].error);
        REQUIRE(st.records.size() == 1);
        CHECK(st.records[0].map == "rb");
    }
    const BootstrapEvent ls = event_of((*steps)[0].records[0].bytes);
    CHECK(ls.pid == 4243);
    CHECK(ls.comm == "ls");
    CHECK(ls.filename == "/usr/bin/ls");
    CHECK_FALSE(ls.exit_event);
    const BootstrapEvent ls_exit = event_of((*steps)[2].records[0].bytes);
    CHECK(ls_exit.exit_event);
    CHECK(ls_exit.pid == 4243);
    CHECK(ls_exit.exit_code == 0);
    // exec at the first event's time, exit 3.5 ms later (plus the instructions run between).
    CHECK(ls_exit.duration_ns == 3'500'127);
    const BootstrapEvent cat_exit = event_of((*steps)[3].records[0].bytes);
    CHECK(cat_exit.pid == 4244);
    CHECK(cat_exit.comm == "cat");
    CHECK(cat_exit.exit_code == 1);
    CHECK(cat_exit.duration_ns == 3'000'139);  // 3 ms, plus the instructions of the runs between
    // The reader took every record: the ring buffer is empty again; exec_start kept the exits'.
    CHECK(s->object().maps->find("rb")->count() == 0);
    CHECK(s->object().maps->find("exec_start")->count() == 0);
    CHECK((*steps)[2].time_ns == 1'003'500'120);
}

TEST_CASE("a scenario from JSON: pids, comms, a signal; errors name the event and member") {
    auto sc = scenario_from_json(R"({"events": [{"exec": "/bin/sh"}, {"exec": "/usr/bin/curl", "pid": 900, "comm": "curl",
                                     "after_ns": 10}, {"exit": 900, "signal": 9, "after_ns": 5}, {"exit": 4243}]})");
    REQUIRE_MESSAGE(sc.ok(), sc.error().to_string());
    REQUIRE(sc->events.size() == 4);
    CHECK(sc->events[0] == ScenarioEvent{ScenarioEventKind::Exec, 0, 4243, "sh", "/bin/sh", 0});
    CHECK(sc->events[1] == ScenarioEvent{ScenarioEventKind::Exec, 10, 900, "curl", "/usr/bin/curl", 0});
    CHECK(sc->events[2] == ScenarioEvent{ScenarioEventKind::Exit, 5, 900, "curl", "/usr/bin/curl", 9});
    CHECK(scenario_event_text(sc->events[2]) == "exit: pid 900 (curl) killed by signal 9");
    CHECK(sc->events[3].pid == 4243);
    const auto error_of = [](std::string_view json) {
        auto r = scenario_from_json(json);
        REQUIRE_FALSE(r.ok());
        return r.error().what;
    };
    CHECK(error_of(R"({"events": {}})") == "scenario: the document needs \"events\": a list");
    CHECK(error_of(R"({"events": [{"exit": 77}]})") == "scenario: event 1: no earlier exec started pid 77");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls", "exit": 1}]})") ==
          "scenario: event 1: give one of \"exec\" (a file) or \"exit\" (a pid)");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls", "colour": 1}]})") == "scenario: event 1: unknown member \"colour\"");
    CHECK(error_of(R"({"events": [{"exec": "/bin/ls"}, {"exit": 4243, "status": 256}]})") ==
          "scenario: event 2: \"status\" is an exit status (0 to 255)");
}

TEST_CASE("a scenario needs a program attached to its events") {
    auto s = open_object("public/examples/xdp_drop_port.o");
    auto steps = play_scenario(*s, default_scenario());
    REQUIRE_FALSE(steps.ok());
    CHECK(steps.error().what == "no program of the object is attached to the scenario's events");
}

}  // namespace bpfplay::testing
