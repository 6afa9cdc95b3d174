// bpf_current_task_under_cgroup, bpf_skb_under_cgroup, the cgroup ids of the task and of the
// skb's socket (bpf_get_current_cgroup_id, bpf_get_current_ancestor_cgroup_id, bpf_skb_cgroup_id,
// bpf_skb_ancestor_cgroup_id) and the net_cls classids. A cgroup_array slot holds a cgroup id
// (fd_array_map.hpp).
#include "core/run/cgroup_helpers.hpp"

#include <algorithm>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/fd_array_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/vm.hpp"

namespace bpfplay {

// cgroup_ancestor(): the root is level 0, "/a" level 1, "/a/b" level 2. 0 past the cgroup's own level.
uint64_t cgroup_ancestor_id(const Host& host, uint64_t cgroup_id, uint64_t level) {
    for (uint32_t i = 0; i < host.cgroups.size(); ++i) {
        if (host.cgroups[i].id != cgroup_id) continue;
        if (int64_t(level) < 0 || level > UINT32_MAX) return 0;
        const std::optional<uint32_t> a = cgroup_ancestor_index(host, i, uint32_t(level));
        return a ? host.cgroups[*a].id : 0;
    }
    return 0;
}

namespace {

constexpr int64_t kE2big = -7, kEagain = -11;

void fail(Vm& vm, const char* helper, std::string what, std::string hint = {}) {
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": " + std::move(what), std::nullopt,
                              std::move(hint)));
}

const Host* host_of(Vm& vm, const char* helper) {
    const Host* host = vm.env ? vm.env->host : nullptr;
    if (!host) fail(vm, helper, "the run has no emulated host, so there is no task and no cgroup");
    return host;
}

// The kernel's order: the index, then the slot, then the hierarchy test.
uint64_t under_cgroup(Vm& vm, const char* helper, const char* reg, uint64_t map_handle, uint64_t index) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* m = maps ? maps->from_handle(map_handle) : nullptr;
    if (!m || m->type() != MapType::CgroupArray) {
        fail(vm, helper, std::string(reg) + " does not hold a cgroup_array map: the kernel's verifier refuses the call",
             "Pass a map declared with __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY).");
        return 0;
    }
    const Host* host = host_of(vm, helper);
    if (!host) return 0;
    const uint32_t idx = uint32_t(index);  // the helper takes a u32
    if (idx >= m->max_entries()) return uint64_t(kE2big);
    const auto cgroup = static_cast<FdArrayMap&>(*m).reference_at(idx);
    if (!cgroup) return uint64_t(kEagain);
    return host->cgroup_under(host->task.cgroup_id, *cgroup) ? 1 : 0;
}

uint64_t skb_under_cgroup(Vm& vm, uint64_t, uint64_t map, uint64_t index, uint64_t, uint64_t) {
    // The packet's socket is always a full one here: BPF_PROG_TEST_RUN gives the skb a socket
    // the test-running task created, so the task's cgroup is the socket's.
    return under_cgroup(vm, "bpf_skb_under_cgroup", "r2", map, index);
}

uint64_t current_task_under_cgroup(Vm& vm, uint64_t map, uint64_t index, uint64_t, uint64_t, uint64_t) {
    return under_cgroup(vm, "bpf_current_task_under_cgroup", "r1", map, index);
}

uint64_t get_current_cgroup_id(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* host = host_of(vm, "bpf_get_current_cgroup_id");
    return host ? host->task.cgroup_id : 0;
}

uint64_t ancestor_cgroup_id(const Host& host, uint64_t level) {
    return cgroup_ancestor_id(host, host.task.cgroup_id, level);
}

uint64_t get_current_ancestor_cgroup_id(Vm& vm, uint64_t level, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* host = host_of(vm, "bpf_get_current_ancestor_cgroup_id");
    return host ? ancestor_cgroup_id(*host, level) : 0;
}

// The skb's socket: BPF_PROG_TEST_RUN gives the skb one it allocates (sk_alloc) in the calling
// task, so its cgroup (cgroup_sk_alloc) is the task's v2 cgroup.
uint64_t skb_cgroup_id(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* host = host_of(vm, "bpf_skb_cgroup_id");
    return host ? host->task.cgroup_id : 0;
}

uint64_t skb_ancestor_cgroup_id(Vm& vm, uint64_t, uint64_t level, uint64_t, uint64_t, uint64_t) {
    const Host* host = host_of(vm, "bpf_skb_ancestor_cgroup_id");
    return host ? ancestor_cgroup_id(*host, level) : 0;
}

// net_cls (cgroup v1) classids: bpf_get_cgroup_classid reads the running task's, outside softirq
// (a test run), and bpf_skb_cgroup_classid the one sk_alloc copied into the socket. The emulated
// host, like a cgroup v2 system, has no net_cls hierarchy: every classid is 0.
uint64_t cgroup_classid(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }

constexpr HelperImpl kImpls[] = {
    {helper_id::kSkbUnderCgroup, skb_under_cgroup},
    {helper_id::kCurrentTaskUnderCgroup, current_task_under_cgroup},
    {helper_id::kGetCurrentCgroupId, get_current_cgroup_id},
    {helper_id::kGetCurrentAncestorCgroupId, get_current_ancestor_cgroup_id},
    {17, cgroup_classid},           // bpf_get_cgroup_classid
    {79, skb_cgroup_id},            // bpf_skb_cgroup_id
    {83, skb_ancestor_cgroup_id},   // bpf_skb_ancestor_cgroup_id
    {151, cgroup_classid},          // bpf_skb_cgroup_classid
};

} // namespace

std::span<const HelperImpl> cgroup_helper_impls() {
    return kImpls;
}

} // namespace bpfplay
