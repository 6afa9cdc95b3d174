// bpf_perf_event_output with the kernel's checks, in its order: bpf_perf_event_output in
// kernel/trace/bpf_trace.c for tracing programs, bpf_xdp_event_output / bpf_skb_event_output in
// net/core/filter.c for XDP and __sk_buff programs, both ending in __bpf_perf_event_output.
// The same two as bpf_xdp_output / bpf_skb_output for tracing programs, whose r1 is the kernel
// object (struct xdp_buff, struct sk_buff) an fentry/fexit on an XDP or TC program receives.
#include "core/run/perf_event_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/fd_array_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/kernel_field.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

namespace e = kerrno;

constexpr uint64_t kIndexMask = 0xffffffffull;     // BPF_F_INDEX_MASK
constexpr uint64_t kCurrentCpu = kIndexMask;       // BPF_F_CURRENT_CPU
constexpr uint64_t kCtxLenMask = 0xfffffull << 32; // BPF_F_CTXLEN_MASK

Map* output_map(Vm& vm, const char* helper, uint64_t map_handle) {
    Map* m = vm.env && vm.env->maps ? vm.env->maps->from_handle(map_handle) : nullptr;
    if (!m || m->type() != MapType::PerfEventArray) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": r2 does not hold a perf_event_array map",
                                  std::nullopt, "Pass the map declared with BPF_MAP_TYPE_PERF_EVENT_ARRAY."));
        return nullptr;
    }
    return m;
}

// The sample's own bytes: the verifier proves r4 points to r5 readable bytes (ARG_PTR_TO_MEM,
// ARG_CONST_SIZE_OR_ZERO). nullptr after a helper failure.
const uint8_t* sample_bytes(Vm& vm, const char* helper, uint64_t data, uint64_t size) {
    const uint8_t* src = vm.memory().helper_ptr(data, size, false);
    if (!src && size > 0) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": r4 does not point to " +
                                                         std::to_string(size) + " readable bytes (r5)"));
        return nullptr;
    }
    return src ? src : reinterpret_cast<const uint8_t*>("");
}

// __bpf_perf_event_output: the reader in slot `flags & BPF_F_INDEX_MASK` (or this CPU's) gets
// the program's `size` bytes, then the `ctx` bytes (the packet's first bytes the flags asked
// for; the callers checked the flags).
uint64_t output_sample(Vm& vm, Host& host, const Map& m, uint64_t flags, const uint8_t* src, uint64_t size,
                       std::span<const uint8_t> ctx) {
    uint64_t index = flags & kIndexMask;
    if (index == kCurrentCpu) index = host.cpu;
    if (index >= m.max_entries()) return uint64_t(-e::kE2BIG);
    const auto reader_cpu = static_cast<const FdArrayMap&>(m).reference_at(uint32_t(index));
    if (!reader_cpu) return uint64_t(-e::kENOENT);
    // A reader's event counts only on its own CPU (event->oncpu != smp_processor_id()).
    if (*reader_cpu != host.cpu) return uint64_t(-e::kEOPNOTSUPP);

    PerfEventRecord rec;
    rec.map = m.name();
    rec.cpu = uint32_t(index);
    rec.data.assign(src, src + size);
    rec.data.insert(rec.data.end(), ctx.begin(), ctx.end());
    // perf_prepare_sample stores a raw sample as a u32 size and the bytes, zero-padded so the
    // two end on an 8-byte boundary; the reader receives the padding as part of the sample.
    rec.data.resize(((rec.data.size() + 4 + 7) & ~size_t(7)) - 4, 0);
    rec.executed = vm.executed_now();
    rec.pc = vm.current_pc();
    host.perf_events.push_back(std::move(rec));
    return 0;
}

uint64_t perf_event_output(Vm& vm, uint64_t, uint64_t map_handle, uint64_t flags, uint64_t data,
                           uint64_t size) {
    constexpr const char* kName = "bpf_perf_event_output";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const Map* m = output_map(vm, kName, map_handle);
    if (!m) return 0;
    const uint8_t* src = sample_bytes(vm, kName, data, size);
    if (!src) return 0;
    // XDP and __sk_buff programs (the ones with a packet) may append packet bytes: the ctx
    // length in the flags' upper half. Tracing programs accept only an index.
    const PacketBuffer* packet = packet_of(vm);
    const bool has_packet = packet != nullptr;
    const uint64_t ctx_len = (flags & kCtxLenMask) >> 32;
    if (flags & ~(kIndexMask | (has_packet ? kCtxLenMask : 0))) return uint64_t(-e::kEINVAL);
    if (ctx_len > (has_packet ? packet->total_len() : 0)) return uint64_t(-e::kEFAULT);
    std::vector<uint8_t> ctx(ctx_len);
    if (ctx_len > 0) packet->copy_out(0, ctx.data(), uint32_t(ctx_len));
    return output_sample(vm, *host, *m, flags, src, size, ctx);
}

// The bytes [data, data + len) of the packet a kernel object points at, or a helper failure.
const uint8_t* object_packet(Vm& vm, const char* helper, uint64_t data, uint64_t len) {
    const uint8_t* p = vm.memory().helper_ptr(data, len, false);
    if (!p && len > 0)
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": the packet r1's data points at (" +
                                                         std::to_string(len) + " bytes) is not mapped"));
    return p;
}

// Where the packet of the kernel object r1 points at starts, and how many bytes it holds
// (read at the built-in BTF's offsets); nullopt when r1 is not such an object.
struct ObjectPacket {
    uint64_t data = 0;
    uint64_t len = 0;
};

// An xdp_buff's packet is linear here (a traced XDP program's packet fits a page), so
// xdp_get_buff_len is data_end - data.
std::optional<ObjectPacket> xdp_buff_packet(Vm& vm, uint64_t xdp) {
    const auto begin = read_kernel_field(vm, xdp, "xdp_buff", "data", 8);
    const auto end = read_kernel_field(vm, xdp, "xdp_buff", "data_end", 8);
    if (!begin || !end) return std::nullopt;
    return ObjectPacket{*begin, *end - *begin};
}

// An sk_buff is linear (data_len 0), so skb_copy_bits copies from skb->data, skb->len bytes.
std::optional<ObjectPacket> sk_buff_packet(Vm& vm, uint64_t skb) {
    const auto len = read_kernel_field(vm, skb, "sk_buff", "len", 4);
    const auto begin = read_kernel_field(vm, skb, "sk_buff", "data", 8);
    if (!len || !begin) return std::nullopt;
    return ObjectPacket{*begin, *len};
}

struct TracedOutput {
    const char* helper;
    const char* object;  // "struct xdp_buff"
    const char* hint;
    std::optional<ObjectPacket> (*packet)(Vm&, uint64_t);
};

// bpf_xdp_event_output / bpf_skb_event_output as the tracing programs' bpf_xdp_output /
// bpf_skb_output: r1 is a kernel object (NULL: -EFAULT), the ctx length in the flags' upper half
// may not pass its packet's length (-EFAULT), then the sample as bpf_perf_event_output writes it.
uint64_t traced_output(Vm& vm, const TracedOutput& out, uint64_t obj, uint64_t map_handle, uint64_t flags,
                       uint64_t data, uint64_t size) {
    Host* host = host_for(vm, out.helper);
    if (!host) return 0;
    const Map* m = output_map(vm, out.helper, map_handle);
    if (!m) return 0;
    const uint8_t* src = sample_bytes(vm, out.helper, data, size);
    if (!src) return 0;
    if (flags & ~(kIndexMask | kCtxLenMask)) return uint64_t(-e::kEINVAL);
    const uint64_t ctx_len = (flags & kCtxLenMask) >> 32;
    if (!obj) return uint64_t(-e::kEFAULT);
    const std::optional<ObjectPacket> packet = out.packet(vm, obj);
    if (!packet) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(out.helper) + ": r1 does not point to a " + out.object, std::nullopt,
                                  out.hint));
        return 0;
    }
    if (ctx_len > packet->len) return uint64_t(-e::kEFAULT);
    const uint8_t* bytes = object_packet(vm, out.helper, packet->data, ctx_len);
    if (!bytes && ctx_len > 0) return 0;
    return output_sample(vm, *host, *m, flags, src, size, {bytes, size_t(ctx_len)});
}

uint64_t xdp_output(Vm& vm, uint64_t xdp, uint64_t map_handle, uint64_t flags, uint64_t data, uint64_t size) {
    static constexpr TracedOutput kXdp{"bpf_xdp_output", "struct xdp_buff",
                                       "Pass the xdp_buff the fentry/fexit program received.", xdp_buff_packet};
    return traced_output(vm, kXdp, xdp, map_handle, flags, data, size);
}

uint64_t skb_output(Vm& vm, uint64_t skb, uint64_t map_handle, uint64_t flags, uint64_t data, uint64_t size) {
    static constexpr TracedOutput kSkb{"bpf_skb_output", "struct sk_buff",
                                       "Pass the sk_buff the tracing program received.", sk_buff_packet};
    return traced_output(vm, kSkb, skb, map_handle, flags, data, size);
}

// get_map_perf_counter and perf_event_read_local (kernel/trace/bpf_trace.c,
// kernel/events/core.c): the event in slot `flags & BPF_F_INDEX_MASK` (or this CPU's), which
// must be a per-CPU event of the CPU the program runs on.
struct CounterRead {
    int64_t err = 0;
    PerfCounter value;
};

CounterRead read_slot(Vm& vm, Host& host, const char* helper, const Map& m, uint64_t flags) {
    if (flags & ~kIndexMask) return {-e::kEINVAL, {}};
    uint64_t index = flags & kIndexMask;
    if (index == kCurrentCpu) index = host.cpu;
    if (index >= m.max_entries()) return {-e::kE2BIG, {}};
    const auto event_cpu = static_cast<const FdArrayMap&>(m).reference_at(uint32_t(index));
    if (!event_cpu) return {-e::kENOENT, {}};
    if (*event_cpu != host.cpu) return {-e::kEINVAL, {}};  // a per-CPU event of another CPU
    const auto it = host.perf_counters.find(*event_cpu);
    if (it != host.perf_counters.end()) return {0, it->second};
    log_host_event(vm, host, helper,
                   "slot " + std::to_string(index) + " holds the bpf-output event a perf buffer reader opened on CPU " +
                       std::to_string(*event_cpu) +
                       ", which counts nothing: 0 (give the host a perf_counters entry for that CPU to read a counter)");
    return {0, {}};
}

Map* perf_array(Vm& vm, const char* helper, uint64_t map_handle) {
    Map* m = vm.env && vm.env->maps ? vm.env->maps->from_handle(map_handle) : nullptr;
    if (!m || m->type() != MapType::PerfEventArray) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": r1 does not hold a perf_event_array map",
                                  std::nullopt, "Pass the map declared with BPF_MAP_TYPE_PERF_EVENT_ARRAY."));
        return nullptr;
    }
    return m;
}

// struct bpf_perf_event_value { __u64 counter; __u64 enabled; __u64 running; }
constexpr uint32_t kPerfEventValueSize = 24;

void store_value(uint8_t* out, const PerfCounter& c) {
    store_le<uint64_t>(out, c.counter);
    store_le<uint64_t>(out + 8, c.enabled_ns);
    store_le<uint64_t>(out + 16, c.running_ns);
}

// The counter itself, or a negative errno (which a counter that large cannot be told from:
// the reason bpf_perf_event_read_value exists).
uint64_t perf_event_read(Vm& vm, uint64_t map_handle, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_perf_event_read";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const Map* m = perf_array(vm, kName, map_handle);
    if (!m) return 0;
    const CounterRead r = read_slot(vm, *host, kName, *m, flags);
    return r.err ? uint64_t(r.err) : r.value.counter;
}

uint64_t perf_event_read_value(Vm& vm, uint64_t map_handle, uint64_t flags, uint64_t buf, uint64_t size_arg,
                               uint64_t) {
    constexpr const char* kName = "bpf_perf_event_read_value";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const Map* m = perf_array(vm, kName, map_handle);
    if (!m) return 0;
    const uint32_t size = uint32_t(size_arg);
    uint8_t* out = size ? vm.memory().helper_ptr(buf, size, true) : nullptr;
    if (!out) {
        fail_helper_access(vm, kName, buf, size, Access::HelperWrite);
        return 0;
    }
    int64_t err = -e::kEINVAL;
    if (size == kPerfEventValueSize) {
        const CounterRead r = read_slot(vm, *host, kName, *m, flags);
        if (r.err == 0) {
            store_value(out, r.value);
            return 0;
        }
        err = r.err;
    }
    std::memset(out, 0, size);
    return uint64_t(err);
}

// A perf_event program's own event: the sampling event on the CPU it runs on.
uint64_t perf_prog_read_value(Vm& vm, uint64_t, uint64_t buf, uint64_t size_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_perf_prog_read_value";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const uint32_t size = uint32_t(size_arg);
    uint8_t* out = size ? vm.memory().helper_ptr(buf, size, true) : nullptr;
    if (!out) {
        fail_helper_access(vm, kName, buf, size, Access::HelperWrite);
        return 0;
    }
    if (size != kPerfEventValueSize) {
        std::memset(out, 0, size);
        return uint64_t(-e::kEINVAL);
    }
    const auto it = host->perf_counters.find(host->cpu);
    if (it == host->perf_counters.end()) {
        std::memset(out, 0, size);
        log_host_event(vm, *host, kName,
                       "the host has no perf_counters entry for CPU " + std::to_string(host->cpu) +
                           ", the sampling event's counter: 0 counted so far");
        return 0;
    }
    store_value(out, it->second);
    return 0;
}

} // namespace

namespace {

constexpr HelperImpl kPerfEventHelperImpls[] = {
    {22, perf_event_read},        // bpf_perf_event_read
    {25, perf_event_output},      // bpf_perf_event_output
    {55, perf_event_read_value},  // bpf_perf_event_read_value
    {56, perf_prog_read_value},   // bpf_perf_prog_read_value
    {111, skb_output},            // bpf_skb_output
    {121, xdp_output},            // bpf_xdp_output
};

}  // namespace

std::span<const HelperImpl> perf_event_helper_impls() { return kPerfEventHelperImpls; }

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
