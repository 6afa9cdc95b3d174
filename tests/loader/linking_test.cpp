// The loader fixtures (tests/loader/fixtures/*.c): subprograms shared between programs,
// callbacks, CO-RE, custom data sections, legacy maps, and the objects libbpf refuses.
#include <doctest/doctest.h>

#include <cstring>

#include "core/loader/elf_reader.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

Result<LoadedObject> load_fixture(const std::string& name) { return load(fixture_bytes(name), name + ".o"); }

std::vector<std::string> function_names(const LoadedProgram& p) {
    std::vector<std::string> names;
    for (const LinkedFunction& f : p.functions) names.push_back(f.name);
    return names;
}

// Offset of the named section's bytes in the file, from the section table the loader read.
uint64_t section_file_offset(const std::vector<uint8_t>& bytes, const std::string& name) {
    auto elf = ElfFile::open(bytes);
    REQUIRE(elf);
    const ElfSection* s = elf->find_section(name);
    REQUIRE(s != nullptr);
    return s->offset;
}

}  // namespace

TEST_CASE("fixtures: linking.o programs and the subprograms appended to each") {
    auto obj = load_fixture("linking");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    REQUIRE(obj->programs.size() == 4);

    const LoadedProgram& first = obj->programs[0];
    CHECK(first.name == "first");
    CHECK(first.section == "xdp");
    CHECK(first.own_insn_count == 22);
    CHECK(first.insns.size() == 43);
    // bpf_loop's callback (an lddw of add_one's address) comes first, then sum_squares and the
    // square it calls, then the global function global_twice (called through its own symbol).
    CHECK(function_names(first) ==
          std::vector<std::string>{"first", "add_one", "sum_squares", "square", "global_twice"});
    CHECK(first.functions[1].first_insn == 22);
    CHECK(first.functions[2].first_insn == 27);
    CHECK(first.functions[3].first_insn == 34);
    CHECK(first.functions[4].first_insn == 37);
    // lddw r2, add_one: BPF_PSEUDO_FUNC, imm relative to the next insn.
    CHECK(first.insns[6].opcode == op::kLddw);
    CHECK(first.insns[6].src == op::kPseudoFunc);
    CHECK(first.insns[6].imm == 22 - 6 - 1);
    CHECK(first.program.insns[6].imm == int64_t(kCodeBase + 22 * 8));
    CHECK(first.insns[14].imm == 27 - 14 - 1);  // sum_squares (static: .text section symbol + imm)
    CHECK(first.insns[19].imm == 37 - 19 - 1);  // global_twice (global: its FUNC symbol, imm -1)
    CHECK(first.insns[28].imm == 34 - 28 - 1);  // sum_squares -> square, twice
    CHECK(first.insns[31].imm == 34 - 31 - 1);
    CHECK(first.program.functions == std::vector<uint32_t>{0, 22, 27, 34, 37});
    // global_twice reads `counter`: its relocation moved with it (insn 1 of the function).
    const Map& counters = *obj->maps->get(0);
    CHECK(first.insns[38].src == op::kPseudoMapValue);
    CHECK(first.program.insns[38].imm == int64_t(counters.value_address(0)));
    CHECK(first.program.insns[16].imm == int64_t(obj->maps->get(1)->value_address(0)));  // limit

    const LoadedProgram& second = obj->programs[1];
    CHECK(second.name == "second");
    CHECK(second.type == ProgType::SchedCls);
    CHECK(function_names(second) == std::vector<std::string>{"second", "global_twice"});
    CHECK(second.insns[6].imm == 10 - 6 - 1);

    const LoadedProgram& optional = obj->programs[2];
    CHECK(optional.section == "?xdp");
    CHECK(optional.type == ProgType::Xdp);
    CHECK_FALSE(optional.autoload);
    CHECK(function_names(optional) == std::vector<std::string>{"optional", "square"});

    const LoadedProgram& unknown = obj->programs[3];
    CHECK(unknown.section == "mysection");
    CHECK(unknown.type == ProgType::Unspec);
    CHECK(unknown.context == ContextKind::None);
    CHECK_FALSE(unknown.type_known);
    bool noted = false;
    for (const std::string& n : obj->notes) noted |= n.find("\"mysection\" matches no libbpf section") != std::string::npos;
    CHECK(noted);
}

TEST_CASE("fixtures: linking.o sections, maps, version and license") {
    auto obj = load_fixture("linking");
    REQUIRE(obj);
    CHECK(obj->license == "Dual BSD/GPL");
    REQUIRE(obj->kern_version.has_value());
    CHECK(*obj->kern_version == 0x060100);
    REQUIRE(obj->maps->size() == 2);
    // Custom sections (a second dot in the name) keep their own names, without the object prefix.
    const Map& counters = *obj->maps->get(0);
    CHECK(counters.name() == ".data.counters");
    CHECK(counters.value_size() == 4);
    CHECK(counters.map_flags() == map_flag::kMmapable);
    uint8_t key[4] = {}, value[4];
    REQUIRE(const_cast<Map&>(counters).lookup_user(key, value) == 0);
    CHECK(value[0] == 7);
    const Map& config = *obj->maps->get(1);
    CHECK(config.name() == ".rodata.config");
    CHECK(config.map_flags() == (map_flag::kRdonlyProg | map_flag::kMmapable));
    CHECK(config.frozen());
    REQUIRE(const_cast<Map&>(config).lookup_user(key, value) == 0);
    CHECK(value[0] == 42);
}

TEST_CASE("fixtures: line_info carries the source text, and follows appended subprograms") {
    auto obj = load_fixture("linking");
    REQUIRE(obj);
    const LoadedProgram& first = obj->programs[0];
    const SourceLine* call = first.line_for(5);
    REQUIRE(call != nullptr);
    CHECK(call->file == "./tests/loader/fixtures/linking.c");
    CHECK(call->line == 53);
    CHECK(call->column == 2);
    CHECK(call->text == "\tbpf_loop(4, add_one, &total, 0);");
    // square's copy at insn 34: its records moved from .text insn 16 to the linked position.
    const SourceLine* sq = first.line_for(35);
    REQUIRE(sq != nullptr);
    CHECK(sq->insn == 35);
    CHECK(sq->text == "\treturn x * x;");
    CHECK(first.line_for(34)->text == "static __noinline int square(int x)");
    // In `optional`, square sits at insn 3.
    CHECK(obj->programs[2].line_for(4)->text == "\treturn x * x;");
    REQUIRE(first.func_info.size() == 5);
    CHECK(first.func_info[3].name == "square");
    CHECK(first.func_info[3].insn == 34);
}

TEST_CASE("fixtures: CO-RE field relocations resolve against the object's own BTF") {
    auto obj = load_fixture("linking");
    REQUIRE(obj);
    const LoadedProgram& second = obj->programs[1];
    // offsetof(struct record, pairs[1].b) = 8 + 16 + 4, the field exists, sizeof(pairs[0].name) = 8.
    CHECK(second.insns[0].imm == 28);
    CHECK(second.insns[1].imm == 1);
    CHECK(second.insns[3].imm == 8);

    // A relocation is checked against the value clang wrote: change it, and loading says so.
    auto bytes = fixture_bytes("linking");
    const uint64_t tc = section_file_offset(bytes, "tc");
    bytes[tc + 4] = 99;  // insn 0's imm: 28 -> 99
    auto bad = load(bytes, "linking.o");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().kind == ErrorKind::Load);
    CHECK(bad.error().where.section == "tc");
    CHECK(bad.error().what.find("CO-RE relocation at insn 0 (function \"second\", byte_off") != std::string::npos);
    CHECK(bad.error().what.find("access \"0:1:1:1\"") != std::string::npos);
    CHECK(bad.error().what.find("the instruction holds 99, but the relocation resolves to 28") != std::string::npos);
}

TEST_CASE("fixtures: a type-based CO-RE relocation of the object's own type resolves against its BTF") {
    // struct task_info is no kernel type: bpf_core_type_exists() resolves against the object.
    auto obj = load_fixture("core_type");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const LoadedProgram& p = obj->programs[0];
    REQUIRE(p.insns.size() == 5);
    CHECK(p.insns[0].opcode == (op::kAlu64 | op::kMov | op::kK));  // r1 = bpf_core_type_exists(...)
    CHECK(p.insns[0].imm == 1);
    CHECK(obj->notes.empty());
}

TEST_CASE("fixtures: legacy maps in SEC(\"maps\")") {
    auto obj = load_fixture("legacy_maps");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    REQUIRE(obj->maps->size() == 2);
    const Map& packets = *obj->maps->get(0);
    CHECK(packets.name() == "packets");
    CHECK(packets.type() == MapType::Array);
    CHECK(packets.key_size() == 4);
    CHECK(packets.value_size() == 8);
    CHECK(packets.max_entries() == 4);
    const Map& flows = *obj->maps->get(1);
    CHECK(flows.name() == "flows");
    CHECK(flows.type() == MapType::Hash);
    CHECK(flows.key_size() == 8);
    CHECK(flows.value_size() == 4);
    CHECK(flows.max_entries() == 128);
    CHECK(flows.map_flags() == map_flag::kNoPrealloc);
    CHECK(obj->map_info[1].origin == MapOrigin::Legacy);
    CHECK(obj->map_info[1].section_offset == 20);
    const LoadedProgram& p = obj->programs[0];
    CHECK(p.type == ProgType::SocketFilter);
    int handles = 0;
    for (const DecodedInsn& d : p.program.insns)
        if (d.op == Op::Lddw) handles += d.imm == int64_t(packets.handle()) ? 1 : d.imm == int64_t(flows.handle()) ? 10 : 0;
    CHECK(handles == 11);
}

TEST_CASE("fixtures: a lone function without SEC() is loaded from .text") {
    auto obj = load_fixture("lone_text");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    REQUIRE(obj->programs.size() == 1);
    CHECK(obj->programs[0].name == "just_return");
    CHECK(obj->programs[0].section == ".text");
    CHECK(obj->programs[0].type == ProgType::Unspec);
    CHECK(obj->license.empty());
    CHECK(obj->maps->size() == 0);
}

TEST_CASE("fixtures: calls between program sections are refused, as libbpf refuses them") {
    auto obj = load_fixture("cross_call");
    REQUIRE_FALSE(obj);
    CHECK(obj.error().where.section == "xdp.frags");
    CHECK(obj.error().what ==
          "section \"xdp.frags\": relocation at byte 0x0 against \"target_prog\" (insn 0 of the section, in function "
          "\"caller_prog\"): the called function is in section \"xdp\"; libbpf links bpf-to-bpf calls only to "
          "functions in .text");
    CHECK_FALSE(obj.error().hint.empty());
}

TEST_CASE("fixtures: without helpers, a program calling one cannot run, naming it; the object loads") {
    LoadOptions options;
    options.object_name = "linking.o";
    auto obj = load_object(fixture_bytes("linking"), options);
    REQUIRE(obj);
    const LoadedProgram& first = obj->programs[0];
    REQUIRE(first.load_error);
    CHECK(first.load_error->kind == ErrorKind::Helper);
    CHECK(first.load_error->where.section == "xdp");
    CHECK(first.load_error->where.pc == 9u);
    CHECK(first.load_error->what == "bpf_loop#181 is not available here.");
    CHECK(first.program.insns.empty());
    // With decoding off the object still loads (e.g. to show it).
    options.decode_programs = false;
    auto shown = load_object(fixture_bytes("linking"), options);
    REQUIRE(shown);
    CHECK(shown->programs[0].program.insns.empty());
    CHECK(shown->programs[0].insns.size() == 43);
}

TEST_CASE("fixtures: address relocations in data are noted, not applied (as in libbpf)") {
    auto obj = load_fixture("data_reloc");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    REQUIRE(obj->maps->size() == 1);
    CHECK(obj->maps->get(0)->name() == "data_rel.data");
    bool noted = false;
    for (const std::string& n : obj->notes)
        noted |= n == "section \".data\": 1 address relocation(s) in data not applied (libbpf does not apply them either)";
    CHECK(noted);
    // `pointer` (at .data + 8) keeps the bytes clang wrote: zero.
    uint8_t key[4] = {}, value[16];
    REQUIRE(const_cast<Map*>(obj->maps->get(0))->lookup_user(key, value) == 0);
    CHECK(value[0] == 5);
    CHECK(value[8] == 0);
}

TEST_CASE("fixtures: an object without BTF (no -g) loads, without types or line info") {
    auto obj = load_fixture("plain_nobtf");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    CHECK(obj->btf == nullptr);
    CHECK(obj->btf_ext == nullptr);
    REQUIRE(obj->programs.size() == 1);
    CHECK(obj->programs[0].line_info.empty());
    CHECK(obj->programs[0].line_for(0) == nullptr);
    const Map& data = *obj->maps->get(0);
    CHECK(data.name() == "plain_no.data");
    CHECK(data.map_flags() == 0);  // libbpf marks a map mmapable only from its BTF
    CHECK(data.spec().btf_value_type_id == 0);
}

TEST_CASE("fixtures: LoadOptions limits the instructions of all linked programs together") {
    LoadOptions options;
    options.object_name = "linking.o";
    options.helpers = &all_helpers();
    options.max_linked_insns = 50;  // first (43) fits, second (16) does not
    auto obj = load_object(fixture_bytes("linking"), options);
    REQUIRE_FALSE(obj);
    CHECK(obj.error().kind == ErrorKind::Load);
    CHECK(obj.error().where.section == "tc");
    CHECK(obj.error().what.find("more than 50 instructions") != std::string::npos);
}

TEST_CASE("fixtures: a SEC(\"?...\") program that does not decode does not stop the object") {
    auto bytes = fixture_bytes("linking");
    bytes[section_file_offset(bytes, "?xdp")] = 0xff;  // `optional`'s first opcode: no such instruction
    auto obj = load(bytes, "linking.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    CHECK(obj->programs[2].name == "optional");
    CHECK(obj->programs[2].program.insns.empty());
    CHECK_FALSE(obj->programs[0].program.insns.empty());
    REQUIRE(obj->programs[2].load_error);
    CHECK(obj->programs[2].load_error->kind == ErrorKind::Decode);
    CHECK(obj->programs[2].load_error->where.section == "?xdp");
    CHECK_FALSE(obj->programs[0].load_error);
}

TEST_CASE("fixtures: libbpf 0.x section names (xdp-tutorial's) load with their old types, noted") {
    auto obj = load_fixture("legacy_sections");
    REQUIRE(obj);
    REQUIRE(obj->programs.size() == 2);
    const LoadedProgram& xdp = obj->programs[0];
    CHECK(xdp.name == "xdp_vlan_swap");
    CHECK(xdp.section == "xdp_vlan01");
    CHECK(xdp.type == ProgType::Xdp);
    CHECK(xdp.context == ContextKind::Xdp);
    CHECK(xdp.type_known);
    CHECK_FALSE(xdp.load_error.has_value());
    const LoadedProgram& tc = obj->programs[1];
    CHECK(tc.section == "classifier_egress");
    CHECK(tc.type == ProgType::SchedCls);
    CHECK(tc.context == ContextKind::SkBuff);
    std::vector<std::string> notes;
    for (const std::string& n : obj->notes)
        if (n.find("libbpf 0.x") != std::string::npos) notes.push_back(n);
    REQUIRE(notes.size() == 2);
    CHECK(notes[0] == "program \"xdp_vlan_swap\": section \"xdp_vlan01\" is a libbpf 0.x name, loaded as xdp "
                      "as libbpf 0.x did (libbpf 1.0 and later need SEC(\"xdp\") exactly)");
    CHECK(notes[1] == "program \"tc_egress\": section \"classifier_egress\" is a libbpf 0.x name, loaded as "
                      "sched_cls as libbpf 0.x did (libbpf 1.0 and later need SEC(\"classifier\") exactly)");
}

TEST_CASE("fixtures: an freplace program says why it cannot get a typed context from its object alone") {
    auto obj = load_fixture("freplace_prog");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    REQUIRE(obj->programs.size() == 1);
    CHECK(obj->programs[0].type == ProgType::Ext);
    CHECK(obj->programs[0].attach_target == "handle_ipv4");
    std::vector<std::string> notes;
    for (const std::string& n : obj->notes)
        if (n.find("replaces") != std::string::npos) notes.push_back(n);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] == "program \"replace_ipv4\": SEC(\"freplace/handle_ipv4\") replaces the function handle_ipv4 of "
                      "another loaded BPF program; its arguments are that function's, which this object does not "
                      "describe, so a run gives r1 the context bytes as they are (--ctx)");
}
