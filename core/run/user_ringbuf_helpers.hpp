#pragma once
// bpf_user_ringbuf_drain (209) over UserRingbufMap (core/maps/user_ringbuf_map.hpp), as
// kernel/bpf/ringbuf.c runs it: for each record user space submitted, oldest first, the callback
// is called with a dynptr over the record (BPF_DYNPTR_TYPE_LOCAL, read with bpf_dynptr_read or
// bpf_dynptr_data) and the context; it returns 0 to go on, 1 to stop after this record. Records
// user space discarded are skipped (consumed, not counted). At most 128 * 1024 records are looked
// at per call (BPF_MAX_USER_RINGBUF_SAMPLES).
//
// Returns the number of records the callback was called for; -EINVAL for flags other than
// BPF_RB_NO_WAKEUP (1) and BPF_RB_FORCE_WAKEUP (2). Each call runs as a frame of the program
// (core/callback.hpp); the consumer position, the dynptr and its table entry that each call
// changes are journaled, so stepping back restores them.
//
// Not modelled: -EBUSY (a drain of the same map from inside its own callback drains the rest
// here), and the -EINVAL / -E2BIG of a malformed ring (user space here writes whole records).
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kUserRingbufDrain = 209;
} // namespace helper_id

constexpr uint64_t kMaxUserRingbufSamples = 128 * 1024;  // BPF_MAX_USER_RINGBUF_SAMPLES

std::span<const HelperImpl> user_ringbuf_helper_impls();

} // namespace bpfplay
