// bpfvm run and bpfvm debug on the perf event example: the samples in the text report, the
// JSON report and the debugger's `perf` command.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {

// examples/cases/xdp_perf_event.json, case tcp, and the sample the kernel's reader got.
const char* const kTcp =
    "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c4001bb000003e80000"
    "00005002fffff9fc0000";
const std::string kSample = "36000000010000000008100002000000000202000000000108004500";

} // namespace

TEST_CASE("run: the text report lists each perf event sample") {
    auto r = run_bpfvm({"run", example_object("xdp_perf_event.o"), "--packet-hex", kTcp});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out.find("\nperf event: events cpu 0 (insn 29, pc 30): 0x" + kSample + "\n") !=
          std::string::npos);
    CHECK(r.out.find("map events (perf_event_array map \"events\"): 4 entries\n"
                     "  slot 0: reader on CPU 0\n  slot 1: reader on CPU 1\n  slot 2: reader on CPU 2\n"
                     "  slot 3: reader on CPU 3\n") != std::string::npos);
}

TEST_CASE("run --map-init: slot 0 given CPU 1's reader makes the call on CPU 0 fail with -EOPNOTSUPP") {
    TempFile init(R"({"events": [{"key": "00000000", "value": "01000000"}]})", ".json");
    auto r = run_bpfvm(
        {"run", example_object("xdp_perf_event.o"), "--packet-hex", kTcp, "--map-init", init.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("perf event:") == std::string::npos);
    CHECK(r.out.find("  slot 0: reader on CPU 1\n") != std::string::npos);
    CHECK(r.out.find("map failures (hash map \"failures\"): 1 entry\n  -95 => 1\n") != std::string::npos);
}

TEST_CASE("run --json: perf_events holds map, cpu, data, executed and pc") {
    auto r = run_bpfvm({"run", example_object("xdp_perf_event.o"), "--packet-hex", kTcp, "--json"});
    CHECK(r.exit_code == 0);
    auto doc = bpfplay::parse_json(r.out);
    REQUIRE(doc.ok());
    CHECK(doc->get("perf_events").dump() ==
          "[{\"map\":\"events\",\"cpu\":0,\"data\":\"" + kSample + "\",\"executed\":29,\"pc\":30}]");
}

TEST_CASE("debug: perf lists the samples so far, and a reverse step takes one back") {
    auto r = run_bpfvm({"debug", example_object("xdp_perf_event.o"), "--packet-hex", kTcp},
                       "perf\nbreak 31\nc\nperf\nrsi\nperf\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    const std::string line = "events cpu 0 (insn 29, pc 30): 28 bytes " + kSample + "\n";
    const size_t first_none = r.out.find("(no perf events yet)\n");
    const size_t sample = r.out.find(line);
    REQUIRE(first_none != std::string::npos);
    REQUIRE(sample != std::string::npos);
    CHECK(first_none < sample);
    CHECK(r.out.find("(no perf events yet)\n", sample) != std::string::npos); // after rsi
    CHECK(r.out.find(line, sample + 1) == std::string::npos);
}
