// Helpers about the CPU the run executes on: its number, its NUMA node, its random state.
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_helpers.hpp"
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

constexpr HelperImpl kImpls[] = {
    {helper_id::kGetPrandomU32, get_prandom_u32},  // bpf_get_prandom_u32
    {helper_id::kGetSmpProcessorId, get_smp_processor_id},  // bpf_get_smp_processor_id
    {helper_id::kGetNumaNodeId, get_numa_node_id},  // bpf_get_numa_node_id
};

}  // namespace

std::span<const HelperImpl> cpu_helper_impls() { return kImpls; }

}  // namespace bpfplay
