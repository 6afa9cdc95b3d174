#include "core/maps/map_batch.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/maps/hash_map.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_types.hpp"

namespace bpfplay {

namespace {

namespace e = kerrno;

MapBatch batch_kind(const Map& map) {
    const MapTypeInfo* row = map_type_info(map.type());
    return row ? row->batch : MapBatch::None;
}

// map_get_sys_perms: a BPF_F_WRONLY map cannot be read, a BPF_F_RDONLY or frozen one not written.
bool may_read(const Map& map) { return !(map.map_flags() & map_flag::kWronly); }
bool may_write(const Map& map) { return !(map.map_flags() & map_flag::kRdonly) && !map.frozen(); }

BatchResult answer(int64_t ret, uint32_t count) {
    BatchResult r;
    r.ret = ret;
    r.count = count;
    return r;
}

// bpf_map_do_batch's checks before the type's own function: the fd's permissions, then whether
// the type has the command at all.
std::optional<BatchResult> refused_before_type(const Map& map, const BatchRequest& req, bool reads, bool writes,
                                               bool type_has_it) {
    if (reads && !may_read(map)) return answer(-e::kEPERM, req.count);
    if (writes && !may_write(map)) return answer(-e::kEPERM, req.count);
    if (!type_has_it) return answer(-e::kENOTSUPP, req.count);
    return std::nullopt;
}

// BPF_F_LOCK is the only element flag; it needs a bpf_spin_lock in the value, which bpfplay does
// not copy under yet: -EINVAL, as Map::lookup_user answers it.
bool bad_elem_flags(const BatchRequest& req) { return req.elem_flags != 0; }

// generic_map_lookup_batch: get_next_key from in_batch, entries gone meanwhile skipped.
BatchResult generic_lookup(Map& map, const BatchRequest& req) {
    if (bad_elem_flags(req)) return answer(-e::kEINVAL, req.count);
    if (req.count == 0) return answer(0, 0);
    BatchResult r = answer(0, 0);
    const uint32_t key_size = map.key_size(), value_size = map.user_value_size();
    std::vector<uint8_t> prev, key(key_size), value(value_size);
    if (req.in_batch) {
        if (req.in_batch->size() != key_size) return answer(-e::kEFAULT, 0);
        prev = *req.in_batch;
    }
    uint32_t copied = 0;
    int64_t err = 0;
    while (copied < req.count) {
        err = map.get_next_key(prev, key);
        if (err) break;
        err = map.lookup_user(key, value);
        if (err == -e::kENOENT) {
            prev = key;
            continue;
        }
        if (err) return answer(err, 0);
        r.keys.insert(r.keys.end(), key.begin(), key.end());
        r.values.insert(r.values.end(), value.begin(), value.end());
        ++copied;
        prev = key;
    }
    r.ret = err;
    r.count = copied;
    if (copied) r.out_batch = prev;
    return r;
}

struct BucketEntry {
    uint32_t bucket;
    uint32_t age;  // 0 = the newest
    std::vector<uint8_t> key;
};

// __htab_map_lookup_and_delete_batch: whole buckets, in_batch/out_batch a u32 bucket index.
BatchResult hash_lookup(Map& map, const BatchRequest& req, bool and_delete) {
    if (bad_elem_flags(req) || req.flags) return answer(-e::kEINVAL, req.count);
    if (req.count == 0) return answer(0, 0);
    const uint32_t n_buckets = uint32_t(std::bit_ceil(uint64_t(std::max(map.max_entries(), 1u))));
    uint32_t batch = 0;
    if (req.in_batch) {
        if (req.in_batch->size() != sizeof(uint32_t)) return answer(-e::kEFAULT, 0);
        std::memcpy(&batch, req.in_batch->data(), sizeof batch);
    }
    if (batch >= n_buckets) return answer(-e::kENOENT, 0);

    std::vector<BucketEntry> entries;
    map.for_each_entry([&](std::span<const uint8_t> key, uint32_t) {
        entries.push_back({HashMap::zero_seed_bucket(key, n_buckets), 0, {key.begin(), key.end()}});
        return true;
    });
    // for_each_entry gives the oldest first; a bucket lists its newest first.
    for (size_t i = 0; i < entries.size(); ++i) entries[i].age = uint32_t(entries.size() - i);
    std::sort(entries.begin(), entries.end(), [](const BucketEntry& a, const BucketEntry& b) {
        return a.bucket != b.bucket ? a.bucket < b.bucket : a.age < b.age;
    });

    BatchResult r = answer(0, 0);
    const uint32_t value_size = map.user_value_size();
    std::vector<uint8_t> value(value_size);
    uint32_t total = 0;
    auto next = std::lower_bound(entries.begin(), entries.end(), batch,
                                 [](const BucketEntry& e, uint32_t b) { return e.bucket < b; });
    for (;;) {
        if (next == entries.end()) {  // the remaining buckets are empty
            batch = n_buckets;
            r.ret = -e::kENOENT;
            break;
        }
        batch = next->bucket;
        auto end = next;
        while (end != entries.end() && end->bucket == batch) ++end;
        const uint32_t in_bucket = uint32_t(end - next);
        if (in_bucket > req.count - total) {
            if (total == 0) r.ret = -e::kENOSPC;
            break;
        }
        for (auto it = next; it != end; ++it) {
            if (const int64_t err = map.lookup_user(it->key, value); err) return answer(err, 0);
            r.keys.insert(r.keys.end(), it->key.begin(), it->key.end());
            r.values.insert(r.values.end(), value.begin(), value.end());
        }
        if (and_delete)
            for (auto it = next; it != end; ++it) map.delete_user(it->key);
        total += in_bucket;
        next = end;
        if (++batch >= n_buckets) {
            r.ret = -e::kENOENT;
            break;
        }
    }
    r.count = total;
    std::vector<uint8_t> token(sizeof batch);
    std::memcpy(token.data(), &batch, sizeof batch);
    r.out_batch = std::move(token);
    return r;
}

}  // namespace

BatchResult map_lookup_batch(Map& map, const BatchRequest& request, bool and_delete) {
    const MapBatch kind = batch_kind(map);
    const bool has = and_delete ? kind == MapBatch::Hash : kind != MapBatch::None;
    if (auto refused = refused_before_type(map, request, true, and_delete, has)) return *refused;
    switch (kind) {
    case MapBatch::Hash: return hash_lookup(map, request, and_delete);
    case MapBatch::Generic:
    case MapBatch::GenericDelete: return generic_lookup(map, request);
    case MapBatch::None: break;
    }
    return answer(-e::kENOTSUPP, request.count);
}

// generic_map_update_batch: one update each, stopping at the first error; count says how many.
BatchResult map_update_batch(Map& map, std::span<const uint8_t> keys, std::span<const uint8_t> values,
                             const BatchRequest& request) {
    if (auto refused = refused_before_type(map, request, false, true, batch_kind(map) != MapBatch::None))
        return *refused;
    if (bad_elem_flags(request)) return answer(-e::kEINVAL, request.count);
    if (request.count == 0) return answer(0, 0);
    const size_t key_size = map.key_size(), value_size = map.user_value_size();
    uint32_t done = 0;
    int64_t err = 0;
    for (; done < request.count; ++done) {
        if ((done + 1) * key_size > keys.size() || (done + 1) * value_size > values.size()) {
            err = -e::kEFAULT;  // the kernel's copy_from_user past the caller's buffers
            break;
        }
        err = map.update_user(keys.subspan(done * key_size, key_size), values.subspan(done * value_size, value_size),
                              request.elem_flags);
        if (err) break;
    }
    return answer(err, done);
}

// generic_map_delete_batch: one delete each, stopping at the first error (-ENOENT for a missing key).
BatchResult map_delete_batch(Map& map, std::span<const uint8_t> keys, const BatchRequest& request) {
    const MapBatch kind = batch_kind(map);
    const bool has = kind == MapBatch::Hash || kind == MapBatch::GenericDelete;
    if (auto refused = refused_before_type(map, request, false, true, has)) return *refused;
    if (request.elem_flags & ~map_update::kLock) return answer(-e::kEINVAL, request.count);
    if (request.count == 0) return answer(0, 0);
    const size_t key_size = map.key_size();
    uint32_t done = 0;
    int64_t err = 0;
    for (; done < request.count; ++done) {
        if ((done + 1) * key_size > keys.size()) {
            err = -e::kEFAULT;
            break;
        }
        err = map.delete_user(keys.subspan(done * key_size, key_size));
        if (err) break;
    }
    return answer(err, done);
}

}  // namespace bpfplay
