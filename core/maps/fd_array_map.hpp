#pragma once
// BPF_MAP_TYPE_PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY and ARRAY_OF_MAPS: arrays
// whose values are references (the kernel stores object pointers and takes fds from
// userspace). Here a prog_array slot holds a program index and an array_of_maps slot a map id
// of the owning MapSet. Slots start empty. Programs never address these values: a prog_array
// is only for bpf_tail_call, and a lookup in an array_of_maps returns the inner map's handle
// (kernel/bpf/arraymap.c).
//
// Perf event arrays: in the kernel a user-space reader (libbpf's perf_buffer) opens one
// PERF_COUNT_SW_BPF_OUTPUT event per CPU and stores its fd at index = that CPU. bpfplay has no
// perf events, so a slot holds the CPU its reader's event was opened on: update with value c
// puts "a reader on CPU c" in the slot (c >= ncpus is -EBADF, as an fd that is no perf event),
// delete empties it. A slot whose reader is on another CPU than the program's makes
// bpf_perf_event_output fail with -EOPNOTSUPP, an empty one with -ENOENT. The kernel cannot
// give an event back to user space: lookups from user space are -ENOTSUPP (no
// map_fd_sys_lookup_elem), so reader_cpu() and the entries are for display.
//
// Cgroup arrays (BPF_MAP_TYPE_CGROUP_ARRAY): the kernel takes a cgroup v2 directory fd and keeps
// the cgroup; bpfplay's user side stores the cgroup's id (Host::cgroups: 1 is the root), and an
// id the host lacks is -EBADF, as an fd that is no cgroup. bpf_current_task_under_cgroup and
// bpf_skb_under_cgroup (core/run/cgroup_helpers.cpp) test the task against the slot's cgroup.
// Lookups from user space are -ENOTSUPP, as for perf event arrays.
// ObjectSession fills slots 0..min(ncpus, max_entries)-1 with the reader for that CPU when it
// opens an object, as perf_buffer__new does (see attach_perf_readers).
#include <memory>
#include <vector>

#include "core/maps/map_check.hpp"
#include "core/maps/slot_array_map.hpp"

namespace bpfplay {

class FdArrayMap final : public SlotArrayMap {
public:
    static uint64_t footprint(const MapSpec& spec);
    // fd_array_map_alloc_check: the value is a reference (a program index, a map id, the CPU of
    // a perf event reader) where the kernel takes an fd.
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<FdArrayMap> make(const MapSpec& spec);

    // The program index (prog_array), reader CPU (perf_event_array) or map id (array_of_maps)
    // at `index`, if set.
    std::optional<uint32_t> reference_at(uint32_t index) const;

protected:
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) override;
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;

private:
    explicit FdArrayMap(const MapSpec& spec);
};

}  // namespace bpfplay
