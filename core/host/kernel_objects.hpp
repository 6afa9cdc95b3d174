#pragma once
// The emulated kernel's objects a program can point at: for now the task_structs behind
// bpf_get_current_task() / bpf_get_current_task_btf(). They live in window::kKernel, mapped
// read-only (the kernel's memory is not the program's to write), laid out as the built-in
// target BTF describes them (core/btf/kernel_layout.hpp), so CO-RE-relocated reads --
// BPF_CORE_READ(task, real_parent, pid) through bpf_probe_read_kernel -- find the values:
//
//   offset 0                   current     (Host::task: pid, tgid, comm)
//   offset 1 * kSize           its parent  (pid 1, "systemd")
//   offset 2 * kSize           init_task   (pid 0, "swapper/0"; its own parent, as in Linux)
//
// real_parent and parent of each point at the next one down that chain.
#include <array>
#include <cstdint>

#include "core/btf/kernel_layout.hpp"
#include "core/memory.hpp"

namespace bpfplay {

struct Host;

// The bytes; owned by the run and kept alive as long as the Vm that maps them.
struct KernelObjects {
    static constexpr uint32_t kTaskCount = 3;
    std::array<uint8_t, kTaskCount * kernel_layout::task_struct::kSize> bytes{};
};

// The address bpf_get_current_task() returns (the current task_struct).
constexpr uint64_t current_task_address() { return window_base(window::kKernel); }

// Fills `storage` from the host's task and maps it read-only at window::kKernel.
void map_kernel_objects(Memory& memory, const Host& host, KernelObjects& storage);

}  // namespace bpfplay
