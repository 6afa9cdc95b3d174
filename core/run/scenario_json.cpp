#include "core/run/scenario_json.hpp"

#include "core/btf/btf.hpp"
#include "core/hex.hpp"
#include "core/host/host_events.hpp"
#include "core/host/open_flags.hpp"
#include "core/host/perf_event_record.hpp"
#include "core/json/json_writer.hpp"
#include "core/run/ringbuf_records.hpp"

namespace bpfplay {

namespace {

// One event as scenario_from_json reads it back: an exit's wait status as the "status" or
// "signal" that made it (scenario.hpp: status << 8, or the signal number); an open's result as
// the "fd" or "error" (-ret) it returns.
void scenario_event_script(JsonWriter& w, const ScenarioEvent& e) {
    w.begin_object();
    switch (e.kind) {
    case ScenarioEventKind::Exec:
        w.member("exec", e.filename).member("pid", e.pid).member("comm", e.comm);
        break;
    case ScenarioEventKind::Exit:
        w.member("exit", e.pid);
        if (e.exit_code & 0x7f) w.member("signal", e.exit_code & 0x7f);
        else w.member("status", (e.exit_code >> 8) & 0xff);
        break;
    case ScenarioEventKind::Open:
        w.member("open", e.path).member("pid", e.pid).member("flags", open_flags_text(e.flags)).member("mode", e.mode);
        if (e.ret < 0) w.member("error", -e.ret);
        else w.member("fd", e.ret);
        break;
    case ScenarioEventKind::Switch:
        // prev_state as the script names it: TASK_RUNNING (preempted) R, TASK_UNINTERRUPTIBLE D.
        w.member("switch", e.other_pid).member("pid", e.pid);
        w.member("prev_state", std::string(e.prev_state == 0 ? "R" : e.prev_state == 2 ? "D" : "S"));
        break;
    case ScenarioEventKind::Wakeup:
    case ScenarioEventKind::WakeupNew:
        w.member(std::string(scenario_event_name(e.kind)), e.other_pid).member("pid", e.pid);
        break;
    }
    w.member("after_ns", e.after_ns).end_object();
}

void scenario_run_json(JsonWriter& w, const RunResult& r) {
    w.begin_object().member("program", r.program).member("timer", r.timer);
    if (r.error) w.member("error", r.error->to_string());
    else w.member("return", int64_t(r.r0));
    w.member("instructions", r.instructions).key("printk").values(r.printk).key("perf_events");
    to_json_array(w, r.perf_events);
    w.key("host_events");
    to_json_array(w, r.host_events);
    w.end_object();
}

// A record as the reader casts it: the one struct of its size in the object's BTF, if any.
void scenario_record_json(JsonWriter& w, const ObjectSession& session, const ScenarioRecord& rec) {
    const Btf* btf = session.object().btf.get();
    const uint32_t type = btf ? record_type_of_size(*btf, uint32_t(rec.bytes.size())) : 0;
    w.begin_object().member("map", rec.map).member("size", rec.bytes.size()).member("hex", hex_bytes(rec.bytes));
    w.member("type", type ? btf->type_to_string(type) : std::string());
    w.member("decoded", type ? decoded_json(session, type, rec.bytes) : std::string()).end_object();
}

}  // namespace

std::string scenario_script_json(const Scenario& scenario) {
    JsonWriter w(JsonLayout::Lines);
    w.begin_object().key("events").begin_array();
    for (const ScenarioEvent& e : scenario.events) scenario_event_script(w, e);
    w.end_array().end_object();
    return w.take();
}

bool has_scenario_programs(const ObjectSession& session) {
    for (const ScenarioEvent& e : default_scenario().events)
        if (!scenario_programs(session, e.kind).empty()) return true;
    return false;
}

void scenario_report_json(JsonWriter& w, const ObjectSession& session, const std::vector<ScenarioStep>& steps) {
    w.begin_object().key("events").begin_array();
    for (const ScenarioStep& s : steps) {
        w.begin_object().member("event", s.event + 1).member("time_ns", s.time_ns).member("text", s.text);
        w.key("runs").begin_array();
        for (const RunResult& r : s.runs) scenario_run_json(w, r);
        w.end_array().key("records").begin_array();
        for (const ScenarioRecord& rec : s.records) scenario_record_json(w, session, rec);
        w.end_array().end_object();
    }
    w.end_array().end_object();
}

}  // namespace bpfplay
