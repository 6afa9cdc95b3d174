// The clock helpers: all read the Host's virtual clock at the instruction count of the call.
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {
namespace {

uint64_t ktime_get_ns(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_ktime_get_ns");
    return h ? h->ktime_ns(vm.executed_now()) : 0;
}

uint64_t ktime_get_boot_ns(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_ktime_get_boot_ns");
    return h ? h->boot_ns(vm.executed_now()) : 0;
}

uint64_t ktime_get_coarse_ns(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_ktime_get_coarse_ns");
    return h ? h->coarse_ns(vm.executed_now()) : 0;
}

uint64_t ktime_get_tai_ns(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_ktime_get_tai_ns");
    return h ? h->tai_ns(vm.executed_now()) : 0;
}

uint64_t jiffies64(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_jiffies64");
    return h ? h->jiffies64(vm.executed_now()) : 0;
}

constexpr HelperImpl kTimeHelperImpls[] = {
    {helper_id::kKtimeGetNs, ktime_get_ns},  // bpf_ktime_get_ns
    {helper_id::kJiffies64, jiffies64},  // bpf_jiffies64
    {helper_id::kKtimeGetBootNs, ktime_get_boot_ns},  // bpf_ktime_get_boot_ns
    {helper_id::kKtimeGetCoarseNs, ktime_get_coarse_ns},  // bpf_ktime_get_coarse_ns
    {helper_id::kKtimeGetTaiNs, ktime_get_tai_ns},  // bpf_ktime_get_tai_ns
};

}  // namespace

std::span<const HelperImpl> time_helper_impls() { return kTimeHelperImpls; }

}  // namespace bpfplay
