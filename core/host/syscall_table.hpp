#pragma once
// x86-64's system calls of the emulated Linux 6.18, both ways: the number a task puts in rax
// (orig_ax in its pt_regs, raw_syscalls:sys_enter's id, a syscalls event's __syscall_nr) and the
// name asm/unistd_64.h gives it (__NR_openat: "openat"). The table is generated
// (tools/syscalls/gen.py, core/host/syscall_table_data.cpp).
#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfplay {

// "openat" -> 257; nullopt for a name x86-64 has no call of.
std::optional<uint32_t> syscall_number(std::string_view name);
// 257 -> "openat"; "" for a number no call has (x86-64's gap from 336 to 424 included).
std::string_view syscall_name(uint32_t nr);
// How many calls the table holds.
uint32_t syscall_count();

}  // namespace bpfplay
