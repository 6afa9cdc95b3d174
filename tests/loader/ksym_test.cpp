// Typed __ksym externs: per-CPU kernel variables the emulated kernel has (kernel_percpu.hpp)
// resolve to their handle; others are refused as libbpf refuses them.
#include <doctest/doctest.h>

#include "core/host/kernel_percpu.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

TEST_CASE("a typed __ksym per-CPU variable becomes an lddw of its handle") {
    auto obj = load_example("xdp_cpu_number");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const PercpuVar* v = find_percpu_var("cpu_number");
    REQUIRE(v != nullptr);
    const uint64_t handle = percpu_handle(*v);
    CHECK(handle == 0x700000000ull);
    int lddws = 0;
    const std::vector<Insn>& insns = obj->programs[0].insns;
    for (size_t i = 0; i + 1 < insns.size(); ++i)
        if (insns[i].opcode == 0x18 && insns[i].src == 0 &&
            (uint64_t(uint32_t(insns[i].imm)) | uint64_t(uint32_t(insns[i + 1].imm)) << 32) == handle)
            ++lddws;
    CHECK(lddws >= 2); // this_cpu_ptr's and per_cpu_ptr's
}

TEST_CASE("a __ksym the emulated kernel does not have is refused with libbpf's words") {
    auto obj = load(fixture_bytes("ksym_unknown"), "ksym_unknown.o");
    REQUIRE_FALSE(obj);
    CHECK(obj.error().what.find(
              "the emulated kernel has no variable \"no_such_percpu_var\" (libbpf: \"extern (var "
              "ksym) 'no_such_percpu_var': not found in kernel BTF\")") != std::string::npos);
    CHECK(obj.error().hint == "bpfplay's kernel has these per-CPU variables: cpu_number.");
}

TEST_CASE("a __ksym declared with another type than the kernel's is refused") {
    auto obj = load(fixture_bytes("ksym_badtype"), "ksym_badtype.o");
    REQUIRE_FALSE(obj);
    CHECK(obj.error().what.find(
              "\"cpu_number\" is declared as const long, but the kernel's is int (libbpf: \"extern "
              "(var ksym) 'cpu_number': incompatible types\")") != std::string::npos);
    CHECK(obj.error().hint == "Declare it as: extern const int cpu_number __ksym;");
}
