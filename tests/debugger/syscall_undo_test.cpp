// Reverse execution over the helpers of syscall programs: a map bpf_sys_bpf created leaves the
// MapSet and the Vm's memory again, fds come back or go away, and a map it updated or froze
// by fd is as it was.
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/map_set.hpp"
#include "core/run/sys_bpf.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

constexpr uint64_t kCtx = window_base(window::kContext);

void put32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
    std::memcpy(&b[off], &v, 4);
}
void put64(std::vector<uint8_t>& b, size_t off, uint64_t v) {
    std::memcpy(&b[off], &v, 8);
}

// Creates an array map (attr at 0), stores its fd into the update (256) and freeze (512)
// attrs, sets key 1 to 42, freezes the map and closes the fd.
const char* const kProgram = R"(
    r6 = r1
    r1 = 0
    r2 = r6
    r3 = 168
    call bpf_sys_bpf
    *(u32 *)(r6 + 256) = r0
    *(u32 *)(r6 + 512) = r0
    *(u64 *)(r6 + 1024) = r0
    r1 = 2
    r2 = r6
    r2 += 256
    r3 = 168
    call bpf_sys_bpf
    r1 = 22
    r2 = r6
    r2 += 512
    r3 = 168
    call bpf_sys_bpf
    r1 = *(u32 *)(r6 + 1024)
    call bpf_sys_close
    r0 = 0
    exit
)";

std::vector<uint8_t> context() {
    std::vector<uint8_t> c(2048, 0);
    put32(c, 0, 2); // BPF_MAP_TYPE_ARRAY, key 4, value 8, 4 entries, "made"
    put32(c, 4, 4);
    put32(c, 8, 8);
    put32(c, 12, 4);
    std::memcpy(&c[28], "made", 5);
    put64(c, 256 + 8, kCtx + 1600); // key 1, value 42
    put64(c, 256 + 16, kCtx + 1608);
    put32(c, 1600, 1);
    put64(c, 1608, 42);
    return c;
}

struct Opened {
    std::unique_ptr<ObjectSession> object;
    std::unique_ptr<DebugSession> session;
};

Opened open() {
    Opened o;
    auto s = ObjectSession::open_assembly(kProgram, "syscall");
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().to_string()));
    o.object = std::move(s).value();
    RunInput in;
    in.ctx = context();
    auto d = DebugSession::open(*o.object, "asm", in);
    REQUIRE_MESSAGE(d.ok(), (d.ok() ? "" : d.error().to_string()));
    o.session = std::move(d).value();
    return o;
}

} // namespace

TEST_CASE("stepping back over bpf_sys_bpf and bpf_sys_close restores every state on the way") {
    Opened o = open();
    const BpfProcess before = o.object->process();
    const std::vector<std::string> forward = fingerprints_to_end(*o.session);
    REQUIRE(o.session->status() == RunStatus::Exited);
    const MapSet& maps = *o.object->object().maps;
    REQUIRE(maps.size() == 1u);
    CHECK(maps.get(0)->frozen());
    CHECK(maps.get(0)->entries()[1].values[0] == std::vector<uint8_t>{42, 0, 0, 0, 0, 0, 0, 0});
    CHECK(o.object->process().fds.get(4) == nullptr); // closed again
    require_same_states_back(*o.session, forward);
    CHECK(maps.size() == 0u);
    CHECK(o.object->process() == before);
}

TEST_CASE("stepping back over the bpf_sys_bpf that created a map removes the map, its window and its fd") {
    Opened o = open();
    DebugSession& s = *o.session;
    for (int i = 0; i < 5; ++i)
        s.step(); // through the BPF_MAP_CREATE call
    const MapSet& maps = *o.object->object().maps;
    REQUIRE(maps.size() == 1u);
    const uint32_t window = *maps.window_of(0);
    CHECK(s.vm().memory().region(window).name == "made");
    REQUIRE(o.object->process().fds.get(4) != nullptr);
    s.step_back();
    CHECK(maps.size() == 0u);
    CHECK(s.vm().memory().region(window).kind == RegionKind::None);
    CHECK(o.object->process().fds.get(4) == nullptr);
    s.step(); // forward again: the same fd and window
    CHECK(s.vm().reg(0) == 4u);
    CHECK(*maps.window_of(0) == window);
}

TEST_CASE("restarting a debug session drops the maps the run created and reopens the fd table") {
    Opened o = open();
    const BpfProcess before = o.object->process();
    o.session->cont();
    REQUIRE(o.object->object().maps->size() == 1u);
    o.session->reset();
    CHECK(o.object->object().maps->size() == 0u);
    CHECK(o.object->process() == before);
    o.session->cont();
    CHECK(o.session->vm().result() == 0u);
    CHECK(o.object->object().maps->size() == 1u);
}

} // namespace bpfplay::testing
