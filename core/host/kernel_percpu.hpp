#pragma once
// The per-CPU kernel variables the emulated kernel has, for typed __ksym externs
// (`extern const int cpu_number __ksym;`) and bpf_per_cpu_ptr / bpf_this_cpu_ptr.
//
// In the kernel such a symbol's address is a per-CPU offset, not a pointer the program may
// dereference (the verifier types it PTR_TO_PERCPU_BTF_ID); per_cpu_ptr(addr, cpu) adds CPU
// `cpu`'s per-CPU base. Here the loader puts a handle in the lddw: an address in window
// kPercpuHandles, where nothing is mapped, so a direct load faults. The helpers turn a handle
// into CPU c's copy: window kPercpu holds one kPercpuUnit-byte block per CPU, read-only.
//
// Variables (the names and C types of vmlinux's BTF on x86-64):
//   cpu_number  int  the CPU's own number (x86's DEFINE_PER_CPU(int, cpu_number))
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/memory.hpp"

namespace bpfplay {

namespace window {
constexpr uint32_t kPercpu = 5;        // per-CPU kernel variables, one block per CPU, read-only
constexpr uint32_t kPercpuHandles = 7; // their __ksym addresses: unmapped
} // namespace window

struct PercpuVar {
    std::string_view name;
    std::string_view c_type; // for messages: "int"
    uint32_t size = 0;
    uint32_t offset = 0; // in each CPU's block
};

constexpr uint32_t kPercpuUnit = 64; // bytes per CPU block
inline constexpr PercpuVar kPercpuVars[] = {
    {"cpu_number", "int", 4, 0},
};

constexpr uint64_t percpu_handle(const PercpuVar& v) {
    return window_base(window::kPercpuHandles) + v.offset;
}

// The address of CPU `cpu`'s copy of the variable at `offset`.
constexpr uint64_t percpu_address(uint32_t cpu, uint32_t offset) {
    return window_base(window::kPercpu) + uint64_t(cpu) * kPercpuUnit + offset;
}

inline const PercpuVar* find_percpu_var(std::string_view name) {
    for (const PercpuVar& v : kPercpuVars)
        if (v.name == name) return &v;
    return nullptr;
}

// The variable whose handle `addr` is (a handle plus an offset inside the variable counts too,
// as the kernel allows a constant offset into the variable).
inline const PercpuVar* percpu_var_at(uint64_t addr) {
    for (const PercpuVar& v : kPercpuVars)
        if (addr >= percpu_handle(v) && addr - percpu_handle(v) < v.size) return &v;
    return nullptr;
}

} // namespace bpfplay
