// The map type table: one row per kernel map type, in the kernel's numbering. A row without an
// alloc_check is a type bpfplay does not implement yet; creating one is refused naming it.
#include "core/maps/map_types.hpp"

#include "core/maps/array_map.hpp"
#include "core/maps/bloom_filter_map.hpp"
#include "core/maps/cpu_map.hpp"
#include "core/maps/cgroup_storage_map.hpp"
#include "core/maps/dev_map.hpp"
#include "core/maps/fd_array_map.hpp"
#include "core/maps/hash_map.hpp"
#include "core/maps/local_storage_map.hpp"
#include "core/maps/lpm_trie_map.hpp"
#include "core/maps/lru_hash_map.hpp"
#include "core/maps/queue_stack_map.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/maps/reuseport_array_map.hpp"
#include "core/maps/sock_map.hpp"
#include "core/maps/stack_trace_map.hpp"
#include "core/maps/struct_ops_map.hpp"
#include "core/maps/user_ringbuf_map.hpp"
#include "core/maps/xsk_map.hpp"

namespace bpfplay {

namespace {

template <class M> std::unique_ptr<Map> make_as(const MapSpec& spec) {
    return M::make(spec);
}

using T = MapType;
using P = ProgramMapAccess;

// Rows for types bpfplay does not implement yet: the name and what the type is for.
constexpr MapTypeInfo missing(MapType type, const char* name, const char* summary) {
    MapTypeInfo row;
    row.type = type;
    row.name = name;
    row.summary = summary;
    return row;
}

// A row whose user-space updates take an fd as the value (map_fd_get_ptr).
constexpr MapTypeInfo fd_valued(MapTypeInfo row, UserValueFd kind) {
    row.user_value_fd = kind;
    return row;
}

// A row with batch commands.
constexpr MapTypeInfo batched(MapTypeInfo row, MapBatch batch) {
    row.batch = batch;
    return row;
}

constexpr const char* kTailCallOnly = "A prog_array is only for bpf_tail_call; fill it from userspace.";
constexpr const char* kPerfOnly =
    "A perf_event_array is only for bpf_perf_event_output; user space puts its readers in it.";
constexpr const char* kMapsOfMaps = "Programs may only look up a map of maps (and then use the inner map); "
                                    "change its contents from userspace.";
constexpr const char* kDevmaps =
    "Programs may only look up a devmap or redirect through it (bpf_redirect_map); fill it from userspace.";
constexpr const char* kPushPopPeek =
    "Programs use a queue or stack through bpf_map_push_elem, bpf_map_pop_elem and "
    "bpf_map_peek_elem; it has no keys to look up.";
constexpr const char* kPushPeek =
    "Programs add to a bloom filter with bpf_map_push_elem and test a value with "
    "bpf_map_peek_elem; nothing can be looked up, popped or deleted.";
constexpr const char* kStackTraceOnly = "Programs store stacks with bpf_get_stackid and get the id; user space "
                                        "reads a stack by its id.";
constexpr const char* kCgroupOnly = "Programs test a cgroup_array's cgroups with bpf_current_task_under_cgroup "
                                    "and bpf_skb_under_cgroup; user space fills it with cgroup ids.";
constexpr const char* kRingbufOnly = "A ring buffer is written with bpf_ringbuf_output or "
                                     "bpf_ringbuf_reserve/submit, and read from user space.";

constexpr const char* kLocalStorage = "Programs reach a local storage map only through its owner's helpers "
                                      "(bpf_task_storage_get/delete, bpf_sk_storage_get/delete, "
                                      "bpf_inode_storage_get/delete, bpf_cgrp_storage_get/delete).";

// A local storage row: one value per owner object, reached through the owner's helpers.
constexpr MapTypeInfo local_storage(MapType type, const char* name, const char* summary) {
    return {type, name, false, false, false, P::None, kLocalStorage, &LocalStorageMap::alloc_check,
            &LocalStorageMap::footprint, &make_as<LocalStorageMap>, summary};
}

constexpr const char* kCgroupStorage = "Programs reach a cgroup storage map only through bpf_get_local_storage, "
                                       "which gives the value of the cgroup they are attached to.";

constexpr const char* kUserRingbufOnly = "Programs read a user ring buffer only with bpf_user_ringbuf_drain; "
                                         "user space writes its records.";

constexpr const char* kCpumapOnly = "Programs only redirect through a cpumap (bpf_redirect_map); fill it from "
                                    "userspace with each CPU's queue size.";
constexpr const char* kXskmap = "Programs may only look up an xskmap or redirect through it (bpf_redirect_map); "
                                "user space puts its AF_XDP sockets in it.";

constexpr const char* kSockmap =
    "Programs look a socket up (and must bpf_sk_release it), delete entries, add sockets with "
    "bpf_sock_map_update / bpf_sock_hash_update (sock_ops) and redirect through them with "
    "bpf_msg_redirect_map/hash (sk_msg) or bpf_sk_redirect_map/hash (sk_skb); user space adds "
    "sockets by cookie.";

constexpr const char* kReuseport = "Programs look a socket up or pick one with bpf_sk_select_reuseport "
                                   "(sk_reuseport programs); user space adds SO_REUSEPORT sockets by cookie.";

constexpr const char* kStructOpsOnly = "A struct_ops map is not for programs: it holds them. The kernel calls its "
                                       "programs as the struct's operations; user space registers it.";

constexpr MapTypeInfo kTypes[] = {
    missing(T::Unspec, "unspec", "not a map type"),
    batched({T::Hash, "hash", false, false, false, P::ReadWrite, "", &HashMap::alloc_check, &HashMap::footprint,
     &make_as<HashMap>, "key -> value, entries added and removed at run time", true}, MapBatch::Hash),
    batched({T::Array, "array", false, false, true, P::ReadWrite, "", &ArrayMap::alloc_check, &ArrayMap::footprint,
     &make_as<ArrayMap>, "fixed-size array of values indexed by a u32, all present and zeroed at creation", true}, MapBatch::Generic),
    fd_valued({T::ProgArray, "prog_array", false, false, true, P::None, kTailCallOnly, &FdArrayMap::alloc_check,
     &FdArrayMap::footprint, &make_as<FdArrayMap>, "programs by index, for bpf_tail_call"}, UserValueFd::Program),
    fd_valued({T::PerfEventArray, "perf_event_array", false, false, true, P::None, kPerfOnly, &FdArrayMap::alloc_check,
     &FdArrayMap::footprint, &make_as<FdArrayMap>,
     "one perf event per CPU; bpf_perf_event_output sends samples to it"}, UserValueFd::PerfEvent),
    batched({T::PercpuHash, "percpu_hash", true, false, false, P::ReadWrite, "", &HashMap::alloc_check,
     &HashMap::footprint, &make_as<HashMap>, "a hash map with one value per CPU for every key", true}, MapBatch::Hash),
    batched({T::PercpuArray, "percpu_array", true, false, true, P::ReadWrite, "", &ArrayMap::alloc_check,
     &ArrayMap::footprint, &make_as<ArrayMap>, "an array with one value per CPU for every index", true}, MapBatch::Generic),
    {T::StackTrace, "stack_trace", false, false, true, P::None, kStackTraceOnly, &StackTraceMap::alloc_check,
     &StackTraceMap::footprint, &make_as<StackTraceMap>, "call stacks by id, stored by bpf_get_stackid", false,
     false},
    {T::CgroupArray, "cgroup_array", false, false, true, P::None, kCgroupOnly, &FdArrayMap::alloc_check,
     &FdArrayMap::footprint, &make_as<FdArrayMap>,
     "cgroups by index, for bpf_skb_under_cgroup / bpf_current_task_under_cgroup"},
    batched({T::LruHash, "lru_hash", false, true, false, P::ReadWrite, "", &HashMap::alloc_check, &HashMap::footprint,
     &make_as<LruHashMap>, "a hash map that evicts the least recently used entry when full", true}, MapBatch::Hash),
    batched({T::LruPercpuHash, "lru_percpu_hash", true, true, false, P::ReadWrite, "", &HashMap::alloc_check,
     &HashMap::footprint, &make_as<LruHashMap>, "an LRU hash map with one value per CPU", true}, MapBatch::Hash),
    batched({T::LpmTrie, "lpm_trie", false, false, false, P::ReadWrite, "", &LpmTrieMap::alloc_check,
     &LpmTrieMap::footprint, &make_as<LpmTrieMap>, "longest-prefix match on IP prefixes (routing tables)"}, MapBatch::GenericDelete),
    batched(fd_valued({T::ArrayOfMaps, "array_of_maps", false, false, true, P::LookupOnly, kMapsOfMaps,
     &FdArrayMap::alloc_check, &FdArrayMap::footprint, &make_as<FdArrayMap>, "inner maps by index"}, UserValueFd::Map), MapBatch::Generic),
    batched(fd_valued({T::HashOfMaps, "hash_of_maps", false, false, false, P::LookupOnly, kMapsOfMaps, &HashMap::fd_alloc_check,
     &HashMap::footprint, &make_as<HashMap>, "inner maps by key"}, UserValueFd::Map), MapBatch::Hash),
    {T::Devmap, "devmap", false, false, true, P::LookupOnly, kDevmaps, &DevMap::alloc_check,
     &DevMap::footprint, &make_as<DevMap>, "network devices by index, for bpf_redirect_map"},
    {T::Sockmap, "sockmap", false, false, true, P::LookupDelete, kSockmap, &SockMap::alloc_check,
     &SockMap::footprint, &make_as<SockMap>, "sockets by index, for redirecting between sockets"},
    {T::Cpumap, "cpumap", false, false, true, P::None, kCpumapOnly, &CpuMap::alloc_check, &CpuMap::footprint,
     &make_as<CpuMap>, "CPUs by index, for bpf_redirect_map to another CPU"},
    {T::Xskmap, "xskmap", false, false, true, P::LookupOnly, kXskmap, &XskMap::alloc_check, &XskMap::footprint,
     &make_as<XskMap>, "AF_XDP sockets by index, for bpf_redirect_map to user space"},
    {T::Sockhash, "sockhash", false, false, false, P::LookupDelete, kSockmap, &SockHash::alloc_check,
     &SockHash::footprint, &make_as<SockHash>, "sockets by key, for redirecting between sockets"},
    {T::CgroupStorage, "cgroup_storage", false, false, false, P::None, kCgroupStorage,
     &CgroupStorageMap::alloc_check, &CgroupStorageMap::footprint, &make_as<CgroupStorageMap>,
     "a value per attached cgroup (bpf_get_local_storage)"},
    {T::ReuseportSockarray, "reuseport_sockarray", false, false, true, P::LookupOnly, kReuseport,
     &ReuseportArrayMap::alloc_check, &ReuseportArrayMap::footprint, &make_as<ReuseportArrayMap>,
     "sockets of a SO_REUSEPORT group, for bpf_sk_select_reuseport"},
    {T::PercpuCgroupStorage, "percpu_cgroup_storage", true, false, false, P::None, kCgroupStorage,
     &CgroupStorageMap::alloc_check, &CgroupStorageMap::footprint, &make_as<CgroupStorageMap>,
     "a per-CPU value per attached cgroup"},
    {T::Queue, "queue", false, false, false, P::PushPopPeek, kPushPopPeek, &QueueStackMap::alloc_check,
     &QueueStackMap::footprint, &make_as<QueueStackMap>, "FIFO of values (push, pop, peek)"},
    {T::Stack, "stack", false, false, false, P::PushPopPeek, kPushPopPeek, &QueueStackMap::alloc_check,
     &QueueStackMap::footprint, &make_as<QueueStackMap>, "LIFO of values (push, pop, peek)"},
    local_storage(T::SkStorage, "sk_storage", "a value attached to each socket"),
    {T::DevmapHash, "devmap_hash", false, false, false, P::LookupOnly, kDevmaps, &DevMap::alloc_check,
     &HashMap::footprint, &make_as<HashMap>, "network devices by key, for bpf_redirect_map"},
    {T::StructOps, "struct_ops", false, false, true, P::None, kStructOpsOnly, &StructOpsMap::alloc_check,
     &StructOpsMap::footprint, &make_as<StructOpsMap>,
     "a kernel struct of operations (tcp_congestion_ops) implemented by programs", false, false},
    {T::Ringbuf, "ringbuf", false, false, false, P::None, kRingbufOnly, &RingbufMap::alloc_check,
     &RingbufMap::footprint, &make_as<RingbufMap>, "a ring buffer of records for user space to read", false, false},
    local_storage(T::InodeStorage, "inode_storage", "a value attached to each inode"),
    local_storage(T::TaskStorage, "task_storage", "a value attached to each task"),
    {T::BloomFilter, "bloom_filter", false, false, false, P::PushPeek, kPushPeek,
     &BloomFilterMap::alloc_check, &BloomFilterMap::footprint, &make_as<BloomFilterMap>,
     "a probabilistic set: push values, peek for membership"},
    {T::UserRingbuf, "user_ringbuf", false, false, false, P::None, kUserRingbufOnly, &RingbufMap::alloc_check,
     &UserRingbufMap::footprint, &make_as<UserRingbufMap>, "a ring buffer user space writes and programs drain",
     false, false},
    local_storage(T::CgrpStorage, "cgrp_storage", "a value attached to each cgroup"),
    missing(T::Arena, "arena", "memory pages shared between programs and user space"),
};
static_assert(std::size(kTypes) == size_t(MapType::Arena) + 1);

constexpr bool rows_in_order() {
    for (size_t i = 0; i < std::size(kTypes); ++i)
        if (size_t(kTypes[i].type) != i) return false;
    return true;
}
static_assert(rows_in_order(), "row i is map type i");

} // namespace

std::span<const MapTypeInfo> map_types() {
    return kTypes;
}

const MapTypeInfo* map_type_info(MapType t) {
    const auto i = static_cast<size_t>(t);
    return i < std::size(kTypes) ? &kTypes[i] : nullptr;
}

const char* map_type_name(MapType t) {
    const MapTypeInfo* info = map_type_info(t);
    return info ? info->name : "unknown";
}

std::optional<MapType> map_type_from_name(std::string_view name) {
    for (const MapTypeInfo& info : kTypes)
        if (name == info.name) return info.type;
    return std::nullopt;
}

namespace {

constexpr uint8_t access_bit(ProgramMapAccess a) { return uint8_t(1u << uint8_t(a)); }

// The generic map helpers, each with the access modes whose maps it may be given. A helper not
// listed here is not one of them: it checks its own map types.
struct GenericMapHelper {
    int32_t id;
    uint8_t allowed;  // access_bit()s
};
constexpr GenericMapHelper kGenericMapHelpers[] = {
    {1, access_bit(P::ReadWrite) | access_bit(P::LookupOnly) | access_bit(P::LookupDelete)},  // bpf_map_lookup_elem
    {2, access_bit(P::ReadWrite)},                                                            // bpf_map_update_elem
    {3, access_bit(P::ReadWrite) | access_bit(P::LookupDelete)},                              // bpf_map_delete_elem
    {87, access_bit(P::PushPopPeek) | access_bit(P::PushPeek)},                               // bpf_map_push_elem
    {88, access_bit(P::PushPopPeek)},                                                         // bpf_map_pop_elem
    {89, access_bit(P::PushPopPeek) | access_bit(P::PushPeek)},                               // bpf_map_peek_elem
};

}  // namespace

bool program_may_pass(ProgramMapAccess access, int32_t helper_id) {
    for (const GenericMapHelper& h : kGenericMapHelpers)
        if (h.id == helper_id) return (h.allowed & access_bit(access)) != 0;
    return true;
}

bool map_type_supported(MapType t) {
    const MapTypeInfo* info = map_type_info(t);
    return info && info->alloc_check;
}

} // namespace bpfplay
