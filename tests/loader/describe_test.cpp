// describe_object: what can be told of an object program by program and map by map, also when
// the object as a whole does not load; choose_entry_program: where a run starts.
#include <doctest/doctest.h>

#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

ObjectDescription describe_fixture(const char* name) {
    LoadOptions options;
    options.object_name = std::string(name) + ".o";
    options.helpers = &all_helpers();
    return describe_object(fixture_bytes(name), options);
}

} // namespace

TEST_CASE("describe: a program the verifier refuses and one calling a missing helper keep their own errors") {
    const ObjectDescription d = describe_fixture("refused_sibling");
    CHECK_FALSE(d.error);
    const LoadedObject& o = d.object;
    REQUIRE(o.programs.size() == 3);
    CHECK(o.programs[0].name == "count_packets");
    CHECK_FALSE(o.programs[0].load_error);
    CHECK(o.programs[0].program.insns.size() == 13);

    REQUIRE(o.programs[1].load_error);
    const Error& missing = *o.programs[1].load_error;
    CHECK(missing.kind == ErrorKind::Helper);
    CHECK(missing.where.section == "fentry/do_sys_openat2");
    CHECK(missing.where.pc == 0u);
    CHECK(missing.where.source == "./tests/loader/fixtures/refused_sibling.c:29");
    CHECK(missing.what == "kfunc bpf_cpumask_create is not available here.");
    CHECK(missing.hint == "bpfplay does not implement it yet; the object's other programs load and run.");

    REQUIRE(o.programs[2].load_error);
    const Error& refused = *o.programs[2].load_error;
    CHECK(refused.kind == ErrorKind::Verify);
    CHECK(refused.where.section == "socket");
    CHECK(refused.where.pc == 2u);
    CHECK(refused.where.source == "./tests/loader/fixtures/refused_sibling.c:36");
    CHECK(refused.what == "program of type socket_filter cannot use helper bpf_redirect#23");
    CHECK(refused.hint == "The kernel's verifier refuses the call. bpf_redirect is available to sched_cls, "
                          "sched_act, xdp and lwt_xmit programs.");
    // load_object gives the same object: a refused program does not fail it.
    LoadOptions options;
    options.object_name = "refused_sibling.o";
    options.helpers = &all_helpers();
    auto loaded = load_object(fixture_bytes("refused_sibling"), options);
    REQUIRE(loaded);
    CHECK(loaded->programs[2].load_error->what == refused.what);
}

TEST_CASE("describe: the status line of each program names its insn, C line, reason and hint") {
    const ObjectDescription d = describe_fixture("refused_sibling");
    CHECK(program_status_text(d.object.programs[0], true) == "runnable");
    CHECK(program_status_text(d.object.programs[1], true) ==
          "cannot run: insn 0 (./tests/loader/fixtures/refused_sibling.c:29): kfunc bpf_cpumask_create is not "
          "available here. bpfplay does not implement it yet; the object's other programs load and run.");
    CHECK(program_status_text(d.object.programs[0], false) == "cannot run: the object does not load");
}

TEST_CASE(
    "describe: a map the kernel refuses fails the object, and the description keeps every map and program") {
    const ObjectDescription d = describe_fixture("bad_map");
    REQUIRE(d.error);
    CHECK(d.error->kind == ErrorKind::Load);
    CHECK(d.error->where.section == ".maps");
    CHECK(d.error->where.map == "empty");
    CHECK(d.error->what ==
          "cannot create map \"empty\": -EINVAL: array map \"empty\" has key_size 8, but array keys are "
          "u32 indexes: key_size must be 4");
    const LoadedObject& o = d.object;
    CHECK(o.name == "bad_map");
    CHECK(o.license == "GPL");
    CHECK(o.sections.size() == 26);
    REQUIRE(o.map_info.size() == 2);
    CHECK(o.map_info[0].spec.name == "good");
    CHECK(o.map_info[0].spec.type == MapType::Hash);
    CHECK_FALSE(o.map_info[0].error);
    CHECK(o.map_info[1].spec.name == "empty");
    CHECK(o.map_info[1].spec.key_size == 8u);
    REQUIRE(o.map_info[1].error);
    CHECK(o.map_info[1].error->what == d.error->what);
    REQUIRE(o.maps);
    CHECK(o.maps->size() == 1); // "good" was created before "empty" failed
    REQUIRE(o.programs.size() == 1);
    CHECK(o.programs[0].name == "uses_maps");
    CHECK_FALSE(o.programs[0].load_error); // the object's error, not its own
    // load_object refuses the same object with the same error, as libbpf's bpf_object__load does.
    auto loaded = load(fixture_bytes("bad_map"), "bad_map.o");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().what == d.error->what);
}

TEST_CASE("describe: a relocation error before linking still lists the programs, by section") {
    const ObjectDescription d = describe_fixture("cross_call");
    REQUIRE(d.error);
    CHECK(d.error->where.section == "xdp.frags");
    REQUIRE(d.object.programs.size() == 2);
    const LoadedProgram* caller = d.object.find_program("caller_prog");
    REQUIRE(caller);
    CHECK(caller->section == "xdp.frags");
    CHECK(caller->type == ProgType::Xdp);
    CHECK(caller->insns.empty());
    CHECK(caller->own_insn_count > 0u);
    CHECK_FALSE(caller->load_error);
}

TEST_CASE("describe: a program that does not link keeps the linker's error; the ones before it are linked") {
    LoadOptions options;
    options.object_name = "linking.o";
    options.helpers = &all_helpers();
    options.max_linked_insns = 50; // the first program (43 insns) fits, the second (16) does not
    const ObjectDescription d = describe_object(fixture_bytes("linking"), options);
    REQUIRE(d.error);
    CHECK(d.error->where.section == "tc");
    REQUIRE(d.object.programs.size() >= 2);
    CHECK_FALSE(d.object.programs[0].load_error);
    CHECK(d.object.programs[0].insns.size() == 43);
    REQUIRE(d.object.programs[1].load_error);
    CHECK(d.object.programs[1].load_error->what == d.error->what);
    CHECK(d.object.programs[1].section == "tc");
    CHECK(d.object.programs[1].insns.empty());
}

TEST_CASE("describe: bytes that are not ELF give the error and an empty object") {
    const std::vector<uint8_t> bytes = {'n', 'o', 't', ' ', 'e', 'l', 'f'};
    const ObjectDescription d = describe_object(bytes, LoadOptions{});
    REQUIRE(d.error);
    CHECK(d.object.programs.empty());
    CHECK(d.object.sections.empty());
}

TEST_CASE("the entry program is the first that can run, skipping refused programs") {
    const ObjectDescription d = describe_fixture("refused_sibling");
    LoadedObject& o = const_cast<LoadedObject&>(d.object);
    EntryChoice c = choose_entry_program(o);
    REQUIRE(c.program);
    CHECK(c.program->name == "count_packets");
    CHECK_FALSE(c.passed_tail_call_targets);
    REQUIRE(c.refused.size() == 2);
    CHECK(c.refused[0]->name == "signal_opener");
    CHECK(c.refused[1]->name == "redirect_socket");
    // With the first one refused too, none can run.
    o.programs[0].load_error = make_error(ErrorKind::Verify, "refused");
    c = choose_entry_program(o);
    CHECK(c.program == nullptr);
    CHECK(c.refused.size() == 3);
}

TEST_CASE("the entry program passes over tail-call targets a prog_array holds") {
    auto o = load_example("xdp_tail_call");
    REQUIRE(o);
    const EntryChoice c = choose_entry_program(*o);
    REQUIRE(c.program);
    CHECK(c.program->name == "xdp_dispatcher");
    CHECK(c.passed_tail_call_targets);
    CHECK(c.refused.empty());
}
