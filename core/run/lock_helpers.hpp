#pragma once
// The helpers on a map value's special fields (core/run/lock_helpers.cpp):
//
//   id  name              returns
//   93  bpf_spin_lock     0 (void); the lock word becomes 1 and the run holds the lock
//   94  bpf_spin_unlock   0 (void); the lock word becomes 0
//  194  bpf_kptr_xchg     the kptr field's old value; the field takes the new one (only NULL
//                         here: bpfplay has no kfunc that acquires a kernel object)
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kSpinLock = 93;
constexpr int32_t kSpinUnlock = 94;
constexpr int32_t kKptrXchg = 194;
} // namespace helper_id

std::span<const HelperImpl> lock_helper_impls();

} // namespace bpfplay
