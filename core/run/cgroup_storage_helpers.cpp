// bpf_get_local_storage. The map's state is saved for reverse execution by the debugger, which
// saves every map a helper's arguments name (core/debugger/helper_effects.cpp).
#include "core/run/cgroup_storage_helpers.hpp"

#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/loader/prog_types.hpp"
#include "core/maps/cgroup_storage_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/helper_fail.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

constexpr const char* kGetLocalStorageName = "bpf_get_local_storage";

uint64_t get_local_storage(Vm& vm, uint64_t r1, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* m = maps ? maps->from_handle(r1) : nullptr;
    if (!m || (m->type() != MapType::CgroupStorage && m->type() != MapType::PercpuCgroupStorage)) {
        fail(vm, kGetLocalStorageName,
             "r1 does not hold a cgroup_storage or percpu_cgroup_storage map" +
                 (m ? " (" + m->describe() + ")" : std::string()) + ": the kernel's verifier refuses the call",
             "Pass a map declared with __uint(type, BPF_MAP_TYPE_CGROUP_STORAGE) and "
             "__type(key, struct bpf_cgroup_storage_key).");
        return 0;
    }
    if (flags != 0) {
        fail(vm, kGetLocalStorageName,
             "r2 = " + std::to_string(flags) +
                 ": the kernel's verifier refuses the call (\"get_local_storage() doesn't support non-zero flags\")",
             "Pass 0 as the flags.");
        return 0;
    }
    Host* host = host_for(vm, kGetLocalStorageName);
    if (!host) return 0;
    auto& map = static_cast<CgroupStorageMap&>(*m);
    const uint64_t cgroup = host->task.cgroup_id;
    const uint32_t attach = vm.env ? static_cast<uint32_t>(vm.env->attach) : 0;
    const bool existed = map.slot_of(cgroup, attach).has_value();
    const std::optional<uint32_t> slot = map.storage_for(cgroup, attach);
    if (!slot) {
        fail(vm, kGetLocalStorageName,
             map.describe() + " has no room for another cgroup's value (bpfplay holds " +
                 std::to_string(CgroupStorageMap::kSlots) + ")",
             "The kernel would have created the value when the program was attached.");
        return 0;
    }
    if (!existed)
        log_host_event(vm, *host, kGetLocalStorageName,
                       "the program is attached to cgroup id " + std::to_string(cgroup) +
                           (map.attach_type_isolated()
                                ? std::string(" as ") + attach_type_name(AttachType(attach))
                                : std::string()) +
                           ": its value in " + map.describe() + " is created, zeroed");
    return map.value_address(*slot, map.is_percpu() ? host->cpu : 0);
}

constexpr HelperImpl kCgroupStorageHelperImpls[] = {
    {helper_id::kGetLocalStorage, get_local_storage},
};

} // namespace

std::span<const HelperImpl> cgroup_storage_helper_impls() {
    return kCgroupStorageHelperImpls;
}

} // namespace bpfplay
