#pragma once
// What the helper files share: finding the Host, reporting failures, and each host file's
// table of helpers (core/run/kernel_helpers.cpp joins them).
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"
#include "core/memory.hpp"

namespace bpfplay {

class Vm;
struct Host;

// The run's Host (Vm::env->host), or nullptr after stopping the run with an error naming `helper`.
Host* host_for(Vm& vm, const char* helper);

// Stops the run with the memory error for a helper's access to [addr, addr + len), prefixed
// with the helper's name.
void fail_helper_access(Vm& vm, const char* helper, uint64_t addr, uint64_t len, Access access);

// The `size` bytes a helper reads at `addr`, through the checked memory path; nullptr after
// stopping the run with the memory error. A size of 0 reads nothing and stops nothing.
const uint8_t* helper_read(Vm& vm, const char* helper, uint64_t addr, uint32_t size);

// For packet helpers in a run with no XDP or TC hook (a program whose section names no type:
// the catalog refuses them at load for every typed program the kernel would refuse): stops the
// run saying so, and returns 0.
uint64_t no_packet_hook(Vm& vm, const char* helper);

// Negative errno values as a helper returns them (sign-extended into r0).
constexpr uint64_t helper_errno(int64_t err) { return uint64_t(-err); }
constexpr int64_t kEINVAL = 22;
constexpr int64_t kENOSPC = 28;

std::span<const HelperImpl> time_helper_impls();
std::span<const HelperImpl> cpu_helper_impls();
std::span<const HelperImpl> task_helper_impls();
std::span<const HelperImpl> trace_printk_helper_impls();

}  // namespace bpfplay
