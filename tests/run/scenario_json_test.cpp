// Scenarios as the page gets them (core/run/scenario_json.hpp): the script its editor starts
// with, and the report of bootstrap.c's exec/exit stream, member by member.
#include <doctest/doctest.h>

#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"
#include "core/run/scenario_json.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {
namespace {

using test::open_object;

JsonValue report_of(ObjectSession& s, const Scenario& scenario) {
    auto steps = play_scenario(s, scenario);
    REQUIRE_MESSAGE(steps.ok(), steps.error().to_string());
    JsonWriter w;
    scenario_report_json(w, s, *steps);
    auto doc = parse_json(w.text());
    REQUIRE_MESSAGE(doc.ok(), w.text());
    return std::move(doc).value();
}

}  // namespace

TEST_CASE("the default scenario's script reads back as the default scenario, one event per line") {
    const std::string text = scenario_script_json(default_scenario());
    CHECK(text ==
          "{\n"
          "  \"events\": [\n"
          "    {\"exec\": \"/usr/bin/ls\", \"pid\": 4243, \"comm\": \"ls\", \"after_ns\": 0},\n"
          "    {\"exec\": \"/usr/bin/cat\", \"pid\": 4244, \"comm\": \"cat\", \"after_ns\": 1000000},\n"
          "    {\"open\": \"/etc/ld.so.cache\", \"pid\": 4243, \"flags\": \"O_RDONLY|O_CLOEXEC\", \"mode\": 0, \"fd\": 3, "
          "\"after_ns\": 200000},\n"
          "    {\"open\": \"/etc/shadow\", \"pid\": 4244, \"flags\": \"O_RDONLY\", \"mode\": 0, \"error\": 13, \"after_ns\": 300000},\n"
          "    {\"switch\": 4244, \"pid\": 4243, \"prev_state\": \"S\", \"after_ns\": 500000},\n"
          "    {\"wakeup\": 4243, \"pid\": 4244, \"after_ns\": 500000},\n"
          "    {\"switch\": 4243, \"pid\": 4244, \"prev_state\": \"R\", \"after_ns\": 500000},\n"
          "    {\"exit\": 4243, \"status\": 0, \"after_ns\": 500000},\n"
          "    {\"exit\": 4244, \"status\": 1, \"after_ns\": 500000}\n"
          "  ]\n"
          "}");
    auto back = scenario_from_json(text);
    REQUIRE_MESSAGE(back.ok(), back.error().to_string());
    CHECK(back->events == default_scenario().events);
}

TEST_CASE("a script with a killed process and a comm of its own reads back as it was") {
    Scenario s;
    s.events.push_back({ScenarioEventKind::Exec, 7, 900, "worker", "/usr/sbin/nginx", 0});
    s.events.push_back({ScenarioEventKind::Exit, 30, 900, "worker", "/usr/sbin/nginx", 9});
    const std::string text = scenario_script_json(s);
    CHECK(text.find("{\"exit\": 900, \"signal\": 9, \"after_ns\": 30}") != std::string::npos);
    auto back = scenario_from_json(text);
    REQUIRE_MESSAGE(back.ok(), back.error().to_string());
    CHECK(back->events == s.events);
}

TEST_CASE("which objects the page offers a scenario for: tracers of its events, not packet programs") {
    CHECK(has_scenario_programs(*open_object("public/examples/bootstrap.o")));
    CHECK_FALSE(has_scenario_programs(*open_object("public/examples/xdp_drop_port.o")));
    CHECK_FALSE(has_scenario_programs(*open_object("public/examples/tcp_ca_reno.o")));
}

TEST_CASE("bootstrap.c's stream as the page gets it: each event, its program's return, its ring buffer record") {
    auto s = open_object("public/examples/bootstrap.o");
    const JsonValue report = report_of(*s, default_scenario());
    const JsonValue& events = report.get("events");
    // Two execs, the opens, switches and the wakeup bootstrap.c has no program for, two exits.
    REQUIRE(events.size() == 9);
    CHECK(events.items()[2].get("text").as_string() == "open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3");
    CHECK(events.items()[2].get("runs").size() == 0);
    CHECK(events.items()[2].get("records").size() == 0);
    const JsonValue& first = events.items()[0];
    CHECK(first.get("event").as_uint64() == 1u);
    CHECK(first.get("time_ns").as_uint64() == 1'000'000'000u);
    CHECK(first.get("text").as_string() == "exec: pid 4243 (ls) runs /usr/bin/ls");
    REQUIRE(first.get("runs").size() == 1);
    const JsonValue& run = first.get("runs").items()[0];
    CHECK(run.get("program").as_string() == "handle_exec");
    CHECK(run.get("timer").as_string() == "");
    CHECK(run.get("return").as_uint64() == 0u);
    CHECK_FALSE(run.contains("error"));
    CHECK(run.get("instructions").as_uint64() == 60u);
    CHECK(run.get("printk").size() == 0);
    CHECK(run.get("perf_events").size() == 0);
    REQUIRE(first.get("records").size() == 1);
    const JsonValue& rec = first.get("records").items()[0];
    CHECK(rec.get("map").as_string() == "rb");
    CHECK(rec.get("size").as_uint64() == 168u);
    // struct event: pid 4243 (0x1093), ppid 1, then comm "ls" at 24 and filename at 40.
    const std::string hex = rec.get("hex").as_string();
    REQUIRE(hex.size() == 336);
    CHECK(hex.starts_with("9310000001000000"));
    CHECK(hex.substr(48, 4) == "6c73");
    CHECK(hex.substr(80, 22) == "2f7573722f62696e2f6c73");
    // The object's BTF has no struct of 168 bytes (struct event is only a local's type): the
    // reader gets bytes, as scenario_text prints them.
    CHECK(rec.get("type").as_string() == "");
    CHECK(rec.get("decoded").as_string() == "");
    const JsonValue& last = events.items()[8];
    CHECK(last.get("time_ns").as_uint64() == 1'004'000'192u);
    CHECK(last.get("text").as_string() == "exit: pid 4244 (cat) with status 1");
    CHECK(last.get("runs").items()[0].get("program").as_string() == "handle_exit");
    CHECK(last.get("runs").items()[0].get("instructions").as_uint64() == 72u);
}

TEST_CASE("a record whose struct the object's BTF has is decoded as the reader casts it") {
    // xdp_ringbuf.c submits struct event records of a size its BTF names; as a scenario it
    // has no program to run, so the record view is checked through a step made by hand.
    auto s = open_object("public/examples/bootstrap.o");
    ScenarioStep step;
    step.text = "exec: pid 1 (init) runs /sbin/init";
    // trace_event_raw_sched_process_exec is the one 20-byte struct in bootstrap.o's BTF.
    step.records.push_back({"rb", std::vector<uint8_t>(20, 0)});
    step.records[0].bytes[8] = 0x2a;  // __data_loc_filename
    JsonWriter w;
    scenario_report_json(w, *s, {step});
    auto doc = parse_json(w.text());
    REQUIRE(doc.ok());
    const JsonValue& rec = doc->get("events").items()[0].get("records").items()[0];
    CHECK(rec.get("type").as_string() == "struct trace_event_raw_sched_process_exec");
    CHECK(rec.get("decoded").as_string() ==
          "{\"ent\":{\"type\":0,\"flags\":0,\"preempt_count\":0,\"pid\":0},\"__data_loc_filename\":42,\"pid\":0,\"old_pid\":0,"
          "\"__data\":[]}");
}

TEST_CASE("a run that fails is reported with its error and no return value") {
    auto s = open_object("public/examples/bootstrap.o");
    ScenarioStep step;
    RunResult failed;
    failed.program = "handle_exec";
    failed.status = RunStatus::Faulted;
    failed.instructions = 3;
    failed.error = make_error(ErrorKind::Runtime, "out-of-bounds read", 2);
    step.runs.push_back(failed);
    JsonWriter w;
    scenario_report_json(w, *s, {step});
    auto doc = parse_json(w.text());
    REQUIRE(doc.ok());
    const JsonValue& run = doc->get("events").items()[0].get("runs").items()[0];
    CHECK_FALSE(run.contains("return"));
    CHECK(run.get("error").as_string() == failed.error->to_string());
}

}  // namespace bpfplay::testing
