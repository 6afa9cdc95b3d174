#pragma once
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_probe_read (4), bpf_probe_read_str (45), bpf_probe_read_user/kernel (112/113) and
// their _str forms (114/115). The emulated machine's user and kernel memory is the VM's own
// readable memory: a pointer outside it reads as a fault would in the kernel (-EFAULT and a
// zeroed buffer), never as an error of the run.
std::span<const HelperImpl> probe_helper_impls();

class Vm;

// The copies these helpers and the bpf_probe_read_*_dynptr kfuncs make into `out` (host memory
// already checked), from the run's memory or, for `user`, the task's user memory: 0 or -EFAULT
// (copy_from_*_nofault; -ERANGE for a kernel read of a user-space address the run does not map),
// and for strings the length including the NUL (at most size - 1 bytes and a NUL) or the same
// errors (strncpy_from_*_nofault). On failure `out` is as it was or partly
// written; the helpers then zero it, the kfuncs do not.
int64_t probe_copy(Vm& vm, uint8_t* out, uint64_t size, uint64_t src, bool user);
int64_t probe_copy_str(Vm& vm, uint8_t* out, uint64_t size, uint64_t src, bool user);

}  // namespace bpfplay
