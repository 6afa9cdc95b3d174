// bpfvm run prog.o [--program NAME] [--packet HEXFILE|--packet-hex HEX|--pcap FILE]
//                  [--trace] [--ctx HEX] [--arg NAME=VALUE] [--cpu N] [--repeat N] [--map-init FILE.json] [--host FILE.json]
//                  [--budget N] [--time-limit SECONDS] [--advance-ns N] [--iter-map NAME] [--json]
//
// What `bpftool prog load` + BPF_PROG_TEST_RUN do, on the emulated host: load the object, write
// the --map-init contents, run the program once per packet, --repeat times, on the same loaded
// object (maps persist between runs, as in the kernel), and report the last run with every
// run's return value.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_formats.hpp"
#include "cli/object_inputs.hpp"
#include "cli/report.hpp"
#include "core/debugger/debug_session.hpp"
#include "core/hex.hpp"
#include "core/text/disasm.hpp"
#include "core/json/json_writer.hpp"
#include "core/run/iter_report.hpp"
#include "core/run/object_session.hpp"
#include "core/run/packet_out_text.hpp"
#include "core/run/scenario.hpp"
#include "core/run/tcp_ca_flow.hpp"
#include "core/verifier/object_check.hpp"

namespace bpfplay::cli {
namespace {

constexpr uint64_t kMaxRepeat = 1'000'000; // runs of one command, packets times --repeat

struct ObjectRunOptions : ObjectInputOptions {
    bool trace = false;  // print each instruction before it runs
    uint64_t repeat = 1;
    uint64_t advance_ns = 0;  // after the runs, move the clock on and fire the timers due
    std::string iter_map;     // the map an iter/bpf_map_elem program iterates over
    std::string scenario;     // "default" or a scenario file (core/run/scenario.hpp); "" = none
    std::chrono::milliseconds time_limit = kDefaultTimeLimit;  // for all the command's runs together
    bool json = false;
};

std::optional<int> parse_count(std::string_view name, std::string_view value, uint64_t max, uint64_t& out) {
    auto n = parse_u64(value);
    if (!n || *n == 0 || *n > max)
        return usage_error("run: " + std::string(name) + " takes a number from 1 to " + std::to_string(max) +
                           ", not '" + std::string(value) + "'");
    out = *n;
    return std::nullopt;
}

// Returns an exit code when parsing stops the command (bad arguments), else nullopt.
std::optional<int> parse_object_options(Args args, ObjectRunOptions& out) {
    bool all_packets_given = false;
    for (size_t i = 0; i < args.size(); ++i) {
        bool missing = false;
        std::string_view arg = args[i];
        std::optional<int> stop;
        const OptionParse shared = parse_input_option("run", args, i, out, stop);
        if (shared == OptionParse::Stop) return stop;
        if (shared == OptionParse::Taken) continue;
        if (auto repeat = option_value(args, i, "--repeat", &missing)) {
            stop = parse_count("--repeat", *repeat, kMaxRepeat, out.repeat);
        } else if (auto ns = option_value(args, i, "--advance-ns", &missing)) {
            stop = parse_count("--advance-ns", *ns, UINT64_MAX / 2, out.advance_ns);
        } else if (auto map = option_value(args, i, "--iter-map", &missing)) {
            out.iter_map = std::string(*map);
        } else if (auto scenario = option_value(args, i, "--scenario", &missing)) {
            out.scenario = std::string(*scenario);
        } else if (auto limit = option_value(args, i, "--time-limit", &missing)) {
            if (auto t = parse_time_limit(*limit))
                out.time_limit = *t;
            else
                stop = time_limit_usage_error(*limit);
        } else if (missing || shared == OptionParse::Missing) {
            return usage_error("run: " + std::string(arg) + " needs a value");
        } else if (arg == "--json") {
            out.json = true;
        } else if (arg == "--all-packets") {
            all_packets_given = true;  // what --pcap now does anyway; kept so old command lines work
        } else if (arg == "--trace") {
            out.trace = true;
        } else if (arg == "--mem" || arg.starts_with("--mem=") || arg == "--plugin-helpers") {
            return usage_error("run: " + std::string(arg.substr(0, arg.find('='))) +
                               " is for raw programs, not ELF objects");
        } else if (arg.starts_with("-") && arg != "-") {
            return usage_error("run: unknown option '" + std::string(arg) + "'");
        } else if (!out.file.empty()) {
            return usage_error("run: more than one FILE ('" + out.file + "' and '" + std::string(arg) + "')");
        } else {
            out.file = arg;
        }
        if (stop) return stop;
    }
    if (all_packets_given && out.packet_source != PacketSource::Pcap)
        return usage_error("run: --all-packets needs --pcap FILE");
    // A capture is a sequence of packets: run each, as a user replaying it expects (debug, one
    // run, takes the first).
    out.all_packets = out.packet_source == PacketSource::Pcap;
    return std::nullopt;
}

// Where errors go: stderr as one line (text), or stdout as the one JSON object (--json).
struct Reporter {
    bool json = false;

    int fail(const Error& error) const {
        const std::string message = error.to_string();
        if (!json) {
            std::fprintf(stderr, "bpfvm: %s\n", message.c_str());
            return kExitError;
        }
        JsonWriter w;
        w.begin_object().key("error").begin_object().member("kind", error_kind_name(error.kind));
        w.member("message", message).end_object().end_object();
        std::printf("%s\n", w.text().c_str());
        return kExitError;
    }
};

// "XDP_PASS" when the type names the value, else the number.
std::string return_word(const RunResult& r) {
    return r.return_name.empty() ? std::to_string(r.r0) : r.return_name;
}

// Return values as a learner reads them, run-length encoded as they come so a million runs
// cost a few entries: "XDP_PASS XDP_PASS XDP_DROP", four or more equal neighbours as
// "XDP_PASS x1000".
class ReturnWords {
  public:
    void add(std::string word) {
        if (!groups_.empty() && groups_.back().first == word)
            ++groups_.back().second;
        else
            groups_.emplace_back(std::move(word), 1);
    }
    std::string text() const {
        std::string out;
        for (const auto& [word, n] : groups_) {
            if (n >= 4)
                out += (out.empty() ? "" : " ") + word + " x" + std::to_string(n);
            else
                for (uint64_t k = 0; k < n; ++k)
                    out += (out.empty() ? "" : " ") + word;
        }
        return out;
    }

  private:
    std::vector<std::pair<std::string, uint64_t>> groups_;
};

// The session's JSON for the last run, plus "ctx_out", "runs" and "returns" (every run's r0).
std::string json_with_runs(const ObjectSession& s, const RunResult& last, uint64_t runs,
                           const std::vector<uint64_t>& returns) {
    JsonWriter w(JsonLayout::Compact, JsonText::Ascii);  // as run_result_json writes it
    w.begin_object();
    run_result_members(w, s, last);
    w.member("ctx_out", hex_bytes(last.ctx_out)).member("runs", runs).key("returns").values(returns);
    return w.end_object().take();
}

// --trace: the run stepped in a debug session, each instruction printed before it runs (a
// tail call's target under its name), then undone (reset restores the maps and the host) so
// the real run below starts from the same state and reports as without --trace.
void print_trace(ObjectSession& s, const std::string& program, const RunInput& input) {
    auto opened = DebugSession::open(s, program, input);
    if (!opened) return;  // the real run reports the error
    DebugSession& d = **opened;
    std::string current = d.program().name;
    while (d.status() == RunStatus::Ready) {
        if (d.program().name != current) {
            current = d.program().name;
            std::printf("<%s>:\n", current.c_str());
        }
        std::printf("%8u:\t%s\n", d.pc(), disassemble_one(d.program().insns, d.pc()).c_str());
        if (d.step().reason == StopReason::None) break;
    }
    d.reset();
}

} // namespace

// --scenario: the host's events played through the object's tracing programs, in order.
int play(ObjectSession& s, const ObjectRunOptions& options, const Reporter& reporter) {
    Scenario scenario = default_scenario();
    if (options.scenario != "default") {
        auto text = read_file(options.scenario);
        if (!text) return reporter.fail(text.error());
        auto parsed = scenario_from_json(*text);
        if (!parsed) return reporter.fail(parsed.error());
        scenario = std::move(*parsed);
    }
    auto steps = play_scenario(s, scenario);
    if (!steps) return reporter.fail(steps.error());
    if (!options.json) {
        std::fputs(scenario_text(s, *steps).c_str(), stdout);
        return 0;
    }
    JsonWriter w;
    w.begin_object().key("scenario").begin_array();
    for (const ScenarioStep& step : *steps) {
        w.begin_object().member("event", step.text).member("time_ns", step.time_ns).key("runs").begin_array();
        for (const RunResult& r : step.runs) w.raw(run_result_json(s, r));
        w.end_array().key("records").begin_array();
        for (const ScenarioRecord& rec : step.records)
            w.begin_object().member("map", rec.map).member("hex", hex_bytes(rec.bytes)).end_object();
        w.end_array().end_object();
    }
    w.end_array().end_object();
    std::printf("%s\n", w.text().c_str());
    return 0;
}

int cmd_run_object(Args args, std::string content) {
    ObjectRunOptions options;
    if (auto stop = parse_object_options(args, options)) return *stop;
    const Reporter reporter{options.json};

    auto inputs = read_object_inputs(options);
    if (!inputs) return reporter.fail(inputs.error());
    auto session = open_object_session(options, std::vector<uint8_t>(content.begin(), content.end()));
    if (!session) return reporter.fail(session.error());
    ObjectSession& s = **session;
    if (!options.scenario.empty()) return play(s, options, reporter);
    // A host with a TCP flow script and a congestion control in the object: the flow is the run.
    if (s.host().tcp_flow && has_tcp_congestion_ops(s)) {
        s.set_time_limit(TimeLimit::from_now(options.time_limit));
        auto flow = run_tcp_ca_flow(s, *s.host().tcp_flow, options.budget);
        if (!flow) return reporter.fail(flow.error());
        if (options.json) {
            JsonWriter w;
            tcp_flow_json(w, *flow);
            std::printf("%s\n", w.text().c_str());
        } else {
            const std::string text = tcp_flow_text(*flow);
            std::fwrite(text.data(), 1, text.size(), flow->error ? stderr : stdout);
        }
        return flow->error ? kExitError : 0;
    }
    auto program = pick_program(s.object(), options);
    if (!program) return reporter.fail(program.error());
    if (auto traced = choose_traced(s, *program, options); !traced) return reporter.fail(traced.error());
    if (const LoadedProgram* p = s.object().find_program(*program))
        if (auto noted = note_inputs(*p, options, *inputs); !noted) return reporter.fail(noted.error());
    // bpfplay runs programs the kernel would refuse (a learner sees what they do); say so first.
    if (const LoadedProgram* p = s.object().find_program(*program)) {
        const verifier::Verdict v = verifier::check_program(s.object(), *p);
        if (v.kind == verifier::VerdictKind::Refuse)
            std::fprintf(stderr, "bpfvm: warning: the kernel would refuse %s: insn %u: %s (bpfvm verify explains); running it anyway\n",
                         p->name.c_str(), v.insn, v.message.c_str());
    }
    if (options.cpu) s.host().cpu = *options.cpu;

    RunInput input;
    input.ctx = inputs->ctx;
    input.args = options.args;
    input.text_args = options.text_args;
    input.budget = options.budget;
    input.iter_map = options.iter_map;
    std::vector<uint64_t> returns;
    ReturnWords words;
    RunResult last;
    const uint64_t total = options.repeat * inputs->packets.size();
    if (total > kMaxRepeat)
        return reporter.fail(make_error(
            ErrorKind::Parse, std::to_string(inputs->packets.size()) + " packets " +
                                  std::to_string(options.repeat) + " times is " + std::to_string(total) +
                                  " runs, more than the " + std::to_string(kMaxRepeat) + " bpfvm allows"));
    uint64_t runs = 0;
    s.set_time_limit(TimeLimit::from_now(options.time_limit));
    for (uint64_t round = 0; round < options.repeat && last.status != RunStatus::Faulted; ++round) {
        for (const std::vector<uint8_t>& packet : inputs->packets) {
            input.packet = packet;
            if (options.trace && !options.json) print_trace(s, *program, input);
            last = s.run(*program, input);
            ++runs;
            if (last.status != RunStatus::Exited) {
                last.status = RunStatus::Faulted; // Ready (stopped without exiting) is a failure too
                if (!last.error)
                    last.error = make_error(ErrorKind::Runtime, "the program stopped without exiting");
                break;
            }
            returns.push_back(last.r0);
            words.add(return_word(last));
        }
    }

    // Timers the runs left armed fire as the clock moves on (their callbacks' runs join the last
    // run's, after those that came due at once).
    if (options.advance_ns && last.status == RunStatus::Exited)
        for (RunResult& fired : s.advance_time(options.advance_ns)) last.timer_runs.push_back(std::move(fired));
    const bool failed = last.status != RunStatus::Exited;
    if (options.json) {
        std::string j = json_with_runs(s, last, runs, returns);
        std::printf("%s\n", j.c_str());
        return failed ? kExitError : 0;
    }
    if (failed) {
        const std::string which =
            total > 1 ? "run " + std::to_string(runs) + " of " + std::to_string(total) + ": " : "";
        std::fprintf(stderr, "bpfvm: %s%s\n", which.c_str(), last.error->to_string().c_str());
        print_count(stderr, last.instructions);
        for (const std::string& line : last.printk)
            std::fprintf(stderr, "printk: %s%s", line.c_str(), line.ends_with('\n') ? "" : "\n");
        for (const PerfEventRecord& e : last.perf_events)
            std::fprintf(stderr, "perf event: %s cpu %u: 0x%s\n", e.map.c_str(), e.cpu, hex_bytes(e.data).c_str());
        if (last.iter) std::fputs(iter_output_text(*last.iter).c_str(), stderr);  // the calls up to the fault
        return kExitError;
    }
    if (runs > 1) std::printf("%" PRIu64 " runs; return values: %s\n", runs, words.text().c_str());
    std::string text = run_result_text(s, last);
    // What the program made of the (last) packet, when it changed it.
    const LoadedProgram* p = s.object().find_program(*program);
    if (p && (p->context == ContextKind::Xdp || p->context == ContextKind::SkBuff) && !inputs->packets.empty())
        text += packet_out_text(inputs->packets.back(), last.packet_out);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

} // namespace bpfplay::cli
