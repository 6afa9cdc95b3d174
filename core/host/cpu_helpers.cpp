// Helpers about the CPU the run executes on: its number, its NUMA node, its random state.
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_helpers.hpp"
#include "core/host/kernel_percpu.hpp"
#include "core/hex.hpp"
#include "core/vm.hpp"

namespace bpfplay {
namespace {

uint64_t get_smp_processor_id(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_get_smp_processor_id");
    return h ? h->cpu : 0;
}

uint64_t get_numa_node_id(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_get_numa_node_id");
    return h ? h->numa_node : 0;
}

uint64_t get_prandom_u32(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    Host* h = host_for(vm, "bpf_get_prandom_u32");
    return h ? h->prandom.next() : 0;  // a u32: the upper half of r0 is zero
}

// ARG_PTR_TO_PERCPU_BTF_ID: a per-CPU variable's __ksym address (kernel_percpu.hpp); nullptr
// after stopping the run as the verifier refuses anything else.
const PercpuVar* percpu_arg(Vm& vm, const char* helper, uint64_t ptr) {
    if (const PercpuVar* v = percpu_var_at(ptr)) return v;
    vm.helper_fail(make_error(
        ErrorKind::Helper,
        std::string(helper) + ": r1 = " + hex(ptr) +
            " is not a per-CPU kernel variable: the kernel's verifier refuses it (\"R1 type=scalar "
            "expected=percpu_ptr_\")",
        std::nullopt,
        "Pass the address of a per-CPU variable declared `extern const int cpu_number __ksym;` (&cpu_number)."));
    return nullptr;
}

// bpf_per_cpu_ptr(ptr, cpu): CPU `cpu`'s copy, or NULL when cpu >= nr_cpu_ids (Host::ncpus).
uint64_t per_cpu_ptr(Vm& vm, uint64_t ptr, uint64_t cpu_arg, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_per_cpu_ptr";
    const Host* h = host_for(vm, kName);
    if (!h) return 0;
    const PercpuVar* v = percpu_arg(vm, kName, ptr);
    if (!v) return 0;
    const uint32_t cpu = uint32_t(cpu_arg);  // a u32 argument
    if (cpu >= h->ncpus) return 0;
    return percpu_address(cpu, uint32_t(ptr - window_base(window::kPercpuHandles)));
}

// bpf_this_cpu_ptr(ptr): the copy of the CPU the program runs on.
uint64_t this_cpu_ptr(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_this_cpu_ptr";
    const Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (!percpu_arg(vm, kName, ptr)) return 0;
    return percpu_address(h->cpu, uint32_t(ptr - window_base(window::kPercpuHandles)));
}

constexpr HelperImpl kCpuHelperImpls[] = {
    {helper_id::kGetPrandomU32, get_prandom_u32},  // bpf_get_prandom_u32
    {helper_id::kGetSmpProcessorId, get_smp_processor_id},  // bpf_get_smp_processor_id
    {helper_id::kGetNumaNodeId, get_numa_node_id},  // bpf_get_numa_node_id
    {helper_id::kPerCpuPtr, per_cpu_ptr},  // bpf_per_cpu_ptr
    {helper_id::kThisCpuPtr, this_cpu_ptr},  // bpf_this_cpu_ptr
};

}  // namespace

std::span<const HelperImpl> cpu_helper_impls() { return kCpuHelperImpls; }

}  // namespace bpfplay
