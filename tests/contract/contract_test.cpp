// The contract between core and the page: core writes every view the page reads into
// tests/contract/*.json, and web/src/contract.test.ts checks each against the page's schema of
// that view (web/src/vm_types.ts) and decodes it as the page does. A field renamed on one side
// only fails one of the two tests.
//
// When a view changes on purpose, regenerate the files and change the page's decoder with it:
//   BPFPLAY_UPDATE_CONTRACT=1 ./build/tests/test_contract
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/debugger/debug_json.hpp"
#include "core/debugger/explain.hpp"
#include "core/debugger/map_command.hpp"
#include "core/debugger/page_defaults.hpp"
#include "core/host/host.hpp"
#include "core/host/host_json.hpp"
#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"
#include "core/run/scenario_json.hpp"
#include "core/run/tcp_ca_flow.hpp"
#include "core/share/share_link.hpp"
#include "core/verifier/object_check.hpp"
#include "core/verifier/verdict_text.hpp"

namespace bpfplay {
namespace {

const std::string kDir = std::string(BPFPLAY_SOURCE_DIR) + "/tests/contract/";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Compares what core writes now with the checked-in file (or rewrites the file on request).
void check_golden(const std::string& name, const std::string& json) {
    REQUIRE_MESSAGE(bool(parse_json(json)), name << ": core wrote JSON that does not parse");
    const std::string path = kDir + name;
    if (const char* update = std::getenv("BPFPLAY_UPDATE_CONTRACT"); update && std::string(update) == "1") {
        std::ofstream(path, std::ios::binary) << json << "\n";
        return;
    }
    const std::string golden = read_file(path);
    CHECK_MESSAGE(golden == json + "\n",
                  "tests/contract/" << name << " differs from what core writes now. If the view changed on purpose, "
                  "regenerate with `BPFPLAY_UPDATE_CONTRACT=1 ./build/tests/test_contract` and update "
                  "the view's schema in web/src/vm_types.ts (and web/src/contract.test.ts) in the same commit.");
}

Error sample_error() {
    Error e = make_error(ErrorKind::Runtime, "out-of-bounds read of 4 bytes", 7, "check data + 14 <= data_end first");
    e.where.address = 0x8000000f0ull;
    e.where.line = 3;
    e.where.section = "xdp";
    e.where.map = "counts";
    e.where.source = "prog.c:42";
    return e;
}

// Every field of the state set to something other than its default, so the page's decoder
// is checked on each.
DebugState sample_state() {
    DebugState s;
    s.program = "xdp_prog";
    s.timer = "timer in map timers, key 00000000";
    s.pc = 5;
    s.status = RunStatus::Exited;
    s.executed = 12;
    s.history_start = 2;
    s.journal_bytes = 100;
    s.stop_reason = "exit";
    s.fault = sample_error();
    s.fault_explanation = "the read goes past data_end";
    s.r0 = 0xffffffffffffffffull;
    s.return_name = "XDP_DROP";
    s.regs[1] = {0x8000000000000001ull, ValueKind::PacketPtr, "packet+14", 14, true};
    s.regs[10] = {0x800000200ull, ValueKind::StackPtr, "fp-0 (frame 0)", 0, false};
    s.source = {"prog.c", 3, 5, "return XDP_DROP;"};
    CheckerView c;
    c.on_path = true;
    c.path_index = 1;
    c.path_length = 2;
    c.at_failure = true;
    c.message = "invalid access to packet, off=100 size=1, R1(id=0,off=100,r=0)";
    c.kept = true;
    c.frame = 1;
    c.regs[1] = "pkt(r=0)";
    c.regs[10] = "fp0";
    s.checker = c;
    FrameView f;
    f.depth = 1;
    f.function = "describe";
    f.callback = "bpf_loop: call 3 of 16";
    f.pc = 58;
    f.source = {"prog.c", 52, 9, "info->sport = sport;"};
    f.frame_pointer = 0x800000400ull;
    f.stack = {0x00, 0xff};
    f.changed = {1};
    s.frames = {f};
    s.packet = {0xaa, 0xbb};
    s.packet_meta = {0x01};
    s.packet_changed = {0};
    s.context = {0x10, 0x20};
    s.context_struct = "xdp_md";
    s.context_fields = {{"data", 0, 4, "packet_start", "the packet's first byte"},
                        {"ingress_ifindex", 12, 4, "value", "the ifindex of the device the packet arrived on"}};
    MapView m;
    m.id = 3;
    m.name = "stats";
    m.type = "percpu_array";
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 16;
    m.key_type = "__u32";
    m.value_type = "struct stat";
    m.percpu = true;
    m.count = 1;
    m.summary = "1 of 16 slots used";
    m.occupancy = "1 entry";
    m.truncated = true;
    m.changed = true;
    MapEntryView e;
    e.key = {0x02, 0, 0, 0};
    e.values = {{1, 0, 0, 0, 0, 0, 0, 0}, {2, 0, 0, 0, 0, 0, 0, 0}};
    e.key_json = "2";
    e.values_json = {R"({"packets":1})", R"({"packets":18446744073709551615})"};
    e.label = "slot 2";
    e.changed = true;
    m.entries = {e};
    s.maps = {m};
    s.printk = {"hello 42\n"};
    s.events = {"abcd"};
    s.perf_events = {{"events", 1, {1, 2, 3, 4}, 9, 7}};
    s.host_events = {{3, 2, "bpf_redirect", "the packet goes to eth1 (ifindex 3)"}};
    s.timers = {{"timers", {0, 0, 0, 0}, true, true, 18446744073709551615ull, 40}};
    s.clock_ns = 18446744073709551614ull;
    return s;
}

struct LoadedFixture {
    std::unique_ptr<ObjectSession> object;
    std::unique_ptr<DebugSession> debug;
};

LoadedFixture refused_sibling() {
    const std::string elf = read_file(std::string(BPFPLAY_SOURCE_DIR) + "/tests/loader/fixtures/refused_sibling.o");
    REQUIRE(!elf.empty());
    auto object = ObjectSession::open(std::vector<uint8_t>(elf.begin(), elf.end()), "refused_sibling.o");
    REQUIRE(object);
    LoadedFixture out{std::move(object.value()), nullptr};
    auto debug = DebugSession::open(*out.object, "count_packets", RunInput{});
    REQUIRE(debug);
    out.debug = std::move(debug.value());
    return out;
}

}  // namespace

TEST_CASE("contract: the debug state, a stop and an error as the page reads them") {
    check_golden("debug_state.json", debug_state_json(sample_state()));
    check_golden("stop.json", stop_info_json(StopInfo{StopReason::Breakpoint, 2, 17, true, 15}));  // every field set
    check_golden("error.json", error_json(sample_error()));
}

TEST_CASE("contract: an object's summary, a program's listing and the breakpoints, from a real object") {
    LoadedFixture f = refused_sibling();
    check_golden("object_summary.json", object_info_json(f.object->object()));
    check_golden("listing.json", program_listing_json(*f.object->object().find_program("count_packets")));
    REQUIRE(f.debug->add_breakpoint(3, "r1 == 0"));
    REQUIRE(f.debug->add_stack_watch(-8, 8));
    check_golden("stops.json", stops_json(*f.debug));
}

TEST_CASE("contract: a map command from user space (bpf(2)'s lookup_batch), as the Maps tab reads its answer") {
    LoadedFixture f = refused_sibling();
    auto r = run_map_command(*f.debug, "lookup_batch counts 2");
    REQUIRE(r.ok());
    JsonWriter w;
    to_json(w, *r);
    check_golden("map_command.json", w.take());
}

TEST_CASE("contract: a session link as the page reads it (Playground.share_link_decode)") {
    ShareLink l;
    l.source = {ShareSourceKind::Object, "prog.o", {0x7f, 0x45, 0x4c, 0x46}, "int x;\n", {}, {}};
    l.program = "xdp_prog";
    l.packet = {1, 2};
    l.ctx = {3};
    l.host = {{"pid", "7"}, {"hostJson", "{}"}};
    l.breakpoints = {{4, ""}, {9, "r1 == 0"}};
    l.lesson = "01_return";
    JsonWriter w;
    to_json(w, l);
    check_golden("share_link.json", w.take());
}

TEST_CASE("contract: an instruction explained, at a helper call with its arguments") {
    LoadedFixture f = refused_sibling();
    const std::vector<Insn>& insns = f.object->object().find_program("count_packets")->insns;
    uint32_t call = 0;
    while (call < insns.size() && !(insns[call].opcode == (op::kJmp | op::kCall) && insns[call].src == 0)) ++call;
    REQUIRE(call < insns.size());
    if (call > 0) {
        REQUIRE(f.debug->add_breakpoint(call));
        f.debug->cont();
    }
    REQUIRE(f.debug->pc() == call);
    check_golden("explain.json", explain_json(*f.debug));
}

TEST_CASE("contract: the verifier's verdict on a program the kernel would refuse (no data_end check)") {
    const std::string elf = read_file(std::string(BPFPLAY_SOURCE_DIR) + "/tests/browser/fixtures/oob_read.o");
    REQUIRE(!elf.empty());
    auto object = ObjectSession::open(std::vector<uint8_t>(elf.begin(), elf.end()), "oob_read.o");
    REQUIRE(object);
    const LoadedProgram* p = object.value()->object().find_program("oob_read");
    REQUIRE(p);
    JsonWriter w;
    verifier::to_json(w, verifier::check_program(object.value()->object(), *p));
    check_golden("verdict.json", w.take());
}

TEST_CASE("contract: core's defaults and enumerations the page shows") {
    check_golden("defaults.json", page_defaults_json());
}

TEST_CASE("contract: the default host as the Host tab reads it") {
    std::string host = host_json(Host{});
    host.pop_back();  // check_golden adds the final newline back
    check_golden("host.json", host);
}

// What the page's console shows of a scenario (Playground.play_scenario): bootstrap.c through
// core's default scenario, then a step made by hand with every field set (a timer's run with a
// signed return, printk, a perf sample, a host event; a failed run; a record decoded by BTF).
TEST_CASE("contract: a scenario played through bootstrap.c, as the console reads it") {
    const std::string elf = read_file(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/bootstrap.o");
    REQUIRE(!elf.empty());
    auto object = ObjectSession::open(std::vector<uint8_t>(elf.begin(), elf.end()), "bootstrap.o");
    REQUIRE(object);
    ObjectSession& s = *object.value();
    auto steps = play_scenario(s, default_scenario());
    REQUIRE(steps);
    ScenarioStep sample;
    sample.event = 9;
    sample.time_ns = 18446744073709551615ull;
    sample.text = "exit: pid 1 (init) killed by signal 9";
    RunResult timer;
    timer.program = "on_timer";
    timer.timer = "timer callback at insn 40, map \"timers\"";
    timer.status = RunStatus::Exited;
    timer.r0 = ~uint64_t(0);
    timer.instructions = 12;
    timer.printk = {"bye 9\n"};
    timer.perf_events = {{"events", 1, {1, 2, 3, 4}, 9, 7}};
    timer.host_events = {{3, 2, "bpf_send_signal", "signal 9 to pid 1"}};
    RunResult failed;
    failed.program = "handle_exit";
    failed.status = RunStatus::Faulted;
    failed.instructions = 3;
    failed.error = make_error(ErrorKind::Runtime, "out-of-bounds read of 4 bytes", 2);
    sample.runs = {timer, failed};
    std::vector<uint8_t> record(20, 0);  // trace_event_raw_sched_process_exec, the one 20-byte struct
    record[8] = 0x2a;
    sample.records = {{"rb", record}};
    steps->push_back(sample);
    JsonWriter w;
    scenario_report_json(w, s, *steps);
    check_golden("scenario_report.json", w.take());
}

// What the console shows of a TCP flow (Playground.run_tcp_flow): Reno through core's default
// flow on the default host's established socket.
TEST_CASE("contract: the default TCP flow through tcp_ca_reno.c, as the console reads it") {
    const std::string elf = read_file(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/tcp_ca_reno.o");
    REQUIRE(!elf.empty());
    auto object = ObjectSession::open(std::vector<uint8_t>(elf.begin(), elf.end()), "tcp_ca_reno.o");
    REQUIRE(object);
    auto report = run_tcp_ca_flow(*object.value(), default_tcp_flow(), kDefaultBudget);
    REQUIRE(report);
    REQUIRE_FALSE(report->error);
    JsonWriter w;
    tcp_flow_json(w, *report);
    check_golden("tcp_flow_report.json", w.take());
}

}  // namespace bpfplay
