// run_map_command (core/debugger/map_command.hpp): bpf(2)'s map commands from user space on a
// debug session's maps, with the kernel's return values.
#include <doctest/doctest.h>

#include "core/debugger/map_command.hpp"
#include "core/json/json_writer.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

MapCommandResult ok(DebugSession& s, std::string_view line) {
    auto r = run_map_command(s, line);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    return std::move(*r);
}

std::string error_of(DebugSession& s, std::string_view line) {
    auto r = run_map_command(s, line);
    REQUIRE_FALSE(r.ok());
    return r.error().what;
}

}  // namespace

TEST_CASE("map commands on a hash map: update, lookup, getnext, dump, batches, freeze") {
    Debugged d = open_case(find_case("xdp_proto_count/mixed_protocols"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    MapCommandResult r = ok(s, "update proto_stats 11000000 64000000000000000a00000000000000");
    CHECK(r.ret == 0);
    CHECK(r.changed);
    CHECK(r.lines == std::vector<std::string>{"update: 0"});
    CHECK(ok(s, "update proto_stats 11000000 01000000000000000100000000000000 noexist").lines ==
          std::vector<std::string>{"update: -EEXIST (the key is already there: BPF_NOEXIST)"});
    CHECK(ok(s, "update proto_stats 06000000 01000000000000000100000000000000 exist").ret == -2);
    REQUIRE(ok(s, "update proto_stats 06000000 02000000000000002000000000000000").ret == 0);
    CHECK(ok(s, "lookup proto_stats 11000000").lines ==
          std::vector<std::string>{"lookup: 0", "key: 11 00 00 00  value: 64 00 00 00 00 00 00 00 0a 00 00 00 00 00 00 00"});
    CHECK(ok(s, "lookup proto_stats 01000000").lines ==
          std::vector<std::string>{"lookup: -ENOENT (no such entry; or the end of the walk)"});
    CHECK(ok(s, "getnext proto_stats").lines == std::vector<std::string>{"getnext: 0", "next key: 11 00 00 00"});
    CHECK(ok(s, "getnext proto_stats 11000000").lines == std::vector<std::string>{"getnext: 0", "next key: 06 00 00 00"});
    CHECK(ok(s, "getnext proto_stats 06000000").ret == -2);
    CHECK(ok(s, "dump proto_stats").lines.front() == "dump: 2 entries");
    // 32 entries: 32 buckets, keys 17 and 6 in the buckets jhash2 with seed 0 gives them.
    MapCommandResult batch = ok(s, "lookup_batch proto_stats 8");
    CHECK(batch.ret == -2);
    CHECK(batch.lines.size() == 4);
    CHECK(batch.lines[1] == "count: 2  out_batch: 20000000");
    CHECK_FALSE(batch.changed);
    CHECK(ok(s, "delete_batch proto_stats 06000000 07000000").lines ==
          std::vector<std::string>{"delete_batch: -ENOENT (no such entry; or the end of the walk)", "count: 1"});
    CHECK(ok(s, "update_batch proto_stats 01000000 01000000000000000100000000000000 02000000 02000000000000000200000000000000")
              .lines == std::vector<std::string>{"update_batch: 0", "count: 2"});
    CHECK(ok(s, "lookup_and_delete_batch proto_stats 8").lines[1] == "count: 3  out_batch: 20000000");
    CHECK(ok(s, "dump proto_stats").lines == std::vector<std::string>{"dump: 0 entries"});
    CHECK(ok(s, "freeze proto_stats").ret == 0);
    CHECK(ok(s, "update proto_stats 01000000 01000000000000000100000000000000").lines ==
          std::vector<std::string>{"update: -EPERM (the map is frozen or read-only for user space)"});
    CHECK(ok(s, "lookup_batch proto_stats 8").ret == -2);  // reading stays allowed
    // Frozen, the map is no longer writable from user space: a second freeze is -EPERM (6.18).
    JsonWriter w;
    to_json(w, ok(s, "freeze proto_stats"));
    CHECK(w.text() ==
          R"j({"ret":-1,"errno":"-EPERM","lines":["freeze: -EPERM (the map is frozen or read-only for user space)"],"changed":false})j");
}

TEST_CASE("map commands on a queue and a stack: push, peek, pop; a change forgets the history") {
    Debugged d = open_case(find_case("xdp_queue_stack/push_then_pop"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    s.step();
    s.step();
    REQUIRE(s.history_start() == 0);
    CHECK(ok(s, "push fifo 01000000").ret == 0);
    CHECK(s.history_start() == 2);  // stepping back stops at the edit
    CHECK(ok(s, "push fifo 02000000").ret == 0);
    CHECK(ok(s, "push fifo 03000000").ret == 0);
    CHECK(ok(s, "push fifo 04000000").lines == std::vector<std::string>{"push: -E2BIG (the map is full, or the index is past max_entries)"});
    CHECK(ok(s, "push fifo 04000000 exist").ret == 0);  // drops the oldest
    CHECK(ok(s, "peek fifo").lines == std::vector<std::string>{"peek: 0", "value: 02 00 00 00"});
    CHECK(ok(s, "pop fifo").lines == std::vector<std::string>{"pop: 0", "value: 02 00 00 00"});
    CHECK(ok(s, "push lifo 07000000").ret == 0);
    CHECK(ok(s, "push lifo 08000000").ret == 0);
    CHECK(ok(s, "pop lifo").lines == std::vector<std::string>{"pop: 0", "value: 08 00 00 00"});
    CHECK(ok(s, "lookup_batch fifo 2").lines == std::vector<std::string>{"lookup_batch: -ENOTSUPP (this map type has no such command)"});
    CHECK(ok(s, "lookup_batch stats 2").lines ==
          std::vector<std::string>{"lookup_batch: 0", "count: 2  out_batch: 01000000",
                                   "key: 00 00 00 00  value: 00 00 00 00 00 00 00 00",
                                   "key: 01 00 00 00  value: 00 00 00 00 00 00 00 00"});
}

TEST_CASE("map commands refuse what bpf(2) could not be asked, naming it") {
    Debugged d = open_case(find_case("xdp_proto_count/mixed_protocols"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    CHECK(error_of(s, "lookup") == "a map command names a command and a map: lookup MAP KEY");
    CHECK(error_of(s, "lookup nosuch 00") == "the object has no map named \"nosuch\"");
    CHECK(error_of(s, "frob proto_stats") == "\"frob\" is not a map command");
    CHECK(error_of(s, "lookup proto_stats 0100") == "KEY is 2 bytes; map proto_stats takes 4");
    CHECK(error_of(s, "lookup proto_stats zz").starts_with("KEY: hex bytes: 'z' is not a hex digit"));
    CHECK(error_of(s, "update proto_stats 01000000 00") == "VALUE is 1 bytes; map proto_stats takes 16");
    CHECK(error_of(s, "update proto_stats 01000000 01000000000000000100000000000000 maybe") ==
          "update's flag is any, noexist or exist, not \"maybe\"");
    CHECK(error_of(s, "lookup_batch proto_stats -1") == "COUNT is a number of entries, not \"-1\"");
    CHECK(error_of(s, "update_batch proto_stats 01000000") == "update_batch takes pairs of KEY VALUE");
    CHECK(error_of(s, "lookup proto_stats 01000000 extra") == "unexpected \"extra\"");
}

}  // namespace bpfplay::testing
