// Pasted assembly runs (and debugs) like a one-program object.
#include <doctest/doctest.h>

#include "core/run/object_session.hpp"

using namespace bpfplay;

TEST_CASE("assembly on raw memory: r1 = bytes, r2 = length") {
    auto s = ObjectSession::open_assembly("r0 = *(u8 *)(r1 + 1)\nr0 += r2\nexit\n", "");
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().to_string()));
    ObjectSession& o = *s.value();
    REQUIRE(o.object().programs.size() == 1);
    CHECK(o.object().programs[0].name == "asm");
    CHECK(o.object().programs[0].context == ContextKind::RawMemory);
    RunInput in;
    in.ctx = {1, 40, 3};
    const RunResult r = o.run("asm", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 43);
    CHECK(r.instructions == 3);
}

TEST_CASE("assembly as an XDP program reads the packet through xdp_md") {
    auto s = ObjectSession::open_assembly(R"(
        r2 = *(u32 *)(r1 + 4)
        r1 = *(u32 *)(r1 + 0)
        r0 = 1
        r3 = r1
        r3 += 14
        if r3 > r2 goto out
        r0 = *(u8 *)(r1 + 12)
    out:
        exit
    )", "xdp");
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().to_string()));
    RunInput in;
    in.packet.assign(14, 0);
    in.packet[12] = 8;
    const RunResult r = s.value()->run("asm", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 8);
    in.packet.resize(10);
    CHECK(s.value()->run("asm", in).r0 == 1);
}

TEST_CASE("bad assembly and bad programs are errors with the line or instruction") {
    auto bad = ObjectSession::open_assembly("r0 = 1\nr0 +=\nexit\n", "");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Parse);
    CHECK(bad.error().where.line == 2u);
    auto unverifiable = ObjectSession::open_assembly("exit\n", "xdp");
    REQUIRE_FALSE(unverifiable.ok());
    CHECK(unverifiable.error().what.find("r0") != std::string::npos);
    auto empty = ObjectSession::open_assembly("  \n", "");
    REQUIRE_FALSE(empty.ok());
}
