// Every bundled example against the real kernel: each case of examples/cases/*.json (inputs and
// what Linux did with them, recorded by tests/kernel/make_cases.py) is run in bpfplay and
// compared field by field: r0 of every run, packet_out, ctx_out, every map, ring buffer records
// and bpf_printk lines. Cases bpfplay cannot run yet are listed in example_harness.cpp
// (known_unsupported) with the reason; each of them must still fail, so the list shrinks as
// support lands.
//
// BPFPLAY_EXAMPLES_TABLE=1 prints a pass/fail table of every case.
#include <doctest/doctest.h>

#include <cstdlib>
#include <set>
#include <string>

#include "example_harness.hpp"

namespace bpfplay::examples {
namespace {

const CaseFiles& cases() {
    static const CaseFiles files = load_case_files();
    return files;
}

bool want_table() {
    const char* v = std::getenv("BPFPLAY_EXAMPLES_TABLE");
    return v && *v && std::string(v) != "0";
}

TEST_CASE("examples: every case file is well-formed and its object exists") {
    const CaseFiles& f = cases();
    for (const std::string& e : f.errors) {
        INFO(e);
        CHECK_MESSAGE(false, "a case file could not be used");
    }
    CHECK(f.examples.size() >= 16);
    CHECK(f.cases.size() >= 50);
    // Every example source has a case file, and every case file an object.
    std::set<std::string> examples(f.examples.begin(), f.examples.end());
    // One name per line, so examples added on different branches merge cleanly.
    for (const char* name : {
             "atomics",
             "bpf2bpf_calls",
             "global_vars",
             "kprobe_regs",
             "kprobe_stackcount",
             "socket_filter",
             "tc_classifier",
             "trace_printk",
             "xdp_callbacks",
             "xdp_drop_port",
             "xdp_dynptr",
             "xdp_dynptr_slice",
             "xdp_ipv4_checksum",
             "xdp_lru_conntrack",
             "xdp_map_in_map",
             "xdp_percpu_stats",
             "xdp_perf_event",
             "xdp_proto_count",
             "xdp_ringbuf",
             "xdp_spin_lock",
             "xdp_strings",
             "xdp_subprog_tail_call",
             "xdp_tail_call",
             "xdp_timer",
         }) {
        INFO("example " << name);
        CHECK(examples.count(name) == 1);
    }
    for (const ExampleCase& c : f.cases) {
        INFO("example " << c.example << " case " << c.name);
        CHECK(read_binary(source_path(c.object)).has_value());
    }
}

TEST_CASE("examples: the known-unsupported list names real cases") {
    const CaseFiles& f = cases();
    for (const KnownUnsupported& k : known_unsupported()) {
        INFO("known_unsupported entry " << std::string(k.example) << "/" << std::string(k.case_name) << " (" << std::string(k.reason) << ")");
        bool found = false;
        for (const ExampleCase& c : f.cases)
            found |= c.example == k.example && (std::string(k.case_name) == "*" || c.name == k.case_name);
        CHECK_MESSAGE(found, "no such case in examples/cases: remove the entry");
        CHECK(std::string(k.reason).size() > 0);
    }
}

TEST_CASE("examples: bpfplay matches the kernel on every case") {
    const CaseFiles& f = cases();
    REQUIRE(!f.cases.empty());
    std::string table;
    int passed = 0, failed = 0, unsupported = 0;
    for (const ExampleCase& c : f.cases) {
        Outcome kernel = kernel_outcome_from_case(c);
        Outcome emu = emulator_outcome(c);
        std::vector<FieldResult> fields = compare_outcomes(c, kernel, emu);
        const bool ok = all_equal(fields);
        std::string why = first_difference(fields);
        if (const KnownUnsupported* k = find_known_unsupported(c)) {
            // Listed: it must still fail, and for the listed reason.
            INFO("example " << c.example << " case " << c.name << " is listed as unsupported: " << std::string(k->reason));
            CHECK_MESSAGE(!ok, "it now matches the kernel: remove it from known_unsupported in example_harness.cpp");
            std::string failure = emu.error + " | " + why;
            INFO("its failure now: " << failure);
            CHECK_MESSAGE(failure.find(k->symptom) != std::string::npos,
                          "it fails for another reason than the listed symptom \"" << std::string(k->symptom) << "\"");
            unsupported++;
            table += "  UNSUPPORTED  " + c.label() + "  (" + k->reason + "; now: " + (ok ? "PASSES" : why) + ")\n";
            continue;
        }
        for (const FieldResult& fr : fields) {
            INFO("example " << c.example << " case " << c.name << " field " << fr.field);
            INFO("  kernel:   " << fr.kernel);
            INFO("  emulator: " << fr.emulator);
            INFO("  differs:  " << fr.detail);
            CHECK(fr.equal);
        }
        (ok ? passed : failed)++;
        table += std::string(ok ? "  pass         " : "  FAIL         ") + c.label() + (ok ? "" : "  (" + why + ")") + "\n";
    }
    if (want_table() || failed)
        MESSAGE("examples vs kernel: " << passed << " pass, " << failed << " fail, " << unsupported
                                       << " known unsupported\n"
                                       << table);
}

}  // namespace
}  // namespace bpfplay::examples
