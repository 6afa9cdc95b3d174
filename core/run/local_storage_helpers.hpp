#pragma once
// The local storage helpers (core/run/local_storage_helpers.cpp) over LocalStorageMap, with the
// owners the emulated host has:
//
//   id   name                      owner argument            bpfplay's owners
//  156   bpf_task_storage_get      struct task_struct *      the three task_structs of
//  157   bpf_task_storage_delete                             kernel_objects.hpp (current, its
//                                                            parent, init_task), by pid
//  107   bpf_sk_storage_get        struct bpf_sock *          the host's sockets
//  108   bpf_sk_storage_delete                               (bpf_sk_lookup_*), by cookie
//  145   bpf_inode_storage_get     struct inode *            none: the host has no inodes
//  146   bpf_inode_storage_delete
//  210   bpf_cgrp_storage_get      struct cgroup *           none yet: the host's cgroups have
//  211   bpf_cgrp_storage_delete                             no struct cgroup in memory
//
// get(map, owner, value, flags): the owner's value, or NULL when flags has a bit other than
// BPF_LOCAL_STORAGE_GET_F_CREATE (1), the owner is NULL (or not a full socket; a NULL socket is
// a load-time refusal), or it has no value and F_CREATE is not set; with F_CREATE a missing
// value is created from `value` (zeros when NULL), NULL when the map has no room.
// delete(map, owner): 0, -ENOENT when the owner has no value, -EINVAL for a NULL task, inode or
// cgroup, or a socket that is not a full one.
// A non-NULL owner bpfplay has no object for stops the run with an error that says so.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kSkStorageGet = 107;
constexpr int32_t kSkStorageDelete = 108;
constexpr int32_t kInodeStorageGet = 145;
constexpr int32_t kInodeStorageDelete = 146;
constexpr int32_t kTaskStorageGet = 156;
constexpr int32_t kTaskStorageDelete = 157;
constexpr int32_t kCgrpStorageGet = 210;
constexpr int32_t kCgrpStorageDelete = 211;
} // namespace helper_id

constexpr uint64_t kLocalStorageGetFCreate = 1;  // BPF_LOCAL_STORAGE_GET_F_CREATE

std::span<const HelperImpl> local_storage_helper_impls();

} // namespace bpfplay
