// bpf_{task,sk,inode,cgrp}_storage_{get,delete}: kernel/bpf/bpf_task_storage.c,
// net/core/bpf_sk_storage.c, kernel/bpf/bpf_inode_storage.c, kernel/bpf/bpf_cgrp_storage.c.
// The map's state (values and owners) is saved for reverse execution by the debugger, which
// saves every map a helper's arguments name (core/debugger/helper_effects.cpp).
#include "core/run/local_storage_helpers.hpp"

#include <optional>
#include <string>

#include "core/hex.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/local_storage_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/helper_fail.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

struct Family {
    const char* get;
    const char* del;
    int32_t get_id;
    MapType type;
    const char* type_macro;  // for hints
};

constexpr Family kTask{"bpf_task_storage_get", "bpf_task_storage_delete", helper_id::kTaskStorageGet,
                       MapType::TaskStorage, "BPF_MAP_TYPE_TASK_STORAGE"};
constexpr Family kSk{"bpf_sk_storage_get", "bpf_sk_storage_delete", helper_id::kSkStorageGet, MapType::SkStorage,
                     "BPF_MAP_TYPE_SK_STORAGE"};
constexpr Family kInode{"bpf_inode_storage_get", "bpf_inode_storage_delete", helper_id::kInodeStorageGet,
                        MapType::InodeStorage, "BPF_MAP_TYPE_INODE_STORAGE"};
constexpr Family kCgrp{"bpf_cgrp_storage_get", "bpf_cgrp_storage_delete", helper_id::kCgrpStorageGet,
                       MapType::CgrpStorage, "BPF_MAP_TYPE_CGRP_STORAGE"};

// r1 as the verifier checks it: a local storage map of the helper's own type.
LocalStorageMap* storage_map(Vm& vm, const Family& fam, const char* helper, uint64_t r1) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* m = maps ? maps->from_handle(r1) : nullptr;
    if (!m || m->type() != fam.type) {
        fail(vm, helper,
             "r1 does not hold a " + std::string(map_type_name(fam.type)) + " map" +
                 (m ? " (" + m->describe() + ")" : std::string()) + ": the kernel's verifier refuses the call",
             std::string("Pass a map declared with __uint(type, ") + fam.type_macro +
                 "), __uint(map_flags, BPF_F_NO_PREALLOC), __type(key, int).");
        return nullptr;
    }
    return static_cast<LocalStorageMap*>(m);
}

// What an owner argument resolved to.
struct Owner {
    bool null = false;     // the pointer is NULL
    bool usable = false;   // a full object the storage may attach to (false: not a full socket)
    uint64_t id = 0;       // pid, cookie
    std::string label;     // "task pid 4242"
};

// nullopt after failing the run: a non-NULL pointer bpfplay has no object for.
std::optional<Owner> resolve_owner(Vm& vm, Host& host, const Family& fam, const char* helper, uint64_t ptr) {
    if (ptr == 0 && fam.type == MapType::SkStorage) {
        // ARG_PTR_TO_BTF_ID_SOCK_COMMON: unlike the task, inode and cgroup arguments, not OR_NULL.
        fail(vm, helper, "r2 is NULL: the kernel's verifier refuses the call (\"R2 type=scalar expected=sock_common\")",
             "Check the socket for NULL before passing it.");
        return std::nullopt;
    }
    if (ptr == 0) return Owner{true, false, 0, {}};
    if (fam.type == MapType::TaskStorage) {
        if (const std::optional<uint32_t> task = task_index(ptr)) {
            const uint64_t i = *task;
            const uint64_t pid = i == 0 ? host.task.pid : i == 1 ? 1 : 0;
            return Owner{false, true, pid, "task pid " + std::to_string(pid)};
        }
        fail(vm, helper, "r2 = " + hex(ptr) + " is not a task_struct of the emulated kernel",
             "Pass bpf_get_current_task_btf() (or its real_parent): bpfplay's kernel has the current task, its "
             "parent and init_task.");
        return std::nullopt;
    }
    if (fam.type == MapType::SkStorage) {
        const std::optional<uint32_t> i = socket_index(ptr, uint32_t(host.net.sockets.size()));
        if (i) {
            const HostSocket& s = host.net.sockets[*i];
            // sk_fullsock: request and time-wait sockets carry no storage.
            const bool full = !(s.protocol == kIpprotoTcp &&
                                (s.state == TcpState::TimeWait || s.state == TcpState::NewSynRecv));
            return Owner{false, full, s.cookie, "socket cookie " + std::to_string(s.cookie)};
        }
        fail(vm, helper, "r2 = " + hex(ptr) + " is not a socket of the emulated host",
             "Pass a socket from bpf_sk_lookup_tcp / bpf_sk_lookup_udp (checked for NULL). The packet's own "
             "socket (skb->sk) is not modelled: it reads as NULL.");
        return std::nullopt;
    }
    const bool inode = fam.type == MapType::InodeStorage;
    fail(vm, helper, "r2 = " + hex(ptr) + " points to a struct " + (inode ? "inode" : "cgroup") +
                         ", and bpfplay's emulated kernel has none in memory",
         inode ? "Inode storage needs an LSM program's inode; bpfplay models no files."
               : "bpfplay's host cgroups (bpf_get_current_cgroup_id) have no struct cgroup a program can point "
                 "to yet; fill the map from user space (key = cgroup id) to see its values.");
    return std::nullopt;
}

uint64_t storage_get(Vm& vm, const Family& fam, uint64_t r1, uint64_t owner_ptr, uint64_t value, uint64_t flags) {
    LocalStorageMap* map = storage_map(vm, fam, fam.get, r1);
    if (!map) return 0;
    Host* host = host_for(vm, fam.get);
    if (!host) return 0;
    const std::optional<Owner> owner = resolve_owner(vm, *host, fam, fam.get, owner_ptr);
    if (!owner) return 0;
    if ((flags & ~kLocalStorageGetFCreate) || owner->null || !owner->usable) return 0;
    if (const std::optional<uint32_t> slot = map->slot_of(owner->id)) return map->value_address(*slot);
    if (!(flags & kLocalStorageGetFCreate)) return 0;
    const uint8_t* init = nullptr;
    if (value) {
        init = vm.memory().helper_ptr(value, map->value_size(), false);
        if (!init) {
            fail_helper_access(vm, fam.get, value, map->value_size(), Access::HelperRead);
            return 0;
        }
    }
    const std::optional<uint32_t> slot = map->create(owner->id, init);
    if (!slot) {
        log_host_event(vm, *host, fam.get,
                       "no room for a value of " + owner->label + " in " + map->describe() + " (bpfplay holds " +
                           std::to_string(LocalStorageMap::kOwnerSlots) + " owners per map): NULL, as for -ENOMEM");
        return 0;
    }
    log_host_event(vm, *host, fam.get,
                   "creates the value of " + owner->label + " in " + map->describe() +
                       (init ? " from r3" : " (zeros)"));
    return map->value_address(*slot);
}

uint64_t storage_delete(Vm& vm, const Family& fam, uint64_t r1, uint64_t owner_ptr) {
    LocalStorageMap* map = storage_map(vm, fam, fam.del, r1);
    if (!map) return 0;
    Host* host = host_for(vm, fam.del);
    if (!host) return 0;
    const std::optional<Owner> owner = resolve_owner(vm, *host, fam, fam.del, owner_ptr);
    if (!owner) return 0;
    if (owner->null || !owner->usable) return helper_errno(kEINVAL);
    const int64_t rc = map->remove(owner->id);
    if (rc == 0) log_host_event(vm, *host, fam.del, "deletes the value of " + owner->label + " in " + map->describe());
    return uint64_t(rc);
}

// The helpers' entry points: one family's get or delete.
template <const Family& F>
uint64_t get(Vm& vm, uint64_t map, uint64_t owner, uint64_t value, uint64_t flags, uint64_t) {
    return storage_get(vm, F, map, owner, value, flags);
}
template <const Family& F>
uint64_t del(Vm& vm, uint64_t map, uint64_t owner, uint64_t, uint64_t, uint64_t) {
    return storage_delete(vm, F, map, owner);
}

constexpr HelperImpl kLocalStorageHelperImpls[] = {
    {helper_id::kSkStorageGet, get<kSk>},
    {helper_id::kSkStorageDelete, del<kSk>},
    {helper_id::kInodeStorageGet, get<kInode>},
    {helper_id::kInodeStorageDelete, del<kInode>},
    {helper_id::kTaskStorageGet, get<kTask>},
    {helper_id::kTaskStorageDelete, del<kTask>},
    {helper_id::kCgrpStorageGet, get<kCgrp>},
    {helper_id::kCgrpStorageDelete, del<kCgrp>},
};

} // namespace

std::span<const HelperImpl> local_storage_helper_impls() {
    return kLocalStorageHelperImpls;
}

} // namespace bpfplay
