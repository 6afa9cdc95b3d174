// bpf_timer_init, bpf_timer_set_callback, bpf_timer_start and bpf_timer_cancel on the host's
// timer table (core/host/bpf_timers.hpp), with kernel/bpf/helpers.c's checks and error codes.
// What the verifier checks at load (the pointer is the struct bpf_timer field of a map value
// whose BTF declares one, the map is that value's map, the callback is a function) stops the
// run here with its message. The runner fires due timers (ObjectSession::run_due_timers).
#include "core/run/timer_helpers.hpp"

#include <optional>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

using uapi::kClockRealtime, uapi::kClockMonotonic, uapi::kClockBoottime;
// bpf_timer_start's flags (Linux 6.4 and 6.7; the running kernel has both).
constexpr uint64_t kTimerAbs = 1, kTimerCpuPin = 2;
constexpr uint64_t kTaiUtcOffsetNs = 37'000'000'000ull;  // Host::tai_offset_ns holds TAI - UTC too

uint64_t neg(int64_t e) {
    return uint64_t(-e);
}

// The map value r1 points into, checked as the verifier's process_timer_func does; nullopt
// after failing the run.
std::optional<ValueLocation> timer_arg(Vm& vm, const char* helper, uint64_t addr) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    if (!maps || !vm.env->host) {
        fail(vm, helper, "this run has no maps or host for timers", "Load the program from its ELF object.");
        return std::nullopt;
    }
    std::optional<ValueLocation> loc = maps->from_value_address(addr);
    if (!loc) {
        fail(vm, helper,
             "r1 = " + hex(addr) +
                 " does not point into a map value: the kernel's verifier refuses it (\"R1 type=scalar "
                 "expected=map_value\")",
             "Pass the address of the struct bpf_timer field of a value bpf_map_lookup_elem returned.");
        return std::nullopt;
    }
    const MapSpec& spec = loc->map->spec();
    if (spec.timer_off < 0) {
        fail(vm, helper,
             loc->map->describe() + "'s value has no struct bpf_timer: the kernel's verifier refuses it (\"map '" +
                 loc->map->name() + "' has no valid bpf_timer\")",
             "Declare the map in SEC(\".maps\") with a value struct holding a struct bpf_timer (compile with -g).");
        return std::nullopt;
    }
    if (loc->offset != uint32_t(spec.timer_off)) {
        fail(vm, helper,
             "r1 points " + std::to_string(loc->offset) + " bytes into a value of " + loc->map->describe() +
                 ": the kernel's verifier refuses it (\"off " + std::to_string(loc->offset) +
                 " doesn't point to 'struct bpf_timer' that is at " + std::to_string(spec.timer_off) + "\")",
             "Pass &value->timer.");
        return std::nullopt;
    }
    return loc;
}

// The timer at `loc`, if bpf_timer_init made one for the element there now. A timer whose
// element was deleted (or replaced by another key) went with it, as the kernel frees it.
BpfTimer* live_timer(Host& host, const ValueLocation& loc, uint64_t addr) {
    BpfTimer* t = host.timers.find(addr);
    if (t && (!loc.key || *loc.key != t->key)) {
        host.timers.erase(addr);
        return nullptr;
    }
    return t;
}

uint64_t timer_init(Vm& vm, uint64_t timer, uint64_t map_handle, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_timer_init";
    std::optional<ValueLocation> loc = timer_arg(vm, kName, timer);
    if (!loc) return 0;
    const Map* map = vm.env->maps->from_handle(map_handle);
    if (map != loc->map) {
        fail(vm, kName,
             "r2 is not the map whose value holds the timer (" + loc->map->describe() +
                 "): the kernel's verifier refuses it (\"timer pointer in R1 map_uid=0 doesn't match map pointer "
                 "in R2 map_uid=0\")",
             "Pass the map you looked the value up in.");
        return 0;
    }
    if (flags != kClockRealtime && flags != kClockMonotonic && flags != kClockBoottime) return neg(kerrno::kEINVAL);
    Host& host = *vm.env->host;
    if (live_timer(host, *loc, timer)) return neg(kerrno::kEBUSY);
    BpfTimer t;
    t.addr = timer;
    t.map_id = loc->map_id;
    t.key = *loc->key;
    t.clock = uint32_t(flags);
    host.timers.timers.push_back(std::move(t));
    return 0;
}

uint64_t timer_set_callback(Vm& vm, uint64_t timer, uint64_t callback_fn, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_timer_set_callback";
    std::optional<ValueLocation> loc = timer_arg(vm, kName, timer);
    if (!loc) return 0;
    const Program& prog = vm.program();
    const uint64_t idx = (callback_fn - kCodeBase) / 8;
    if (callback_fn < kCodeBase || (callback_fn - kCodeBase) % 8 != 0 || idx == 0 || idx >= prog.insns.size() ||
        !prog.is_function_entry(uint32_t(idx))) {
        fail(vm, kName,
             "r2 = " + hex(callback_fn) +
                 " is not the address of a function of this program: the kernel's verifier refuses it (\"R2 "
                 "type=scalar expected=func\")",
             "Pass the callback by name: the compiler loads its address (r2 = <function> ll).");
        return 0;
    }
    BpfTimer* t = live_timer(*vm.env->host, *loc, timer);
    if (!t) return neg(kerrno::kEINVAL);
    uint32_t index = 0;
    for (; index < vm.env->programs.size(); ++index)
        if (vm.env->programs[index] == &prog) break;
    t->has_callback = true;
    t->program = index;
    t->callback = uint32_t(idx);
    return 0;
}

uint64_t timer_start(Vm& vm, uint64_t timer, uint64_t nsecs, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_timer_start";
    std::optional<ValueLocation> loc = timer_arg(vm, kName, timer);
    if (!loc) return 0;
    if (flags & ~(kTimerAbs | kTimerCpuPin)) return neg(kerrno::kEINVAL);
    Host& host = *vm.env->host;
    BpfTimer* t = live_timer(host, *loc, timer);
    if (!t || !t->has_callback) return neg(kerrno::kEINVAL);
    const uint64_t now = host.ktime_ns(vm.executed_now());
    uint64_t expires = now + nsecs;
    if (flags & kTimerAbs) {
        // nsecs is a time on the timer's own clock: take its offset from CLOCK_MONOTONIC off.
        uint64_t offset = 0;
        if (t->clock == kClockBoottime) offset = host.boot_offset_ns;
        if (t->clock == kClockRealtime) offset = host.tai_offset_ns - kTaiUtcOffsetNs;
        expires = nsecs > offset ? nsecs - offset : 0;
    }
    t->armed = true;
    t->expires_ns = expires;
    t->armed_seq = host.timers.next_seq++;
    return 0;
}

uint64_t timer_cancel(Vm& vm, uint64_t timer, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_timer_cancel";
    std::optional<ValueLocation> loc = timer_arg(vm, kName, timer);
    if (!loc) return 0;
    Host& host = *vm.env->host;
    BpfTimer* t = live_timer(host, *loc, timer);
    if (!t) return neg(kerrno::kEINVAL);
    if (host.timers.running == timer) return neg(kerrno::kEDEADLK);
    const bool was_armed = t->armed;
    t->armed = false;
    return was_armed ? 1 : 0;
}

constexpr HelperImpl kTimerHelperImpls[] = {
    {helper_id::kTimerInit, &timer_init},
    {helper_id::kTimerSetCallback, &timer_set_callback},
    {helper_id::kTimerStart, &timer_start},
    {helper_id::kTimerCancel, &timer_cancel},
};

}  // namespace

std::span<const HelperImpl> timer_helper_impls() {
    return kTimerHelperImpls;
}

}  // namespace bpfplay
