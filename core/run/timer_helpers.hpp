#pragma once
// The BPF timer helpers (core/run/timer_helpers.cpp), on Host::timers:
//
//   id  name                    returns
//  169  bpf_timer_init          0; -EBUSY when the timer exists, -EINVAL for a clock other than
//                               CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME
//  170  bpf_timer_set_callback  0; -EINVAL before bpf_timer_init
//  171  bpf_timer_start         0; -EINVAL before init or set_callback, or for unknown flags
//                               (BPF_F_TIMER_ABS and BPF_F_TIMER_CPU_PIN are known)
//  172  bpf_timer_cancel        1 when the timer was armed, 0 when not; -EINVAL before init,
//                               -EDEADLK from the timer's own callback
// A due timer's callback(map, key, value) runs after the program's run, on the virtual clock
// (ObjectSession::run_due_timers).
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kTimerInit = 169;
constexpr int32_t kTimerSetCallback = 170;
constexpr int32_t kTimerStart = 171;
constexpr int32_t kTimerCancel = 172;
} // namespace helper_id

std::span<const HelperImpl> timer_helper_impls();

} // namespace bpfplay
