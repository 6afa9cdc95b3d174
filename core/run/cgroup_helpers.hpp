#pragma once
// The cgroup helpers (core/run/cgroup_helpers.cpp), over the host's cgroup tree
// (Host::cgroups) and the current task's cgroup (Task::cgroup_id), as kernel/bpf/helpers.c and
// net/core/filter.c answer them:
//
//   id   name                                returns
//   33   bpf_skb_under_cgroup                1 when the packet's socket (BPF_PROG_TEST_RUN's,
//                                            the current task's) is in the slot's cgroup or
//                                            below, else 0; -E2BIG for an index past
//                                            max_entries, -EAGAIN for an empty slot
//   37   bpf_current_task_under_cgroup       the same for the current task
//   80   bpf_get_current_cgroup_id           the task's cgroup id
//  123   bpf_get_current_ancestor_cgroup_id  the id of the task's ancestor at that level (0 is
//                                            the root), 0 past the task's own level
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kSkbUnderCgroup = 33;
constexpr int32_t kCurrentTaskUnderCgroup = 37;
constexpr int32_t kGetCurrentCgroupId = 80;
constexpr int32_t kGetCurrentAncestorCgroupId = 123;
} // namespace helper_id

std::span<const HelperImpl> cgroup_helper_impls();

struct Host;
// The id of cgroup `cgroup_id`'s ancestor at `level` (0: the root; its own level: itself), 0
// past its own level or for a cgroup the host lacks (the kernel's cgroup_ancestor()).
uint64_t cgroup_ancestor_id(const Host& host, uint64_t cgroup_id, uint64_t level);

} // namespace bpfplay
