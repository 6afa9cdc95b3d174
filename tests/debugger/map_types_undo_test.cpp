// Reverse execution over the queue/stack, bloom filter and LPM trie examples at the runs that
// change them most: pushes into full maps (BPF_EXIST dropping the oldest, -E2BIG), pops, a
// bloom filter's false positive. Earlier packets of the case run first (plain runs), so the
// debugged run starts from the maps the kernel case had at that point.
#include <doctest/doctest.h>

#include "core/maps/map_set.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

// The case's object with packets 0..n-1 already run, and a debug session on packet n.
Debugged open_at_packet(const std::string& label, size_t n) {
    const examples::ExampleCase& c = find_case(label);
    Debugged d;
    bool loaded = false;
    d.object = examples::open_emulator_session(c, d.error, loaded);
    REQUIRE_MESSAGE(d.object, d.error);
    for (size_t i = 0; i < n; ++i) {
        RunInput in;
        in.packet = c.packets.at(i);
        const RunResult r = d.object->run(c.program, in);
        REQUIRE(r.status == RunStatus::Exited);
    }
    RunInput in;
    in.packet = c.packets.at(n);
    auto s = DebugSession::open(*d.object, c.program, in);
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
    d.session = std::move(s).value();
    return d;
}

const MapView& map_view(const DebugState& st, const std::string& name) {
    for (const MapView& m : st.maps)
        if (m.name == name) return m;
    FAIL("no map " << name);
    return st.maps.front();
}

} // namespace

TEST_CASE("stepping back over pushes into a full queue and a full stack restores both") {
    // xdp_queue_stack/overflow: the 4th UDP length (90) meets maps already holding 60 70 80.
    Debugged d = open_at_packet("xdp_queue_stack/overflow", 3);
    DebugSession& s = *d.session;
    const DebugState before = s.state();
    CHECK(map_view(before, "fifo").entries.size() == 3);
    const std::vector<std::string> forward = fingerprints_to_end(s);
    CHECK(s.status() == RunStatus::Exited);
    const DebugState after = s.state();
    // The queue dropped its oldest (60) for 90; the stack refused 90.
    const MapView& fifo = map_view(after, "fifo");
    REQUIRE(fifo.entries.size() == 3);
    CHECK(fifo.entries[0].values_json[0] == "70");
    CHECK(fifo.entries[2].values_json[0] == "90");
    CHECK(fifo.entries[2].label == "#2 (back: pushed last)");
    const MapView& lifo = map_view(after, "lifo");
    REQUIRE(lifo.entries.size() == 3);
    CHECK(lifo.entries[0].values_json[0] == "80");
    CHECK(lifo.entries[0].label == "#0 (top: popped next)");
    require_same_states_back(s, forward);
    CHECK(map_view(s.state(), "fifo").entries[0].values_json[0] == "60");
}

TEST_CASE("stepping back over pops restores the popped values") {
    // xdp_queue_stack/push_then_pop: the first TCP packet pops 60 from the queue, 70 from the stack.
    Debugged d = open_at_packet("xdp_queue_stack/push_then_pop", 2);
    DebugSession& s = *d.session;
    const std::vector<std::string> forward = fingerprints_to_end(s);
    CHECK(map_view(s.state(), "fifo").entries.size() == 1);
    CHECK(map_view(s.state(), "lifo").entries.size() == 1);
    require_same_states_back(s, forward);
    CHECK(map_view(s.state(), "fifo").entries.size() == 2);
    CHECK(map_view(s.state(), "lifo").entries.size() == 2);
}

TEST_CASE("stepping back over a bloom filter's false positive") {
    // xdp_bloom_filter/false_positives: the kernel dropped the 12th new source (returns[11] = 1).
    const examples::ExampleCase& c = find_case("xdp_bloom_filter/false_positives");
    REQUIRE(c.kernel.get("returns").at(11)->as_uint64() == 1u);
    Debugged d = open_at_packet("xdp_bloom_filter/false_positives", 11);
    DebugSession& s = *d.session;
    const std::string bits_before = map_view(s.state(), "seen").summary;
    const std::vector<std::string> forward = fingerprints_to_end(s);
    CHECK(s.vm().result() == 1); // XDP_DROP: "maybe seen", but the exact table says new
    CHECK(map_view(s.state(), "seen").summary == bits_before); // nothing pushed
    CHECK(map_view(s.state(), "sources").count == 12);
    require_same_states_back(s, forward);
    CHECK(map_view(s.state(), "sources").count == 11);
}

TEST_CASE("an LPM trie's entries are labelled as prefixes in the state view") {
    Debugged d = open_case(find_case("xdp_lpm_router/mixed"));
    REQUIRE_MESSAGE(d.session, d.error);
    d.session->cont();
    const DebugState st = d.session->state();
    const MapView& routes = map_view(st, "routes");
    REQUIRE(routes.entries.size() == 5);
    CHECK(routes.entries[0].label == "10.1.2.0/24"); // the most specific first, as get_next_key
    CHECK(routes.entries[4].label == "192.168.0.0/16");
    CHECK(routes.summary.empty());
}

} // namespace bpfplay::testing
