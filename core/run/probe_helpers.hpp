#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_probe_read (4), bpf_probe_read_str (45), bpf_probe_read_user/kernel (112/113) and
// their _str forms (114/115). The emulated machine's user and kernel memory is the VM's own
// readable memory: a pointer outside it reads as a fault would in the kernel (-EFAULT and a
// zeroed buffer), never as an error of the run.
std::span<const HelperImpl> probe_helper_impls();

}  // namespace bpfplay
