// Generated programs (tools/oracle/bpfgen.py: ALU64/ALU32/JMP/JMP32 over edge values, stack,
// packet and map-value accesses of every size, sign-extending loads, atomics, byte swaps,
// bounded loops, bpf-to-bpf calls) replayed in bpfplay against what the real kernel did with
// them. The kernel's results are recorded in tests/examples/oracle_corpus.json, so this runs
// where bpf(2) is refused (CI); tools/oracle/oracle.py makes the corpus and runs long campaigns.
//
// With BPFPLAY_ORACLE_CASES=FILE (a file of the same shape, written by oracle.py) the cases of
// FILE are compared instead and each verdict is printed as a line "ORACLE <name> equal|differs
// <first difference>" for oracle.py to read; the test then fails on nothing.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "example_harness.hpp"

namespace bpfplay::examples {
namespace {

struct OracleCases {
    std::vector<ExampleCase> cases;
    std::string error;
};

OracleCases load_oracle_cases(const std::string& path) {
    OracleCases out;
    auto bytes = read_binary(path);
    if (!bytes) {
        out.error = "cannot read " + path;
        return out;
    }
    auto doc = parse_json(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
    if (!doc) {
        out.error = path + ": " + doc.error().to_string();
        return out;
    }
    for (const JsonValue& jc : doc->get("cases").items()) {
        ExampleCase c;
        // "o.o": the generator's object name, so the global-data map is "o.data" on both sides.
        if (auto err = read_case(jc, "oracle", "o.o", c)) {
            out.error = path + ": " + *err;
            return out;
        }
        auto elf = unhex(jc.get("object_hex").as_string());
        if (!elf || elf->empty()) {
            out.error = path + ": case " + c.name + " has no \"object_hex\"";
            return out;
        }
        c.object_bytes = std::move(*elf);
        out.cases.push_back(std::move(c));
    }
    return out;
}

TEST_CASE("oracle: generated programs give the kernel's results") {
    const char* campaign = std::getenv("BPFPLAY_ORACLE_CASES");
    const std::string path = campaign ? campaign : source_path("tests/examples/oracle_corpus.json");
    const OracleCases f = load_oracle_cases(path);
    REQUIRE_MESSAGE(f.error.empty(), f.error);
    if (!campaign) REQUIRE(f.cases.size() >= 100);
    int equal = 0;
    for (const ExampleCase& c : f.cases) {
        const Outcome emu = emulator_outcome(c);
        const std::vector<FieldResult> fields = compare_outcomes(c, kernel_outcome_from_case(c), emu);
        const bool same = all_equal(fields) && emu.error.empty();
        equal += same;
        if (campaign) {
            std::string why = emu.error.empty() ? first_difference(fields) : emu.error;
            for (char& ch : why)
                if (ch == '\n') ch = ' ';
            std::printf("ORACLE %s %s %s\n", c.name.c_str(), same ? "equal" : "differs", why.c_str());
            continue;
        }
        INFO("case " << c.name << " (regenerate: python3 tools/oracle/oracle.py show " << c.name << ")");
        INFO("emulator error: " << emu.error);
        for (const FieldResult& fr : fields) {
            INFO("field " << fr.field << ": kernel " << fr.kernel << " / bpfplay " << fr.emulator << " / " << fr.detail);
            CHECK(fr.equal);
        }
        CHECK(emu.error.empty());
    }
    if (campaign) std::fflush(stdout);
    MESSAGE("oracle: " << equal << " of " << f.cases.size() << " generated programs equal to the kernel");
}

}  // namespace
}  // namespace bpfplay::examples
