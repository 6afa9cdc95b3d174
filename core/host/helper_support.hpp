#pragma once
// What the host helper files share: finding the Host, reporting failures, and each file's
// table of helpers (add_host_helpers joins them). Internal to core/host.
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"
#include "core/memory.hpp"

namespace bpfplay {

class Vm;
struct Host;

// The Host behind vm.user, or nullptr after stopping the run with an error naming `helper`.
Host* host_for(Vm& vm, const char* helper);

// Stops the run with the memory error for a helper's access to [addr, addr + len), prefixed
// with the helper's name.
void fail_helper_access(Vm& vm, const char* helper, uint64_t addr, uint64_t len, Access access);

// Negative errno values as a helper returns them (sign-extended into r0).
constexpr uint64_t helper_errno(int64_t err) { return uint64_t(-err); }
constexpr int64_t kEINVAL = 22;
constexpr int64_t kENOSPC = 28;

std::span<const HelperSpec> time_helper_specs();
std::span<const HelperSpec> cpu_helper_specs();
std::span<const HelperSpec> task_helper_specs();
std::span<const HelperSpec> trace_printk_helper_specs();

}  // namespace bpfplay
