#pragma once
// The references to kernel objects (task_structs, cgroups) a program holds, as the verifier
// tracks them: an acquiring kfunc (KF_ACQUIRE: bpf_task_from_pid, bpf_cgroup_acquire...) or
// bpf_kptr_xchg's old pointer gives the program one; a releasing kfunc (KF_RELEASE) or storing
// it into a map's kptr field with bpf_kptr_xchg takes it back. They live beside the ring buffer
// dynptrs in the run's reference table (Host::dynptrs, dynptr_table.hpp), so the run's one exit
// check and tail call check (dynptr_exit_check, dynptr_tail_call_check) refuse a leak of
// either, with the verifier's words.
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/host/dynptr_table.hpp"

namespace bpfplay {

class Vm;
struct Host;

// "task_struct" or "cgroup": the kernel's struct name (a kptr field's type).
const char* kernel_object_type(KernelObjectKind kind);
// The kind of the kernel object starting at `addr`, if it is one of the host's tasks or cgroups.
std::optional<KernelObjectKind> kernel_object_at(const Host& host, uint64_t addr);
// "task 4242 (bpfplay-demo)", "cgroup 5 (/user.slice/...)": the object at `addr` for messages.
std::string describe_kernel_object(const Host& host, uint64_t addr);

// The program now holds a reference to `addr`, acquired by `by` at the current instruction.
void acquire_reference(Vm& vm, Host& host, uint64_t addr, KernelObjectKind kind, const char* by);
// Whether the program holds a reference to `addr`.
bool holds_reference(const Host& host, uint64_t addr);
// Whether it held one and gave it back (released it, or moved it into a map): the register that
// held it is no longer a pointer for the verifier.
bool gave_back_reference(const Host& host, uint64_t addr);
// Gives back the newest reference the program holds to `addr`: false (nothing changed) when it
// holds none.
bool drop_reference(Host& host, uint64_t addr);
// The verifier's refusal of a release (or a kptr store) of `addr`, a pointer the program does not
// hold a reference to, in the words its 6.18 verifier used.
std::string not_held_words(const Host& host, uint64_t addr, const char* reg, KernelObjectKind kind);

// The verifier's refusal when the program still holds a kernel object reference, at its exit
// (tail_call false) or at a bpf_tail_call; nullopt when it holds none.
std::optional<Error> held_object_error(Vm& vm, bool tail_call);

} // namespace bpfplay
