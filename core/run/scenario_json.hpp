#pragma once
// Scenarios (core/run/scenario.hpp) as JSON, for the page: the script a learner edits (core's
// default written out, read back by scenario_from_json) and the report of a scenario played,
// with what scenario_text prints for people, member by member.
#include <string>
#include <vector>

#include "core/run/scenario.hpp"

namespace bpfplay {

class JsonWriter;

// The script in scenario_from_json's form, one event per line:
//   {"events": [{"exec": "/usr/bin/ls", "pid": 4243, "comm": "ls", "after_ns": 0}, ...]}
// Every member is written, so scenario_from_json(scenario_script_json(s)) gives s back.
std::string scenario_script_json(const Scenario& scenario);

// Whether some program of the object is attached to a hook of the default scenario's events
// (the page offers to play a scenario only then).
bool has_scenario_programs(const ObjectSession& session);

// {"events": [{"event": 1, "time_ns": N, "text": "exec: pid 4243 (ls) runs /usr/bin/ls",
//   "runs": [{"program": "handle_exec", "timer": "" or what fired, "return": r0 as a signed
//             number (absent when the run failed), "error": "..." (only then),
//             "instructions": 60, "printk": [...], "perf_events": [...], "host_events": [...]}],
//   "records": [{"map": "rb", "size": 168, "hex": "...", "type": "struct event" or "",
//                "decoded": the record as C values in JSON text ("" without a type)}]}]}
void scenario_report_json(JsonWriter& w, const ObjectSession& session, const std::vector<ScenarioStep>& steps);

}  // namespace bpfplay
