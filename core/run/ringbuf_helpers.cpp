// The ring buffer helpers: they find the map through Host::maps, as the map helpers do.
#include "core/run/ringbuf_helpers.hpp"

#include <cstring>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kWakeupFlags;

MapSet* maps_of(Vm& vm) {
    return vm.env ? vm.env->maps : nullptr;
}

RingbufMap* ringbuf(Vm& vm, const char* helper, uint64_t handle) {
    MapSet* maps = maps_of(vm);
    Map* m = maps ? maps->from_handle(handle) : nullptr;
    if (!m || m->type() != MapType::Ringbuf) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": r1 does not hold a ringbuf map",
                                  std::nullopt, "Pass the map declared with BPF_MAP_TYPE_RINGBUF."));
        return nullptr;
    }
    return static_cast<RingbufMap*>(m);
}

uint64_t ringbuf_output(Vm& vm, uint64_t map, uint64_t data, uint64_t size, uint64_t flags, uint64_t) {
    RingbufMap* rb = ringbuf(vm, "bpf_ringbuf_output", map);
    if (!rb) return 0;
    if (flags & ~kWakeupFlags) return uint64_t(-kerrno::kEINVAL);
    const uint8_t* src = vm.memory().helper_ptr(data, size, false);
    if (!src) {
        vm.helper_fail(make_error(ErrorKind::Helper, "bpf_ringbuf_output: the data pointer does not point to " +
                                                         std::to_string(size) + " readable bytes"));
        return 0;
    }
    const uint64_t at = size > UINT32_MAX ? 0 : rb->reserve(uint32_t(size));
    if (!at) return uint64_t(-kerrno::kEAGAIN);
    std::memcpy(vm.memory().helper_ptr(at, size, true), src, size);
    rb->commit(at, false);
    return 0;
}

uint64_t ringbuf_reserve(Vm& vm, uint64_t map, uint64_t size, uint64_t flags, uint64_t, uint64_t) {
    RingbufMap* rb = ringbuf(vm, "bpf_ringbuf_reserve", map);
    if (!rb || flags != 0 || size > UINT32_MAX) return 0;
    return rb->reserve(uint32_t(size));
}

// The kernel's bpf_ringbuf_commit only looks at the wakeup bits of the flags and ignores the
// others, so no flags value is an error.
uint64_t commit(Vm& vm, const char* helper, uint64_t data, bool discard) {
    MapSet* maps = maps_of(vm);
    auto where = maps ? maps->from_value_address(data) : std::nullopt;
    auto* rb = where && where->map->type() == MapType::Ringbuf ? static_cast<RingbufMap*>(where->map) : nullptr;
    if (!rb || !rb->commit(data, discard))
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) +
                                                         ": r1 is not a record from bpf_ringbuf_reserve that is still "
                                                         "open (each reservation is submitted or discarded once)"));
    return 0;
}

uint64_t ringbuf_submit(Vm& vm, uint64_t data, uint64_t, uint64_t, uint64_t, uint64_t) {
    return commit(vm, "bpf_ringbuf_submit", data, false);
}
uint64_t ringbuf_discard(Vm& vm, uint64_t data, uint64_t, uint64_t, uint64_t, uint64_t) {
    return commit(vm, "bpf_ringbuf_discard", data, true);
}

uint64_t ringbuf_query(Vm& vm, uint64_t map, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    RingbufMap* rb = ringbuf(vm, "bpf_ringbuf_query", map);
    if (!rb) return 0;
    switch (flags) {
    case 0: return rb->bytes_in_use();        // BPF_RB_AVAIL_DATA: nothing was consumed
    case 1: return rb->max_entries();         // BPF_RB_RING_SIZE
    case 2: return 0;                         // BPF_RB_CONS_POS
    case 3: return rb->bytes_in_use();        // BPF_RB_PROD_POS
    default: return 0;
    }
}

constexpr HelperImpl kRingbufHelperImpls[] = {
    {130, ringbuf_output},  // bpf_ringbuf_output
    {131, ringbuf_reserve},  // bpf_ringbuf_reserve
    {132, ringbuf_submit},  // bpf_ringbuf_submit
    {133, ringbuf_discard},  // bpf_ringbuf_discard
    {134, ringbuf_query},  // bpf_ringbuf_query
};

}  // namespace

std::span<const HelperImpl> ringbuf_helper_impls() { return kRingbufHelperImpls; }

}  // namespace bpfplay
