#pragma once
// bpf_get_local_storage (81) over CgroupStorageMap (core/maps/cgroup_storage_map.hpp):
// kernel/bpf/helpers.c's bpf_get_local_storage returns the storage of the cgroup the program
// runs attached to -- here the host task's cgroup (Task::cgroup_id, also the test-run socket's)
// with the program's expected attach type -- for a per-CPU map the value of the CPU it runs on
// (Host::cpu). The value is created, zeroed, on the first call (bpfplay attaches a program when
// it runs it). The helper never returns NULL. Non-zero flags are a load-time refusal in the
// kernel ("get_local_storage() doesn't support non-zero flags"): here they stop the run.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kGetLocalStorage = 81;
} // namespace helper_id

std::span<const HelperImpl> cgroup_storage_helper_impls();

} // namespace bpfplay
