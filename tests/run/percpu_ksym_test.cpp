// bpf_per_cpu_ptr (153) and bpf_this_cpu_ptr (154) on the typed __ksym per-CPU variable
// cpu_number (core/host/kernel_percpu.hpp), through examples/xdp_cpu_number.c, and their
// refusals. (This machine's kernel cannot run that example: without CONFIG_KALLSYMS_ALL it
// answers "ldimm64 failed to find the address for kernel symbol 'cpu_number'".)
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "core/host/kernel_percpu.hpp"
#include "core/run/object_session.hpp"

using namespace bpfplay;

namespace {

std::unique_ptr<ObjectSession> open_cpu_number(Host host) {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/xdp_cpu_number.o", std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, "xdp_cpu_number.o", host);
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

// struct seen { int this_cpu, cpu0, cpu1, cpu4096; } after one run.
std::vector<int32_t> seen_after_run(ObjectSession& s) {
    RunInput in;
    in.packet.assign(64, 0);
    RunResult r = s.run("xdp_cpu_number", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 2u);
    Map* m = s.object().maps->find("seen");
    REQUIRE(m != nullptr);
    std::vector<int32_t> out(4);
    std::memcpy(out.data(), m->slot_value(0).data(), 16);
    return out;
}

} // namespace

TEST_CASE("bpf_this_cpu_ptr and bpf_per_cpu_ptr read each CPU's copy of cpu_number; NULL past the CPUs") {
    Host host;
    host.cpu = 0;
    auto s = open_cpu_number(host);
    CHECK(seen_after_run(*s) == std::vector<int32_t>{0, 0, 1, -1});
}

TEST_CASE("bpf_this_cpu_ptr follows the CPU the program runs on") {
    Host host;
    host.cpu = 3;
    auto s = open_cpu_number(host);
    CHECK(seen_after_run(*s) == std::vector<int32_t>{3, 0, 1, -1});
}

TEST_CASE("bpf_per_cpu_ptr gives NULL for a CPU at nr_cpu_ids (Host::ncpus)") {
    Host host;
    host.ncpus = 1;
    auto s = open_cpu_number(host);
    CHECK(seen_after_run(*s) == std::vector<int32_t>{0, 0, -1, -1});
}

TEST_CASE("the per-CPU copies are read-only and the __ksym address itself cannot be read") {
    Host host;
    auto direct =
        ObjectSession::open_assembly("r1 = 0x700000000 ll\nr0 = *(u32 *)(r1 + 0)\nexit\n", "xdp", host);
    REQUIRE(direct.ok());
    RunInput in;
    in.packet.assign(64, 0);
    RunResult r = direct.value()->run("asm", in);
    CHECK(r.status == RunStatus::Faulted);
    auto write = ObjectSession::open_assembly(
        "r1 = 0x700000000 ll\ncall bpf_this_cpu_ptr\nr1 = 5\n*(u32 *)(r0 + 0) = r1\nexit\n", "xdp", host);
    REQUIRE(write.ok());
    r = write.value()->run("asm", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->kind == ErrorKind::Memory);
}

TEST_CASE("bpf_per_cpu_ptr on anything but a per-CPU variable stops the run as the verifier would") {
    Host host;
    auto s =
        ObjectSession::open_assembly("r1 = r10\nr1 += -8\nr2 = 0\ncall bpf_per_cpu_ptr\nexit\n", "xdp", host);
    REQUIRE(s.ok());
    RunInput in;
    in.packet.assign(64, 0);
    RunResult r = s.value()->run("asm", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "bpf_per_cpu_ptr: r1 = 0x8000001f8 is not a per-CPU kernel variable: the kernel's verifier "
          "refuses it (\"R1 type=scalar expected=percpu_ptr_\")");
    auto t = ObjectSession::open_assembly("r1 = 0x700000004 ll\ncall bpf_this_cpu_ptr\nexit\n", "xdp", host);
    REQUIRE(t.ok());
    r = t.value()->run("asm", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.starts_with("bpf_this_cpu_ptr: r1 = 0x700000004 is not a per-CPU kernel variable"));
}
