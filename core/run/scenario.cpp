#include "core/run/scenario.hpp"

#include "core/hex.hpp"
#include "core/json/json.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/ringbuf_records.hpp"

namespace bpfplay {

namespace {

// How a program attaches to an event: a tracepoint by "system/event", or a BTF / raw
// tracepoint by the event's name.
struct ScenarioHook {
    ScenarioEventKind kind;
    const char* tracepoint;      // SEC("tp/sched/sched_process_exec")
    const char* raw_tracepoint;  // SEC("tp_btf/sched_process_exec"), SEC("raw_tp/...")
};

constexpr ScenarioHook kScenarioHooks[] = {
    {ScenarioEventKind::Exec, "sched/sched_process_exec", "sched_process_exec"},
    {ScenarioEventKind::Exit, "sched/sched_process_exit", "sched_process_exit"},
};

bool attached_to(const LoadedProgram& p, const ScenarioHook& h) {
    if (p.type == ProgType::Tracepoint) return p.attach_target == h.tracepoint;
    const bool raw = p.type == ProgType::RawTracepoint || p.type == ProgType::RawTracepointWritable ||
                     (p.type == ProgType::Tracing && p.attach == AttachType::TraceRawTp);
    return raw && p.attach_target == h.raw_tracepoint;
}

std::string last_part(std::string_view path) {
    const size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Error scenario_error(std::string what) {
    return make_error(ErrorKind::Parse, "scenario: " + std::move(what), std::nullopt,
                      "{\"events\": [{\"exec\": \"/usr/bin/ls\", \"pid\": 4243}, {\"exit\": 4243, \"status\": 0, "
                      "\"after_ns\": 2500000}]}");
}

// A task the scenario started: what an exit of its pid brings back.
struct ScenarioTask {
    uint32_t pid;
    std::string comm, filename;
};

}  // namespace

Scenario default_scenario() {
    Scenario s;
    s.events.push_back({ScenarioEventKind::Exec, 0, 4243, "ls", "/usr/bin/ls", 0});
    s.events.push_back({ScenarioEventKind::Exec, 1'000'000, 4244, "cat", "/usr/bin/cat", 0});
    s.events.push_back({ScenarioEventKind::Exit, 2'500'000, 4243, "ls", "/usr/bin/ls", 0});
    s.events.push_back({ScenarioEventKind::Exit, 500'000, 4244, "cat", "/usr/bin/cat", 1 << 8});
    return s;
}

Result<Scenario> scenario_from_json(std::string_view json) {
    auto doc = parse_json(json);
    if (!doc) return scenario_error(doc.error().to_string());
    const JsonValue* events = doc->find("events");
    if (!events || !events->is_array()) return scenario_error("the document needs \"events\": a list");
    Scenario s;
    std::vector<ScenarioTask> tasks;
    uint32_t next_pid = 4243;
    for (size_t i = 0; i < events->size(); ++i) {
        const JsonValue& e = events->items()[i];
        const std::string at = "event " + std::to_string(i + 1) + ": ";
        if (!e.is_object()) return scenario_error(at + "not an object");
        ScenarioEvent ev;
        if (const JsonValue* after = e.find("after_ns")) {
            const auto v = after->as_uint64();
            if (!v) return scenario_error(at + "\"after_ns\" is not a number of nanoseconds");
            ev.after_ns = *v;
        }
        const JsonValue* exec = e.find("exec");
        const JsonValue* exit = e.find("exit");
        if (bool(exec) == bool(exit)) return scenario_error(at + "give one of \"exec\" (a file) or \"exit\" (a pid)");
        for (size_t k = 0; k < e.size(); ++k) {
            const std::string& key = e.keys()[k];
            if (key != "exec" && key != "exit" && key != "pid" && key != "comm" && key != "status" && key != "signal" &&
                key != "after_ns")
                return scenario_error(at + "unknown member \"" + key + "\"");
        }
        if (exec) {
            if (!exec->is_string() || exec->as_string().empty()) return scenario_error(at + "\"exec\" names the executable");
            ev.kind = ScenarioEventKind::Exec;
            ev.filename = exec->as_string();
            ev.pid = next_pid;
            if (const JsonValue* pid = e.find("pid")) {
                const auto v = pid->as_uint64();
                if (!v || *v == 0 || *v > 4194304) return scenario_error(at + "\"pid\" is a pid (1 to 4194304)");
                ev.pid = uint32_t(*v);
            }
            ev.comm = last_part(ev.filename);
            if (const JsonValue* comm = e.find("comm")) {
                if (!comm->is_string()) return scenario_error(at + "\"comm\" is a text");
                ev.comm = comm->as_string();
            }
            next_pid = std::max(next_pid, ev.pid + 1);
            tasks.push_back({ev.pid, ev.comm, ev.filename});
        } else {
            ev.kind = ScenarioEventKind::Exit;
            const auto pid = exit->as_uint64();
            if (!pid) return scenario_error(at + "\"exit\" is the pid of a task an earlier event started");
            const ScenarioTask* task = nullptr;
            for (const ScenarioTask& t : tasks)
                if (t.pid == *pid) task = &t;
            if (!task) return scenario_error(at + "no earlier exec started pid " + std::to_string(*pid));
            ev.pid = task->pid;
            ev.comm = task->comm;
            ev.filename = task->filename;
            const JsonValue* status = e.find("status");
            const JsonValue* signal = e.find("signal");
            if (status && signal) return scenario_error(at + "give \"status\" or \"signal\", not both");
            if (status) {
                const auto v = status->as_uint64();
                if (!v || *v > 255) return scenario_error(at + "\"status\" is an exit status (0 to 255)");
                ev.exit_code = int32_t(*v << 8);
            } else if (signal) {
                const auto v = signal->as_uint64();
                if (!v || *v == 0 || *v > 64) return scenario_error(at + "\"signal\" is a signal number (1 to 64)");
                ev.exit_code = int32_t(*v);
            }
        }
        s.events.push_back(std::move(ev));
    }
    return s;
}

std::string scenario_event_text(const ScenarioEvent& e) {
    const std::string who = "pid " + std::to_string(e.pid) + " (" + e.comm + ")";
    switch (e.kind) {
    case ScenarioEventKind::Exec: return "exec: " + who + " runs " + e.filename;
    case ScenarioEventKind::Exit:
        if (e.exit_code & 0x7f) return "exit: " + who + " killed by signal " + std::to_string(e.exit_code & 0x7f);
        return "exit: " + who + " with status " + std::to_string((e.exit_code >> 8) & 0xff);
    }
    return "";
}

std::vector<const LoadedProgram*> scenario_programs(const ObjectSession& session, ScenarioEventKind kind) {
    std::vector<const LoadedProgram*> out;
    for (const LoadedProgram& p : session.object().programs)
        for (const ScenarioHook& h : kScenarioHooks)
            if (h.kind == kind && attached_to(p, h)) {
                out.push_back(&p);
                break;
            }
    return out;
}

Result<std::vector<ScenarioStep>> play_scenario(ObjectSession& session, const Scenario& scenario) {
    bool any = false;
    for (const ScenarioEvent& e : scenario.events) any |= !scenario_programs(session, e.kind).empty();
    if (!any) {
        std::string hooks;
        for (const ScenarioHook& h : kScenarioHooks)
            hooks += std::string(hooks.empty() ? "" : ", ") + "tp/" + h.tracepoint + ", tp_btf/" + h.raw_tracepoint;
        return make_error(ErrorKind::Load, "no program of the object is attached to the scenario's events",
                          std::nullopt, "A scenario runs programs attached to " + hooks + ".");
    }
    std::vector<ScenarioStep> steps;
    Host& host = session.host();
    for (size_t i = 0; i < scenario.events.size(); ++i) {
        const ScenarioEvent& e = scenario.events[i];
        ScenarioStep step;
        step.event = i;
        step.text = scenario_event_text(e);
        // Timers that come due meanwhile fire first, as they would have.
        for (RunResult& r : session.advance_time(e.after_ns)) step.runs.push_back(std::move(r));
        step.time_ns = host.clock_start_ns;
        host.task.pid = host.task.tgid = e.pid;
        host.task.set_comm(e.comm);
        host.exe = e.filename;
        host.task.exit_code = e.kind == ScenarioEventKind::Exit ? e.exit_code : 0;
        for (const LoadedProgram* p : scenario_programs(session, e.kind)) {
            RunInput in;
            step.runs.push_back(session.run(p->name, in));
        }
        // The reader polls each ring buffer: what the runs submitted, then the buffer is empty.
        MapSet& maps = *session.object().maps;
        for (uint32_t id = 0; id < maps.size(); ++id) {
            Map& m = *maps.get(id);
            if (m.type() != MapType::Ringbuf) continue;
            auto& rb = static_cast<RingbufMap&>(m);
            for (std::vector<uint8_t>& bytes : rb.submitted()) step.records.push_back({m.name(), std::move(bytes)});
            rb.clear();
        }
        steps.push_back(std::move(step));
    }
    return steps;
}

std::string scenario_text(const ObjectSession& session, const std::vector<ScenarioStep>& steps) {
    std::string t;
    for (const ScenarioStep& s : steps) {
        t += "event " + std::to_string(s.event + 1) + " at " + std::to_string(s.time_ns) + " ns: " + s.text + "\n";
        for (const RunResult& r : s.runs) {
            t += "  " + (r.timer.empty() ? r.program : r.timer) + ": ";
            t += r.error ? "error: " + r.error->to_string() : "return " + std::to_string(int64_t(r.r0));
            t += " (" + std::to_string(r.instructions) + " instructions)\n";
            for (const std::string& line : r.printk) {
                t += "    printk: " + line;
                if (line.empty() || line.back() != '\n') t += "\n";
            }
        }
        for (const ScenarioRecord& rec : s.records) {
            const uint32_t type = session.object().btf ? record_type_of_size(*session.object().btf, uint32_t(rec.bytes.size())) : 0;
            t += "  " + rec.map + ": record of " + std::to_string(rec.bytes.size()) + " bytes" +
                 (type ? " (" + decoded_json(session, type, rec.bytes) + ")" : " => " + hex_bytes(rec.bytes)) + "\n";
        }
    }
    return t;
}

}  // namespace bpfplay
