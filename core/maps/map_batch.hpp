#pragma once
// The batch commands of bpf(2) -- BPF_MAP_LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH,
// DELETE_BATCH -- over a map's user-space operations, as kernel/bpf/syscall.c and hashtab.c do
// them in Linux 6.18 (checked against this machine's kernel: tests/maps/map_batch_test.cpp):
//
// - Which types have which command is the type's row (MapTypeInfo::batch); the others answer
//   -ENOTSUPP (524). Writing commands on a frozen or BPF_F_RDONLY map answer -EPERM first.
// - Arrays, maps of maps by index and the LPM trie use the generic walk: get_next_key from the
//   in_batch key (none: the first), entries that vanish are skipped, out_batch is the last key
//   copied; -ENOENT with the count copied when the walk ends.
// - The hash family walks its buckets: in_batch and out_batch are a u32 bucket index, a bucket
//   is copied whole or not at all (-ENOSPC when the first one does not fit in `count`), and
//   -ENOENT says the last bucket was reached. The kernel hashes keys with a random seed unless
//   the map has BPF_F_ZERO_SEED; bpfplay always uses seed 0, so its buckets are the kernel's
//   for BPF_F_ZERO_SEED maps. In a bucket the newest entry comes first; replacing a key's value
//   makes it the newest in HASH, LRU_HASH and HASH_OF_MAPS, not in the per-CPU types (hash_map.hpp).
// - `count` in the result is what the kernel writes back to attr->batch.count: unchanged (the
//   caller's) when the command fails before touching it.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/maps/map.hpp"

namespace bpfplay {

struct BatchResult {
    int64_t ret = 0;                     // 0 or -errno, what the syscall returns
    uint32_t count = 0;                  // attr->batch.count afterwards
    std::vector<uint8_t> keys;           // count keys (lookups)
    std::vector<uint8_t> values;         // count values of user_value_size() bytes (lookups)
    std::optional<std::vector<uint8_t>> out_batch;  // written to out_batch, when the kernel writes it
};

struct BatchRequest {
    std::optional<std::vector<uint8_t>> in_batch;  // nullopt: NULL (start at the beginning)
    uint32_t count = 0;
    uint64_t elem_flags = 0;
    uint64_t flags = 0;
};

// LOOKUP_BATCH, or LOOKUP_AND_DELETE_BATCH with `and_delete`.
BatchResult map_lookup_batch(Map& map, const BatchRequest& request, bool and_delete);
// UPDATE_BATCH: request.count keys (key_size bytes each) and values (user_value_size each).
BatchResult map_update_batch(Map& map, std::span<const uint8_t> keys, std::span<const uint8_t> values,
                             const BatchRequest& request);
// DELETE_BATCH: request.count keys.
BatchResult map_delete_batch(Map& map, std::span<const uint8_t> keys, const BatchRequest& request);

}  // namespace bpfplay
