// Embind glue for the browser: one Playground object holds an ObjectSession (the loaded .o and
// its host) and the DebugSession running one of its programs. Bytes come in as Uint8Array
// (copied once with convertJSArrayToNumberVector); everything coming out is JSON made by
// core/debugger/debug_json.hpp. Errors never throw (exceptions are off in wasm): methods that
// can fail return {"ok":false,"error":{...}}. No logic here that the native build does not test.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/debugger/debug_json.hpp"
#include "core/debugger/debug_session.hpp"
#include "core/debugger/explain.hpp"
#include "core/debugger/map_command.hpp"
#include "core/debugger/map_edit.hpp"
#include "core/debugger/page_defaults.hpp"
#include "core/fastrun/fast_run.hpp"
#include "core/hex.hpp"
#include "core/host/host_json.hpp"
#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"
#include "core/run/object_session.hpp"
#include "core/run/scenario.hpp"
#include "core/run/scenario_json.hpp"
#include "core/run/tcp_ca_flow.hpp"
#include "core/share/share_link.hpp"
#include "core/verifier/object_check.hpp"
#include "core/verifier/verdict_text.hpp"

using emscripten::val;

namespace bpfplay {
namespace {

std::vector<uint8_t> bytes_of(const val& typed_array) {
    return emscripten::convertJSArrayToNumberVector<uint8_t>(typed_array);
}

std::string failure(const Error& e) {
    JsonWriter w;
    w.begin_object().member("ok", false).key("error");
    to_json(w, e);
    return w.end_object().take();
}

// {"ok":true,"summary":<object_info_json>,"info":"<text>","scripts":{"scenario":bool,"tcp_flow":bool}}:
// scripts says which host scripts core can play through the object (the page offers those).
std::string loaded(const ObjectSession& session) {
    JsonWriter w;
    w.begin_object().member("ok", true).key("summary");
    to_json(w, ObjectSummary{session.object(), std::nullopt, &session.host()});
    w.member("info", session.object().info()).key("scripts").begin_object();
    w.member("scenario", has_scenario_programs(session)).member("tcp_flow", has_tcp_congestion_ops(session));
    return w.end_object().end_object().take();
}

// A host script plays every run in one call, which the page's Stop cannot end: its runs are
// interpreted under this wall-clock limit instead (the fast run takes none).
constexpr std::chrono::milliseconds kScriptTimeLimit{10'000};

// {"ok":true,"id":N} or the failure.
std::string added(const Result<uint32_t>& id) {
    if (!id) return failure(id.error());
    JsonWriter w;
    return w.begin_object().member("ok", true).member("id", id.value()).end_object().take();
}

std::string failure(ErrorKind kind, std::string what, std::string hint = {}) {
    return failure(make_error(kind, std::move(what), std::nullopt, std::move(hint)));
}

// A number from JavaScript as a person wrote it: "1", "-2", "1.5".
std::string number_text(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

uint64_t to_count(double d) {
    return d <= 0 ? 0 : d >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(d);
}

// The page's whole host as one host JSON document (core/host/host_json.hpp), applied to the
// defaults and checked by core: an error names the member ("host JSON: task.pid: ...").
Result<Host> host_of(const std::string& json) {
    Host host;
    if (auto applied = apply_host_json(host, json); !applied) return applied.error();
    return host;
}

class Playground {
  public:
    // The default host's network, task and CPU as host_json writes them: the page shows core's
    // defaults rather than keeping a copy of them.
    static std::string default_host_json() { return host_json(Host{}); }
    // Core's defaults and enumerations (core/debugger/page_defaults.hpp): the host settings'
    // defaults, TCP states, program and map types.
    static std::string defaults_json() { return page_defaults_json(); }
    // The scripts the page's editors start with: core's default scenario
    // (core/run/scenario_json.hpp) and TCP flow (the host JSON's "tcp_flow").
    static std::string default_scenario_json() { return scenario_script_json(default_scenario()); }
    static std::string default_tcp_flow_json() { return tcp_flow_script_json(default_tcp_flow()); }

    // A session link (core/share/share_link.hpp): {"ok":true,"link":<view> or null (not a
    // session)} or a failure saying what is damaged.
    static std::string share_link_decode(const std::string& hash) {
        auto link = decode_share_link(hash);
        if (!link) return failure(link.error());
        JsonWriter w;
        w.begin_object().member("ok", true).key("link");
        if (link->has_value()) to_json(w, **link);
        else w.null();
        return w.end_object().take();
    }
    // The page's view of a session -> {"ok":true,"hash":"z=..."} or a failure naming the member.
    static std::string share_link_encode(const std::string& view_json) {
        auto view = parse_json(view_json);
        if (!view) return failure(view.error());
        auto link = share_link_from_json(*view);
        if (!link) return failure(link.error());
        JsonWriter w;
        return w.begin_object().member("ok", true).member("hash", encode_share_link(*link)).end_object().take();
    }

    // {"ok":true,"summary":<object_info_json>,"info":"<text>"} or a failure (which keeps the
    // object and run already open, so the page can go on showing them).
    std::string load_object(const val& bytes, const std::string& name, const std::string& host) {
        const std::vector<uint8_t> elf = bytes_of(bytes);
        auto h = host_of(host);
        if (!h) return failure(h.error());
        auto opened = ObjectSession::open(elf, name, std::move(h.value()));
        if (!opened) return failure(opened.error());
        debug_.reset(); // it refers to the old object
        verdicts_.clear();
        object_ = std::move(opened.value());
        object_->set_fast_run(make_wasm_engine);  // a fast continue's modules run in this runtime
        source_ = Source{elf, name, {}, {}, host, false};
        return loaded(*object_);
    }

    // Pasted llvm-objdump text as a one-program object ("asm"); `section` gives its type as a
    // section name would ("xdp", "socket"; "" = raw memory).
    std::string load_assembly(const std::string& text, const std::string& section, const std::string& host) {
        auto h = host_of(host);
        if (!h) return failure(h.error());
        auto opened = ObjectSession::open_assembly(text, section, std::move(h.value()));
        if (!opened) return failure(opened.error());
        debug_.reset();
        verdicts_.clear();
        object_ = std::move(opened.value());
        object_->set_fast_run(make_wasm_engine);
        source_ = Source{{}, {}, text, section, host, true};
        return loaded(*object_);
    }

    // The scenario `script` (scenario_from_json's form) played through the loaded object as
    // `bpfvm run OBJ --scenario` plays it: on the object opened afresh on its host, so the run
    // shown and its maps stay as they are and playing again gives the same stream.
    // {"ok":true,"report":<scenario_report_json>} or a failure (the script's error, no program
    // attached to its events).
    std::string play_scenario(const std::string& script) {
        auto scenario = scenario_from_json(script);
        if (!scenario) return failure(scenario.error());
        auto session = reopen();
        if (!session) return failure(session.error());
        auto steps = bpfplay::play_scenario(**session, *scenario);
        if (!steps) return failure(steps.error());
        JsonWriter w(JsonLayout::Compact, JsonText::Ascii);  // comm and printk text may hold any bytes
        w.begin_object().member("ok", true).key("report");
        scenario_report_json(w, **session, *steps);
        return w.end_object().take();
    }

    // The TCP flow `script` (the host JSON's "tcp_flow") through the object's
    // tcp_congestion_ops, on its host's TCP socket, as `bpfvm run OBJ --host` with a flow plays it
    // (afresh, as play_scenario). {"ok":true,"report":<tcp_flow_json>} (its "error" set when a
    // member's run failed part way) or a failure.
    std::string run_tcp_flow(const std::string& script, double budget) {
        auto flow = tcp_flow_from_json(script);
        if (!flow) return failure(flow.error());
        auto session = reopen();
        if (!session) return failure(session.error());
        auto report = run_tcp_ca_flow(**session, *flow, budget > 0 ? to_count(budget) : kDefaultBudget);
        if (!report) return failure(report.error());
        JsonWriter w;
        w.begin_object().member("ok", true).key("report");
        tcp_flow_json(w, *report);
        return w.end_object().take();
    }

    std::string listing(const std::string& program) const {
        if (!object_) return failure(ErrorKind::Load, "No object is loaded.");
        const LoadedProgram* p = object_->object().find_program(program);
        if (!p) return failure(ErrorKind::Load, "The object has no program named \"" + program + "\".");
        return program_listing_json(*p);
    }

    // Whether the kernel's verifier would accept `program`, from core's checker (core/verifier):
    // {"ok":true,"verdict":{"program","verdict":"accept"|"refuse"|"cannot tell","insn","message",
    // "why","fix","source","path","processed"}}. The page still lets the user run a refused program.
    std::string verify(const std::string& program) const {
        if (!object_) return failure(ErrorKind::Load, "No object is loaded.");
        const LoadedProgram* p = object_->object().find_program(program);
        if (!p) return failure(ErrorKind::Load, "The object has no program named \"" + program + "\".");
        JsonWriter w;
        w.begin_object().member("ok", true).key("verdict");
        verifier::to_json(w, verdict_of(*p));
        return w.end_object().take();
    }

    // The checker's verdict on `p`, computed once per loaded object: verify shows it, and a
    // debug run of a refused program follows its path (the state's "checker").
    const verifier::Verdict& verdict_of(const LoadedProgram& p) const {
        auto it = verdicts_.find(p.name);
        if (it == verdicts_.end()) it = verdicts_.emplace(p.name, verifier::check_program(object_->object(), p)).first;
        return it->second;
    }

    // The CPU the next runs execute on (bpf_get_smp_processor_id, which copy of a per-CPU map's
    // value they see), as bpfvm's --cpu; the maps carry over.
    std::string set_cpu(double cpu) {
        if (!object_) return failure(ErrorKind::Load, "No object is loaded.");
        if (!(cpu >= 0 && cpu < 4294967296.0) || cpu != double(uint64_t(cpu)))
            return failure(ErrorKind::Load, "CPU " + number_text(cpu) + " is not a CPU number.");
        auto set = object_->set_cpu(uint64_t(cpu));
        if (!set) return failure(set.error());
        return "{\"ok\":true}";
    }

    std::string start(const std::string& program, const val& packet, const val& ctx, double budget) {
        if (!object_) return failure(ErrorKind::Load, "No object is loaded.");
        debug_.reset();
        RunInput input;
        input.packet = bytes_of(packet);
        input.ctx = bytes_of(ctx);
        if (budget > 0) input.budget = to_count(budget);
        auto opened = DebugSession::open(*object_, program, input);
        if (!opened) return failure(opened.error());
        debug_ = std::move(opened.value());
        if (const LoadedProgram* p = object_->object().find_program(program)) debug_->follow_checker(verdict_of(*p));
        return "{\"ok\":true}";
    }

    // The callback of the BPF timer that fires next, as a run of its own paused at its first
    // instruction (the clock moves on to the timer's time); a failure when none is armed.
    std::string start_timer() {
        if (!object_) return failure(ErrorKind::Load, "No object is loaded.");
        debug_.reset();
        auto opened = DebugSession::open_next_timer(*object_);
        if (!opened) return failure(opened.error());
        debug_ = std::move(opened.value());
        return "{\"ok\":true}";
    }

    std::string step() {
        return run([](DebugSession& d) { return d.step(); });
    }
    std::string step_over() {
        return run([](DebugSession& d) { return d.step_over(); });
    }
    std::string step_out() {
        return run([](DebugSession& d) { return d.step_out(); });
    }
    std::string step_line() {
        return run([](DebugSession& d) { return d.step_line(); });
    }
    std::string next_line() {
        return run([](DebugSession& d) { return d.next_line(); });
    }
    std::string step_back() {
        return run([](DebugSession& d) { return d.step_back(); });
    }
    std::string step_back_over() {
        return run([](DebugSession& d) { return d.step_back_over(); });
    }
    std::string step_back_line() {
        return run([](DebugSession& d) { return d.step_back_line(); });
    }
    std::string step_back_line_over() {
        return run([](DebugSession& d) { return d.step_back_line(true); });
    }
    std::string cont(double max) {
        return run([&](DebugSession& d) { return d.cont(to_count(max)); });
    }
    // The rest of the run unrecorded, as WebAssembly (DebugSession::cont_fast), `max`
    // instructions at most (then "paused": the worker reads a Stop between slices): history is
    // forgotten.
    std::string cont_fast(double max) {
        return run([&](DebugSession& d) { return d.cont_fast(to_count(max)); });
    }
    std::string reverse_cont(double max) {
        return run([&](DebugSession& d) { return d.reverse_cont(to_count(max)); });
    }
    std::string goto_count(double n) {
        return run([&](DebugSession& d) { return d.goto_count(to_count(n)); });
    }
    std::string reset() {
        return run([](DebugSession& d) {
            d.reset();
            return StopInfo{};
        });
    }

    std::string state() const { return debug_ ? debug_state_json(debug_->state()) : "null"; }

    std::string hit_counts() const { return debug_ ? hit_counts_json(debug_->hit_counts()) : "[]"; }

    // Instruction `pc` of the running program in words (core/debugger/explain.hpp's
    // explain_json); pc < 0: the current one, with the values now and a helper call's arguments.
    std::string explain(int32_t pc) const {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        return explain_json(*debug_, pc < 0 ? std::nullopt : std::optional<uint32_t>(uint32_t(pc)));
    }

    std::string add_breakpoint(uint32_t pc, const std::string& condition) {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        return added(debug_->add_breakpoint(pc, condition));
    }

    bool remove_breakpoint(uint32_t id) { return debug_ && debug_->remove_breakpoint(id); }

    // {"ok":true,"id":N} or a failure (core's message: a bad range, an unknown map, a key of the wrong size).
    std::string add_stack_watch(int32_t fp_offset, uint32_t length, uint32_t frame) {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        return added(debug_->add_stack_watch(fp_offset, length, frame));
    }
    std::string add_packet_watch(uint32_t offset, uint32_t length) {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        return added(debug_->add_packet_watch(offset, length));
    }
    std::string add_map_watch(const std::string& map, const val& key) {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        const std::vector<uint8_t> k = bytes_of(key);
        return added(debug_->add_map_watch(map, k));
    }

    bool remove_watch(uint32_t id) { return debug_ && debug_->remove_watch(id); }

    // stops_json: {"breakpoints":[{"id","pc","condition",..,"hits"}],"watchpoints":[{"id","label",..,"hits"}]}.
    std::string stops() const {
        return debug_ ? stops_json(*debug_) : "{\"breakpoints\":[],\"watchpoints\":[]}";
    }

    // A map entry from C values (core/debugger/map_edit.hpp): `values_json` is a JSON array of
    // the value texts (one, or one per CPU). {"ok":true,"key":"<hex>"} or core's error in words.
    std::string set_map_entry(const std::string& map, const std::string& key_json, const std::string& values_json,
                              double flags) {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        auto values = map_edit_values(values_json);
        if (!values) return failure(values.error());
        auto key = bpfplay::set_map_entry(*debug_, MapEntryEdit{map, key_json, std::move(values).value(), to_count(flags)});
        if (!key) return failure(key.error());
        JsonWriter w;
        return w.begin_object().member("ok", true).member("key", hex_bytes(*key)).end_object().take();
    }

    // One of bpf(2)'s map commands from user space (core/debugger/map_command.hpp):
    // {"ok":true,"result":{"ret":..,"errno":..,"lines":[..],"changed":..}} or a failure.
    std::string map_command(const std::string& line) {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        auto r = run_map_command(*debug_, line);
        if (!r) return failure(r.error());
        JsonWriter w;
        w.begin_object().member("ok", true).key("result");
        to_json(w, *r);
        return w.end_object().take();
    }

    double delete_map_entry(const std::string& map, const val& key) {
        if (!debug_) return -22;
        const std::vector<uint8_t> k = bytes_of(key);
        return static_cast<double>(debug_->delete_map_entry(map, k));
    }

    double executed() const { return debug_ ? static_cast<double>(debug_->executed()) : 0; }

  private:
    template <class F> std::string run(F&& command) {
        if (!debug_) return failure(ErrorKind::Load, "No program is running.");
        return stop_info_json(command(*debug_));
    }

    // What the object now loaded was opened from, to open it afresh for a host script.
    struct Source {
        std::vector<uint8_t> elf;
        std::string name;
        std::string text, section;  // pasted assembly
        std::string host;
        bool assembly = false;
    };

    Result<std::unique_ptr<ObjectSession>> reopen() const {
        if (!object_) return make_error(ErrorKind::Load, "No object is loaded.");
        auto h = host_of(source_.host);
        if (!h) return h.error();
        auto opened = source_.assembly ? ObjectSession::open_assembly(source_.text, source_.section, std::move(h.value()))
                                       : ObjectSession::open(source_.elf, source_.name, std::move(h.value()));
        if (opened) opened.value()->set_time_limit(TimeLimit::from_now(kScriptTimeLimit));
        return opened;
    }

    // Declared first so it is destroyed last: the debug session refers to it.
    std::unique_ptr<ObjectSession> object_;
    std::unique_ptr<DebugSession> debug_;
    mutable std::map<std::string, verifier::Verdict> verdicts_;  // by program, for the loaded object
    Source source_;
};

} // namespace
} // namespace bpfplay

EMSCRIPTEN_BINDINGS(bpfplay) {
    using bpfplay::Playground;
    emscripten::class_<Playground>("Playground")
        .constructor<>()
        .class_function("default_host_json", &Playground::default_host_json)
        .class_function("defaults_json", &Playground::defaults_json)
        .class_function("default_scenario_json", &Playground::default_scenario_json)
        .class_function("default_tcp_flow_json", &Playground::default_tcp_flow_json)
        .class_function("share_link_decode", &Playground::share_link_decode)
        .class_function("share_link_encode", &Playground::share_link_encode)
        .function("load_object", &Playground::load_object)
        .function("load_assembly", &Playground::load_assembly)
        .function("listing", &Playground::listing)
        .function("play_scenario", &Playground::play_scenario)
        .function("run_tcp_flow", &Playground::run_tcp_flow)
        .function("set_cpu", &Playground::set_cpu)
        .function("start", &Playground::start)
        .function("start_timer", &Playground::start_timer)
        .function("step", &Playground::step)
        .function("step_over", &Playground::step_over)
        .function("step_out", &Playground::step_out)
        .function("step_line", &Playground::step_line)
        .function("next_line", &Playground::next_line)
        .function("step_back", &Playground::step_back)
        .function("step_back_over", &Playground::step_back_over)
        .function("step_back_line", &Playground::step_back_line)
        .function("step_back_line_over", &Playground::step_back_line_over)
        .function("cont", &Playground::cont)
        .function("cont_fast", &Playground::cont_fast)
        .function("reverse_cont", &Playground::reverse_cont)
        .function("goto_count", &Playground::goto_count)
        .function("reset", &Playground::reset)
        .function("state", &Playground::state)
        .function("hit_counts", &Playground::hit_counts)
        .function("explain", &Playground::explain)
        .function("verify", &Playground::verify)
        .function("add_breakpoint", &Playground::add_breakpoint)
        .function("remove_breakpoint", &Playground::remove_breakpoint)
        .function("add_stack_watch", &Playground::add_stack_watch)
        .function("add_packet_watch", &Playground::add_packet_watch)
        .function("add_map_watch", &Playground::add_map_watch)
        .function("remove_watch", &Playground::remove_watch)
        .function("stops", &Playground::stops)
        .function("set_map_entry", &Playground::set_map_entry)
        .function("delete_map_entry", &Playground::delete_map_entry)
        .function("map_command", &Playground::map_command)
        .function("executed", &Playground::executed);
}
