#pragma once
// The call stack helpers (core/run/stack_helpers.cpp), over the current task's stacks in the
// host model (Host::kernel_stack, Host::user_stack), as kernel/bpf/stackmap.c walks them:
//
//   id  name              returns
//   27  bpf_get_stackid   the stack's id in a BPF_MAP_TYPE_STACK_TRACE map; -EINVAL for unknown
//                         flags, -EFAULT when `skip` leaves no frame (or the stack is empty),
//                         -EEXIST when another stack holds its bucket (without
//                         BPF_F_REUSE_STACKID), -ENOMEM when max_entries stacks are stored
//   67  bpf_get_stack     bytes written into the buffer (frames x 8, or x 32 with
//                         BPF_F_USER_BUILD_ID), the rest zeroed; -EINVAL for unknown flags,
//                         BPF_F_USER_BUILD_ID without BPF_F_USER_STACK, or a size that is not a
//                         multiple of a frame; -EFAULT when `skip` passes the stack's end
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kGetStackid = 27;
constexpr int32_t kGetStack = 67;
} // namespace helper_id

std::span<const HelperImpl> stack_helper_impls();

} // namespace bpfplay
