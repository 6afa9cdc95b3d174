// bpf_perf_event_output with the kernel's checks, in its order: bpf_perf_event_output in
// kernel/trace/bpf_trace.c for tracing programs, bpf_xdp_event_output / bpf_skb_event_output in
// net/core/filter.c for XDP and __sk_buff programs, both ending in __bpf_perf_event_output.
#include "core/run/perf_event_helpers.hpp"

#include <algorithm>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/fd_array_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

namespace e = kerrno;

constexpr uint64_t kIndexMask = 0xffffffffull;     // BPF_F_INDEX_MASK
constexpr uint64_t kCurrentCpu = kIndexMask;       // BPF_F_CURRENT_CPU
constexpr uint64_t kCtxLenMask = 0xfffffull << 32; // BPF_F_CTXLEN_MASK

uint64_t ret(int64_t err) {
    return uint64_t(err);
}

uint64_t perf_event_output(Vm& vm, uint64_t, uint64_t map_handle, uint64_t flags, uint64_t data,
                           uint64_t size) {
    Host* host = host_for(vm, "bpf_perf_event_output");
    if (!host) return 0;
    Map* m = vm.env->maps ? vm.env->maps->from_handle(map_handle) : nullptr;
    if (!m || m->type() != MapType::PerfEventArray) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  "bpf_perf_event_output: r2 does not hold a perf_event_array map",
                                  std::nullopt, "Pass the map declared with BPF_MAP_TYPE_PERF_EVENT_ARRAY."));
        return 0;
    }
    // The verifier proves r4 points to r5 readable bytes (ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO).
    const uint8_t* src = vm.memory().helper_ptr(data, size, false);
    if (!src && size > 0) {
        vm.helper_fail(make_error(ErrorKind::Helper, "bpf_perf_event_output: r4 does not point to " +
                                                         std::to_string(size) + " readable bytes (r5)"));
        return 0;
    }
    // XDP and __sk_buff programs (the ones with a packet) may append packet bytes: the ctx
    // length in the flags' upper half. Tracing programs accept only an index.
    const PacketBuffer* packet = packet_of(vm);
    const bool has_packet = packet != nullptr;
    const uint64_t ctx_len = (flags & kCtxLenMask) >> 32;
    if (flags & ~(kIndexMask | (has_packet ? kCtxLenMask : 0))) return ret(-e::kEINVAL);
    if (ctx_len > (has_packet ? packet->total_len() : 0)) return ret(-e::kEFAULT);

    // __bpf_perf_event_output.
    uint64_t index = flags & kIndexMask;
    if (index == kCurrentCpu) index = host->cpu;
    if (index >= m->max_entries()) return ret(-e::kE2BIG);
    const auto reader_cpu = static_cast<const FdArrayMap&>(*m).reference_at(uint32_t(index));
    if (!reader_cpu) return ret(-e::kENOENT);
    // A reader's event counts only on its own CPU (event->oncpu != smp_processor_id()).
    if (*reader_cpu != host->cpu) return ret(-e::kEOPNOTSUPP);

    PerfEventRecord rec;
    rec.map = m->name();
    rec.cpu = uint32_t(index);
    rec.data.assign(src, src + size);
    if (ctx_len > 0) {
        const size_t at = rec.data.size();
        rec.data.resize(at + ctx_len);
        packet->copy_out(0, rec.data.data() + at, uint32_t(ctx_len));
    }
    // perf_prepare_sample stores a raw sample as a u32 size and the bytes, zero-padded so the
    // two end on an 8-byte boundary; the reader receives the padding as part of the sample.
    rec.data.resize(((rec.data.size() + 4 + 7) & ~size_t(7)) - 4, 0);
    rec.executed = vm.executed_now();
    rec.pc = vm.current_pc();
    host->perf_events.push_back(std::move(rec));
    return 0;
}

} // namespace

namespace {

constexpr HelperImpl kImpls[] = {
    {25, perf_event_output},  // bpf_perf_event_output
};

}  // namespace

std::span<const HelperImpl> perf_event_helper_impls() { return kImpls; }

void attach_perf_readers(MapSet& maps, uint32_t ncpus) {
    for (uint32_t id = 0; id < maps.size(); ++id) {
        Map& m = *maps.get(id);
        if (m.type() != MapType::PerfEventArray) continue;
        for (uint32_t cpu = 0; cpu < std::min(ncpus, m.max_entries()); ++cpu) {
            uint8_t key[4], value[4];
            store_le<uint32_t>(key, cpu);
            store_le<uint32_t>(value, cpu);
            if (static_cast<const FdArrayMap&>(m).reference_at(cpu)) continue;
            m.update_user(key, value, map_update::kAny);
        }
    }
}

} // namespace bpfplay
