// Runs every tests/conformance/data/*.data program through the library: assemble, decode (raw
// memory convention: r1 = input, r2 = its length, the plugin's helpers as `bpfvm plugin` has
// them), run, and compare r0 or the error.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "conformance/check_all.hpp"
#include "conformance/data_file.hpp"
#include "core/decode.hpp"
#include "core/helpers/plugin_helpers.hpp"
#include "core/helpers/registry.hpp"
#include "core/hex.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

namespace bpfplay::conformance {
namespace {

std::string describe(const Error& e) {
    return std::string(error_kind_name(e.kind)) + " error: " + e.to_string();  // to_string() ends with the hint
}

bool mentions(const Error& e, const std::string& needle) {
    return e.to_string().find(needle) != std::string::npos || e.what.find(needle) != std::string::npos;
}

// Runs one data file; returns "" when it behaves as the file says, else what went wrong.
std::string run_data_file(const DataFile& f) {
    auto insns = assemble(f.asm_text);
    if (!insns) return "the assembler refused the program: " + describe(insns.error());

    HelperRegistry helpers;
    add_plugin_helpers(helpers);
    DecodeOptions options;
    options.helpers = &helpers;
    options.entry_regs = (1u << 1) | (1u << 2) | (1u << 10);
    auto program = decode(*insns, options);
    if (!program) {
        if (f.error) {
            if (mentions(program.error(), *f.error)) return "";
            return "expected an error containing \"" + *f.error + "\", got at decode time: " +
                   describe(program.error());
        }
        return "expected r0 = " + hex(*f.result) + ", got a decode-time " + describe(program.error());
    }

    std::vector<uint8_t> memory = f.memory;
    Vm vm(*program);
    vm.set_raw_input(memory);
    RunStatus status = vm.run();
    if (status == RunStatus::Exited) {
        if (f.error) return "expected an error containing \"" + *f.error + "\", but the program exited with r0 = " +
                            hex(vm.result());
        if (vm.result() == *f.result) return "";
        return "expected r0 = " + hex(*f.result) + ", got r0 = " + hex(vm.result());
    }
    if (status == RunStatus::Faulted && vm.fault()) {
        if (f.error) {
            if (mentions(*vm.fault(), *f.error)) return "";
            return "expected an error containing \"" + *f.error + "\", got at run time: " + describe(*vm.fault());
        }
        return "expected r0 = " + hex(*f.result) + ", got a run-time " + describe(*vm.fault());
    }
    return "the run stopped without exiting or faulting (status " + std::to_string(int(status)) + ")";
}

}  // namespace

TEST_CASE("conformance: every data file runs as it says (library)") {
    check_every_data_file("library", run_data_file);
}

// The families the set must cover (RFC 9669 groups base32, base64, atomic32, atomic64,
// divmul32, divmul64): each prefix needs at least one file "<prefix>-*.data" or "<prefix>.data".
std::vector<std::string> required_families() {
    std::vector<std::string> out;
    const char* alu_ops[] = {"add", "sub", "mul", "div", "sdiv", "mod", "smod", "or",
                             "and", "xor", "lsh", "rsh", "arsh", "mov"};
    for (const char* w : {"alu32", "alu64"}) {
        for (const char* op : alu_ops)
            for (const char* src : {"imm", "reg"}) out.push_back(std::string(w) + "-" + op + "-" + src);
        out.push_back(std::string(w) + "-neg");
        out.push_back(std::string(w) + "-movsx8");
        out.push_back(std::string(w) + "-movsx16");
    }
    out.push_back("alu64-movsx32");
    for (const char* e : {"le16", "le32", "le64", "be16", "be32", "be64", "bswap16", "bswap32", "bswap64"})
        out.push_back(std::string("end-") + e);
    out.push_back("lddw");
    const char* conds[] = {"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"};
    for (const char* cls : {"jmp", "jmp32"})
        for (const char* c : conds)
            for (const char* src : {"imm", "reg"})
                for (const char* t : {"taken", "not-taken"})
                    out.push_back(std::string(cls) + "-" + c + "-" + src + "-" + t);
    out.push_back("jmp-ja-forward");
    out.push_back("jmp-ja-backward");
    out.push_back("jmp32-ja-gotol-forward");
    out.push_back("jmp32-ja-gotol-backward");
    out.push_back("jmp-loop");
    for (const char* m : {"ldxb", "ldxh", "ldxw", "ldxdw", "ldxsb", "ldxsh", "ldxsw", "stb", "sth", "stw", "stdw",
                          "stxb", "stxh", "stxw", "stxdw"}) {
        out.push_back(std::string("mem-") + m + "-input");
        out.push_back(std::string("mem-") + m + "-stack");
    }
    for (const char* w : {"atomic32", "atomic64"}) {
        for (const char* op : {"add", "or", "and", "xor"}) {
            out.push_back(std::string(w) + "-" + op + "-mem");
            out.push_back(std::string(w) + "-fetch-" + op + "-mem");
            out.push_back(std::string(w) + "-fetch-" + op + "-old");
        }
        out.push_back(std::string(w) + "-xchg-mem");
        out.push_back(std::string(w) + "-xchg-old");
        out.push_back(std::string(w) + "-cmpxchg-hit");
        out.push_back(std::string(w) + "-cmpxchg-miss");
        out.push_back(std::string(w) + "-add-negative-is-sub");
    }
    out.push_back("exit");
    out.push_back("callx");
    out.push_back("prog");
    return out;
}

TEST_CASE("conformance: the data set is large and covers every instruction family") {
    const auto paths = list_data_files(default_data_dir());
    CHECK_MESSAGE(paths.size() >= 200, "only " << paths.size() << " data files");
    std::set<std::string> names;
    for (const auto& p : paths) names.insert(p.stem().string());
    for (const std::string& family : required_families()) {
        bool found = names.count(family) > 0;
        for (auto it = names.lower_bound(family + "-"); !found && it != names.end() && it->starts_with(family + "-");
             ++it)
            found = true;
        CHECK_MESSAGE(found, "no data file for family '" << family << "' (expected " << family << "-*.data)");
    }
    // Every file must parse, and error files stay few: the set is about results.
    size_t errors = 0;
    for (const auto& p : paths) {
        auto f = load_data_file(p);
        CHECK_MESSAGE(f.ok(), p.filename().string() << ": " << (f ? std::string() : f.error().to_string()));
        if (f && f->error) ++errors;
    }
    CHECK_MESSAGE(errors * 20 <= paths.size(), errors << " error files: prefer result tests");
}

TEST_CASE("conformance: data file parser") {
    SUBCASE("result file with memory and comments") {
        auto f = parse_data_file("# one\n# two\n-- asm\nr0 = 1\nexit\n-- mem\n00 01\nff0a\n-- result\n0xFFffffffffffffff\n",
                                 "t");
        REQUIRE(f.ok());
        CHECK(f->comment == "one\ntwo");
        CHECK(f->asm_text == "r0 = 1\nexit\n");
        CHECK(f->memory == std::vector<uint8_t>{0x00, 0x01, 0xff, 0x0a});
        REQUIRE(f->result);
        CHECK(*f->result == ~uint64_t(0));
        CHECK(!f->error);
    }
    SUBCASE("error file") {
        auto f = parse_data_file("-- asm\nexit\n-- error\n  legacy packet access  \n", "t");
        REQUIRE(f.ok());
        CHECK(f->memory.empty());
        CHECK(!f->result);
        REQUIRE(f->error);
        CHECK(*f->error == "legacy packet access");
    }
    SUBCASE("malformed files are refused with the line") {
        CHECK(!parse_data_file("-- asm\nexit\n", "t").ok());                                   // no result
        CHECK(!parse_data_file("-- asm\nexit\n-- result\n0x1\n-- error\nx\n", "t").ok());      // both
        CHECK(!parse_data_file("-- result\n0x1\n", "t").ok());                                 // no asm
        CHECK(!parse_data_file("-- asm\nexit\n-- result\n1\n", "t").ok());                     // no 0x
        CHECK(!parse_data_file("-- asm\nexit\n-- result\n0x12345678123456789\n", "t").ok());  // > 64 bits
        CHECK(!parse_data_file("-- asm\nexit\n-- mem\n0g\n-- result\n0x1\n", "t").ok());       // bad hex
        CHECK(!parse_data_file("-- asm\nexit\n-- mem\n012\n-- result\n0x1\n", "t").ok());      // odd digits
        CHECK(!parse_data_file("-- asm\nexit\n-- asm\nexit\n-- result\n0x1\n", "t").ok());     // twice
        CHECK(!parse_data_file("-- asm\nexit\n-- raw\n-- result\n0x1\n", "t").ok());           // unknown
        auto e = parse_data_file("x\n-- asm\nexit\n-- result\n0x1\n", "t");
        REQUIRE(!e.ok());
        CHECK(e.error().where.line == std::optional<uint32_t>(1));
    }
    SUBCASE("to_hex") {
        const uint8_t b[] = {0x00, 0xab, 0x7f};
        CHECK(to_hex(b) == "00ab7f");
    }
}

}  // namespace bpfplay::conformance
