// The host helpers are in the kernel helper registry under the kernel's ids and names, and need a Host.
#include <doctest/doctest.h>

#include <string>

#include "core/helpers/helper_catalog.hpp"
#include "host/host_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::host_test;

TEST_CASE("every host helper is registered with the kernel's id, name and argument count") {
    const struct { int32_t id; const char* name; uint8_t nargs; } kExpected[] = {
        {5, "bpf_ktime_get_ns", 0},         {6, "bpf_trace_printk", 2},
        {7, "bpf_get_prandom_u32", 0},      {8, "bpf_get_smp_processor_id", 0},
        {14, "bpf_get_current_pid_tgid", 0}, {15, "bpf_get_current_uid_gid", 0},
        {16, "bpf_get_current_comm", 2},    {42, "bpf_get_numa_node_id", 0},
        {118, "bpf_jiffies64", 0},          {125, "bpf_ktime_get_boot_ns", 0},
        {160, "bpf_ktime_get_coarse_ns", 0}, {35, "bpf_get_current_task", 0},
        {158, "bpf_get_current_task_btf", 0},
    };
    const HelperRegistry& r = host_registry();
    for (const auto& e : kExpected) {
        CAPTURE(e.id);
        const HelperSpec* s = r.find(e.id);
        REQUIRE(s);
        CHECK(std::string(s->name) == e.name);
        CHECK(s->nargs == e.nargs);
        CHECK(bool(s->fn));
        // The same id in the kernel's own table (linux/bpf.h __BPF_FUNC_MAPPER order).
        REQUIRE(kernel_helper_name(e.id));
        CHECK(std::string(kernel_helper_name(e.id)) == e.name);
    }
}

TEST_CASE("a host helper without a Host in the run's env stops the run with a Helper error") {
    for (const char* helper : {"bpf_ktime_get_ns", "bpf_get_prandom_u32", "bpf_get_current_comm"}) {
        CAPTURE(helper);
        const std::string text = std::string("r1 = r10\nr1 += -16\nr2 = 16\ncall ") + helper + "\nexit";
        auto run = run_on_host(text, nullptr);
        REQUIRE(run.status == RunStatus::Faulted);
        REQUIRE(run.error);
        CHECK(run.error->kind == ErrorKind::Helper);
        CHECK(run.error->where.pc == 3u);
        CHECK(run.message() == std::string(helper) + " needs the emulated host, but none is set");
        CHECK(run.error->hint == "Run it with a HelperEnv whose host is set (Vm::env).");
    }
}

TEST_CASE("a program using a host helper decodes only against a registry that has it") {
    auto insns = assemble("call bpf_ktime_get_ns\nexit");
    REQUIRE(insns.ok());
    HelperRegistry empty;
    DecodeOptions options;
    options.helpers = &empty;
    CHECK_FALSE(decode(*insns, options).ok());
}
