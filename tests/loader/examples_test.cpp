// Loading every public/examples/*.o: programs, maps, relocations, global data, line info and
// subprograms, with the values llvm-readelf / llvm-objdump / bpftool show for these objects.
#include <doctest/doctest.h>

#include <cstring>

#include "core/memory.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

struct ExpectedProgram {
    const char* name;
    const char* section;
    ProgType type;
    uint32_t own_insns;
    uint32_t linked_insns;
};

struct ExpectedMap {
    const char* name;
    MapType type;
    uint32_t key_size, value_size, max_entries, flags;
};

void check_programs(const LoadedObject& obj, std::initializer_list<ExpectedProgram> expected) {
    REQUIRE(obj.programs.size() == expected.size());
    size_t i = 0;
    for (const ExpectedProgram& e : expected) {
        const LoadedProgram& p = obj.programs[i++];
        CAPTURE(e.name);
        CHECK(p.name == e.name);
        CHECK(p.section == e.section);
        CHECK(p.type == e.type);
        CHECK(p.type_known);
        CHECK(p.own_insn_count == e.own_insns);
        CHECK(p.insns.size() == e.linked_insns);
    }
}

void check_maps(const LoadedObject& obj, std::initializer_list<ExpectedMap> expected) {
    REQUIRE(obj.maps);
    REQUIRE(obj.maps->size() == expected.size());
    REQUIRE(obj.map_info.size() == expected.size());
    uint32_t id = 0;
    for (const ExpectedMap& e : expected) {
        const Map& m = *obj.maps->get(id++);
        CAPTURE(e.name);
        CHECK(m.name() == e.name);
        CHECK(m.type() == e.type);
        CHECK(m.key_size() == e.key_size);
        CHECK(m.value_size() == e.value_size);
        CHECK(m.max_entries() == e.max_entries);
        CHECK(m.map_flags() == e.flags);
    }
}

std::vector<uint8_t> value_of(const Map& m, uint32_t key = 0) {
    uint8_t k[4];
    std::memcpy(k, &key, 4);
    std::vector<uint8_t> v(m.user_value_size());
    REQUIRE(const_cast<Map&>(m).lookup_user(k, v) == 0);
    return v;
}

uint32_t u32_value(const Map& m, uint32_t key) {
    auto v = value_of(m, key);
    uint32_t out;
    std::memcpy(&out, v.data(), 4);
    return out;
}

// The decoded lddw at `pc` and the value it loads.
uint64_t lddw_value(const LoadedProgram& p, uint32_t pc) {
    REQUIRE(pc < p.program.insns.size());
    REQUIRE(p.program.insns[pc].op == Op::Lddw);
    return uint64_t(p.program.insns[pc].imm);
}

constexpr uint32_t kRdonlyMmapable = map_flag::kRdonlyProg | map_flag::kMmapable;

}  // namespace

TEST_CASE("examples: atomics") {
    auto obj = load_example("atomics");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"xdp_atomics", "xdp", ProgType::Xdp, 59, 59}});
    check_maps(*obj, {{"shared", MapType::Array, 4, 56, 1, 0}, {"atomics.bss", MapType::Array, 4, 64, 1, map_flag::kMmapable}});
    CHECK(obj->license == "GPL");
    CHECK(obj->programs[0].context == ContextKind::Xdp);
    CHECK(obj->map_info[0].origin == MapOrigin::BtfDefined);
    CHECK(obj->map_info[1].origin == MapOrigin::GlobalData);
    CHECK(obj->map_info[1].elf_section == ".bss");
}

TEST_CASE("examples: bpf2bpf_calls appends describe, port_class and verdict as libbpf does") {
    auto obj = load_example("bpf2bpf_calls");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"xdp_bpf2bpf", "xdp", ProgType::Xdp, 58, 82}});
    check_maps(*obj, {{"bpf2bpf_.bss", MapType::Array, 4, 16, 1, map_flag::kMmapable}});
    const LoadedProgram& p = obj->programs[0];
    // Depth first, like libbpf's reloc_code: describe (called first), then port_class (which
    // describe calls), then verdict.
    REQUIRE(p.functions.size() == 4);
    CHECK(p.functions[0].name == "xdp_bpf2bpf");
    CHECK(p.functions[1].name == "describe");
    CHECK(p.functions[1].first_insn == 58);
    CHECK(p.functions[1].insn_count == 7);
    CHECK(p.functions[2].name == "port_class");
    CHECK(p.functions[2].first_insn == 65);
    CHECK(p.functions[3].name == "verdict");
    CHECK(p.functions[3].first_insn == 73);
    CHECK(p.functions[3].insn_count == 9);
    // insn 41 was "call -1" against .text (describe), insn 45 "call 6" (verdict, .text insn 7).
    CHECK(p.insns[41].src == op::kPseudoCall);
    CHECK(p.insns[41].imm == 58 - 41 - 1);
    CHECK(p.insns[45].imm == 73 - 45 - 1);
    // describe's own call to port_class (pc-relative in .text, no relocation) now reaches the copy.
    CHECK(p.insns[58 + 5].opcode == (op::kJmp | op::kCall));
    CHECK(p.insns[58 + 5].imm == 65 - 63 - 1);
    REQUIRE(p.program.insns.size() == 82);
    CHECK(p.program.insns[41].op == Op::CallLocal);
    CHECK(p.program.insns[41].target == 58);
    CHECK(p.program.insns[45].target == 73);
    CHECK(p.program.insns[63].target == 65);
    // func_info follows the appended copies.
    REQUIRE(p.func_info.size() == 4);
    CHECK(p.func_info[0].insn == 0);
    CHECK(p.func_info[0].name == "xdp_bpf2bpf");
    CHECK(p.func_info[1].insn == 58);
    CHECK(p.func_info[1].name == "describe");
    CHECK(p.func_info[2].insn == 65);
    CHECK(p.func_info[2].name == "port_class");
    CHECK(p.func_info[3].insn == 73);
    CHECK(p.func_info[3].name == "verdict");
    // last_class (.bss + 12) and last_info (.bss + 0).
    const Map& bss = *obj->maps->get(0);
    CHECK(lddw_value(p, 46) == bss.value_address(0) + 12);
    CHECK(lddw_value(p, 49) == bss.value_address(0) + 0);
}

TEST_CASE("examples: global_vars has libbpf's four internal maps, with contents") {
    auto obj = load_example("global_vars");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"xdp_global_vars", "xdp", ProgType::Xdp, 56, 56}});
    check_maps(*obj, {{"global_v.rodata", MapType::Array, 4, 8, 1, kRdonlyMmapable},
                      {"global_v.data", MapType::Array, 4, 16, 1, map_flag::kMmapable},
                      {"global_v.bss", MapType::Array, 4, 16, 1, map_flag::kMmapable},
                      {".rodata.str1.1", MapType::Array, 4, 10, 1, map_flag::kRdonlyProg}});
    const MapSet& maps = *obj->maps;
    // const volatile __u32 min_len = 60, max_len = 1514.
    CHECK(value_of(*maps.get(0)) == std::vector<uint8_t>{0x3c, 0, 0, 0, 0xea, 0x05, 0, 0});
    // __u64 packets_seen = 100; char last_verdict[8] = "none".
    CHECK(value_of(*maps.get(1)) ==
          std::vector<uint8_t>{100, 0, 0, 0, 0, 0, 0, 0, 'n', 'o', 'n', 'e', 0, 0, 0, 0});
    CHECK(value_of(*maps.get(2)) == std::vector<uint8_t>(16, 0));
    CHECK(value_of(*maps.get(3)) == std::vector<uint8_t>{'d', 'r', 'o', 'p', 0, 'p', 'a', 's', 's', 0});
    // .rodata* is frozen: user space may no longer change it, and programs may only read it.
    CHECK(maps.get(0)->frozen());
    CHECK(maps.get(3)->frozen());
    CHECK_FALSE(maps.get(1)->frozen());
    const uint8_t key[4] = {0, 0, 0, 0};
    const uint8_t value[8] = {};
    CHECK(const_cast<Map*>(maps.get(0))->update_user(key, value) == -kerrno::kEPERM);
    Memory memory;
    obj->maps->map_into(memory);
    CHECK(memory.read_ptr(maps.get(0)->value_address(0), 4) != nullptr);
    CHECK(memory.write_ptr(maps.get(0)->value_address(0), 4) == nullptr);
    CHECK(memory.write_ptr(maps.get(1)->value_address(0), 8) != nullptr);
    // The value type of each internal map is its DATASEC, for printing.
    REQUIRE(obj->btf);
    CHECK(obj->btf->name(maps.get(0)->spec().btf_value_type_id) == ".rodata");
    CHECK(obj->btf->kind(maps.get(2)->spec().btf_value_type_id) == BtfKind::Datasec);
    CHECK(maps.get(3)->spec().btf_value_type_id == 0);  // clang emits no DATASEC for string literals

    // Relocations: insn 2 loads &packets_seen (.data + 0), 13 &last_len (.bss + 8), 16 &min_len
    // (.rodata + 0), 20 &max_len (.rodata + 4).
    const LoadedProgram& p = obj->programs[0];
    CHECK(p.insns[2].src == op::kPseudoMapValue);
    CHECK(p.insns[2].imm == 1);
    CHECK(p.insns[13].imm == 2);
    CHECK(p.insns[14].imm == 8);
    CHECK(p.insns[20].imm == 0);
    CHECK(p.insns[21].imm == 4);
    CHECK(lddw_value(p, 2) == maps.get(1)->value_address(0));
    CHECK(lddw_value(p, 13) == maps.get(2)->value_address(0) + 8);
    CHECK(lddw_value(p, 16) == maps.get(0)->value_address(0));
    CHECK(lddw_value(p, 20) == maps.get(0)->value_address(0) + 4);

    // line_info: `if (len < min_len || len > max_len) {` is line 37; insn 16 starts its
    // column-12 part, and clang embedded that line's text.
    const SourceLine* line = p.line_for(16);
    REQUIRE(line != nullptr);
    CHECK(line->insn == 16);
    CHECK(line->file == "./examples/global_vars.c");
    CHECK(line->line == 37);
    CHECK(line->column == 12);
    CHECK(line->text.find("if (len < min_len || len > max_len) {") != std::string::npos);
    CHECK(p.line_for(17) == line);  // the lddw's second slot
    REQUIRE(p.line_info.size() == 14);
    CHECK(p.line_info.back().insn == 55);
    CHECK(p.line_info.back().line == 44);
}

TEST_CASE("examples: kprobe_regs is a kprobe on do_sys_openat2") {
    auto obj = load_example("kprobe_regs");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"trace_openat2", "kprobe/do_sys_openat2", ProgType::Kprobe, 51, 51}});
    check_maps(*obj, {{"last_open", MapType::Hash, 4, 104, 1024, 0},
                      {"kprobe_r.rodata", MapType::Array, 4, 27, 1, map_flag::kRdonlyProg}});
    const LoadedProgram& p = obj->programs[0];
    CHECK(p.context == ContextKind::PtRegs);
    CHECK(p.attach_target == "do_sys_openat2");
    const MapSpec& spec = obj->maps->get(0)->spec();
    CHECK(obj->btf->type_to_string(spec.btf_key_type_id) == "__u32");
    CHECK(obj->btf->type_to_string(spec.btf_value_type_id) == "struct open_event");
    // insn 34 loads the bpf_printk format (.rodata + 0), insn 45 the map.
    CHECK(lddw_value(p, 34) == obj->maps->get(1)->value_address(0));
    CHECK(lddw_value(p, 45) == obj->maps->get(0)->handle());
    CHECK(p.insns[45].src == op::kPseudoMapFd);
    CHECK(p.insns[45].imm == 0);
}

TEST_CASE("examples: socket_filter") {
    LoadOptions options;
    options.object_name = "socket_filter.o";
    options.decode_programs = false;  // see below
    auto obj = load_object(example_bytes("socket_filter"), options);
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"socket_filter", "socket", ProgType::SocketFilter, 70, 70}});
    check_maps(*obj, {{"seen", MapType::Array, 4, 8, 4, 0}});
    CHECK(obj->programs[0].context == ContextKind::SkBuff);
    for (uint32_t pc : {27u, 41u, 53u, 65u}) {
        CHECK(obj->programs[0].insns[pc].src == op::kPseudoMapFd);
        CHECK(obj->programs[0].insns[pc].imm == 0);
    }
    // The program uses LD_ABS (load_byte): the loader enables classic packet loads for socket
    // filters, so it decodes, and the decoded program holds them.
    auto decoded = load_example("socket_filter");
    REQUIRE_MESSAGE(decoded, (decoded ? "" : decoded.error().to_string()));
    bool has_ld_abs = false;
    for (const DecodedInsn& d : decoded->programs[0].program.insns) has_ld_abs |= d.op == Op::LdAbsB;
    CHECK(has_ld_abs);
}

TEST_CASE("examples: tc_classifier") {
    auto obj = load_example("tc_classifier");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"tc_classifier", "tc", ProgType::SchedCls, 43, 43}});
    check_maps(*obj, {{"tc_class.bss", MapType::Array, 4, 8, 1, map_flag::kMmapable}});
    CHECK(obj->programs[0].context == ContextKind::SkBuff);
}

TEST_CASE("examples: trace_printk") {
    auto obj = load_example("trace_printk");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"xdp_trace_printk", "xdp", ProgType::Xdp, 73, 73}});
    check_maps(*obj, {{"trace_pr.rodata", MapType::Array, 4, 103, 1, map_flag::kRdonlyProg},
                      {".rodata.str1.1", MapType::Array, 4, 5, 1, map_flag::kRdonlyProg}});
    // The format strings: the first begins "len=%llu".
    auto rodata = value_of(*obj->maps->get(0));
    CHECK(std::string(rodata.begin(), rodata.begin() + 8) == "len=%llu");
}

TEST_CASE("examples: the XDP packet examples") {
    struct Case {
        const char* name;
        ExpectedProgram program;
        ExpectedMap map;
    };
    const Case cases[] = {
        {"xdp_drop_port", {"xdp_drop_port", "xdp", ProgType::Xdp, 58, 58}, {"xdp_drop.rodata", MapType::Array, 4, 2, 1, kRdonlyMmapable}},
        {"xdp_ipv4_checksum", {"xdp_ipv4_checksum", "xdp", ProgType::Xdp, 65, 65}, {"xdp_ipv4.bss", MapType::Array, 4, 8, 1, map_flag::kMmapable}},
        {"xdp_lru_conntrack", {"xdp_lru_conntrack", "xdp", ProgType::Xdp, 67, 67}, {"flows", MapType::LruHash, 16, 16, 4, 0}},
        {"xdp_percpu_stats", {"xdp_percpu_stats", "xdp", ProgType::Xdp, 41, 41}, {"stats", MapType::PercpuArray, 4, 32, 1, 0}},
        {"xdp_proto_count", {"xdp_proto_count", "xdp", ProgType::Xdp, 53, 53}, {"proto_stats", MapType::Hash, 4, 16, 32, 0}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        auto obj = load_example(c.name);
        REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
        check_programs(*obj, {c.program});
        check_maps(*obj, {c.map});
        CHECK(obj->license == "GPL");
    }
    // blocked_port = 8080 in .rodata.
    auto drop = load_example("xdp_drop_port");
    REQUIRE(drop);
    CHECK(value_of(*drop->maps->get(0)) == std::vector<uint8_t>{0x90, 0x1f});
}

TEST_CASE("examples: xdp_map_in_map fills the outer map from `values`") {
    auto obj = load_example("xdp_map_in_map");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"xdp_map_in_map", "xdp", ProgType::Xdp, 52, 52}});
    check_maps(*obj, {{"v4_counts", MapType::Hash, 4, 8, 16, 0},
                      {"v6_counts", MapType::Hash, 4, 8, 16, 0},
                      {"by_version", MapType::ArrayOfMaps, 4, 4, 2, 0}});
    const Map& outer = *obj->maps->get(2);
    REQUIRE(outer.spec().inner);
    CHECK(outer.spec().inner->name == "by_version.inner");
    CHECK(outer.spec().inner->type == MapType::Hash);
    CHECK(outer.spec().inner->key_size == 4);
    CHECK(outer.spec().inner->value_size == 8);
    CHECK(outer.spec().inner->max_entries == 16);
    CHECK(u32_value(outer, 0) == 0);  // v4_counts' id
    CHECK(u32_value(outer, 1) == 1);  // v6_counts'
    REQUIRE(obj->map_info[2].init_slots.size() == 2);
    CHECK(obj->map_info[2].init_slots[1].target == "v6_counts");
    // insn 30 loads the outer map.
    CHECK(lddw_value(obj->programs[0], 30) == outer.handle());
}

TEST_CASE("examples: xdp_ringbuf") {
    auto obj = load_example("xdp_ringbuf");
    if (!obj) {
        // The map layer does not implement ring buffers yet; the loader names the map.
        MESSAGE("xdp_ringbuf: " << obj.error().what);
        CHECK(obj.error().where.section == ".maps");
        CHECK(obj.error().where.map == "events");
        CHECK(obj.error().what.find("ringbuf") != std::string::npos);
        return;
    }
    check_programs(*obj, {{"xdp_ringbuf", "xdp", ProgType::Xdp, 72, 72}});
    check_maps(*obj, {{"events", MapType::Ringbuf, 0, 0, 4096, 0},
                      {"xdp_ring.bss", MapType::Array, 4, 8, 1, map_flag::kMmapable}});
}

TEST_CASE("examples: xdp_tail_call stores program indexes in jmp_table") {
    auto obj = load_example("xdp_tail_call");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    check_programs(*obj, {{"handle_tcp", "xdp", ProgType::Xdp, 12, 12},
                          {"handle_udp", "xdp", ProgType::Xdp, 12, 12},
                          {"handle_icmp", "xdp", ProgType::Xdp, 93, 93},
                          {"xdp_dispatcher", "xdp", ProgType::Xdp, 26, 26}});
    check_maps(*obj, {{"jmp_table", MapType::ProgArray, 4, 4, 256, 0}, {"hits", MapType::Array, 4, 8, 4, 0}});
    CHECK(obj->programs[2].section_insn_offset == 24);
    CHECK(obj->programs[3].section_insn_offset == 117);
    const Map& table = *obj->maps->get(0);
    CHECK(u32_value(table, 6) == 0);   // IPPROTO_TCP -> handle_tcp
    CHECK(u32_value(table, 17) == 1);  // IPPROTO_UDP -> handle_udp
    CHECK(u32_value(table, 1) == 2);   // IPPROTO_ICMP -> handle_icmp
    uint8_t key[4] = {47, 0, 0, 0}, value[4];
    CHECK(const_cast<Map&>(table).lookup_user(key, value) == -kerrno::kENOENT);
    // The dispatcher's lddw at its insn 11 (section insn 128) loads jmp_table; handle_tcp's at 4 hits.
    CHECK(lddw_value(obj->programs[3], 11) == table.handle());
    CHECK(lddw_value(obj->programs[0], 4) == obj->maps->get(1)->handle());
    CHECK(obj->find_program("handle_icmp") == &obj->programs[2]);
    CHECK(obj->find_program("nope") == nullptr);
}

TEST_CASE("examples: info() summarizes programs, maps and sections") {
    auto obj = load_example("xdp_tail_call");
    REQUIRE(obj);
    const std::string info = obj->info();
    CHECK(info.find("object \"xdp_tail_call\"") != std::string::npos);
    CHECK(info.find("license: \"GPL\"") != std::string::npos);
    CHECK(info.find("3: xdp_dispatcher  section \"xdp\"  type xdp  26 insns") != std::string::npos);
    CHECK(info.find("0: jmp_table  prog_array  key 4B  value 4B  max_entries 256") != std::string::npos);
    CHECK(info.find("[6] = handle_tcp") != std::string::npos);
    CHECK(info.find(".BTF.ext") != std::string::npos);
}
