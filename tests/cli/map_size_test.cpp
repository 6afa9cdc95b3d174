// --map-size NAME=N and the host JSON's "map_sizes": max_entries set before load, as
// bpf_map__set_max_entries() does (tests/loader/fixtures/sized_maps.c leaves "flows" at 0).
#include <doctest/doctest.h>

#include <string>

#include "process.hpp"

using namespace bpfplay::test;

namespace {

std::string sized_maps() { return std::string(BPFPLAY_SOURCE_DIR) + "/tests/loader/fixtures/sized_maps.o"; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("info --map-size shows the size set and the note; without it the default and how to set it") {
    auto r = run_bpfvm({"info", sized_maps(), "--map-size", "flows=3"});
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "  0: flows  hash  key 4B  value 8B  max_entries 3  from .maps\n"));
    CHECK(has(r.out, "  - map \"flows\": max_entries 3 set by the user (the object says 0)\n"));
    auto d = run_bpfvm({"info", sized_maps()});
    CHECK(has(d.out, "  0: flows  hash  key 4B  value 8B  max_entries 1024  from .maps\n"));
    CHECK(has(d.out, "  - map \"flows\" has max_entries 0 in the object (its loader sizes it before loading): "
                     "created with 1024 entries; set it with --map-size flows=N or the host JSON's \"map_sizes\"\n"));
}

// A 1-entry "flows" holds the program's key 1, so a second run's update of it works; the
// map's size shows in how many entries `run` may add: --map-init fills it first.
TEST_CASE("run --map-size sets a map's max_entries; the host JSON's map_sizes too, --map-size wins") {
    TempFile init(R"({"flows": [{"key": "02000000", "value": "0500000000000000"}]})", ".json");
    // flows holds 1 entry: key 2 from --map-init fills it, so the program's update of key 1 fails.
    auto r = run_bpfvm({"run", sized_maps(), "--map-size", "flows=1", "--map-init", init.path()});
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "map flows (hash map \"flows\"): 1 entry\n  2 => 5\n"));
    auto big = run_bpfvm({"run", sized_maps(), "--map-size", "flows=2", "--map-init", init.path()});
    CHECK(has(big.out, "map flows (hash map \"flows\"): 2 entries\n"));

    TempFile one(R"({"map_sizes": {"flows": 1}})", ".json");
    auto j = run_bpfvm({"run", sized_maps(), "--host", one.path(), "--map-init", init.path()});
    CHECK(j.exit_code == 0);
    CHECK(has(j.out, "map flows (hash map \"flows\"): 1 entry\n"));
    auto both = run_bpfvm({"run", sized_maps(), "--host", one.path(), "--map-size", "flows=2", "--map-init", init.path()});
    CHECK(has(both.out, "map flows (hash map \"flows\"): 2 entries\n"));
}

TEST_CASE("run --map-size refuses what is not NAME=N with N from 1") {
    for (const char* bad : {"flows", "flows=0", "=5", "flows=x", "flows=4294967296"}) {
        auto r = run_bpfvm({"run", sized_maps(), "--map-size", bad});
        CHECK(r.exit_code == 2);
        CHECK(r.err == std::string("bpfvm: run: --map-size takes NAME=N with N from 1 to 4294967295 (the map's "
                                   "max_entries), not '") + bad + "'\nTry 'bpfvm --help'.\n");
    }
}
