#pragma once
// fentry / fexit programs that trace a BPF program instead of a kernel function.
// libbpf's user names the target at load time (bpf_program__set_attach_target(prog,
// target_prog_fd, "name")); the section's "fentry/func" is a placeholder. The kernel then gives
// the tracing program the target's kernel context as its argument (btf_ctx_access translates
// the target's struct xdp_md * to struct xdp_buff *, struct __sk_buff * to struct sk_buff *)
// and, to fexit, the target's int return value after it.
//
// bpfplay cannot know the target from the object alone, so it guesses (guess_traced_programs):
// the type whose kernel context the program's own code reads (struct xdp_buff: XDP; struct
// sk_buff: TC), and the object's only program of that type if it has one. The user may choose
// another type or program of the object (set_traced_program).
#include <string_view>

#include "core/error.hpp"
#include "core/loader/prog_types.hpp"

namespace bpfplay {

class Btf;
struct BtfExt;
struct LoadedObject;
struct LoadedProgram;

// A TRACING program of attach type fentry / fexit whose attach target the built-in vmlinux BTF
// has no function of (the kernel refuses fmod_ret on a BPF program: it is no error-injection site).
bool traces_bpf_program(const LoadedProgram& p);

// Sets each such program's traced_type and, when the object has exactly one program of that
// type, traced_program to it (the program it most likely watches). The type: from the first
// CO-RE access in the program's own code rooted at struct xdp_buff or struct sk_buff (what
// BPF_PROG's typed argument is read as), else guess_traced_type.
void guess_traced_programs(LoadedObject& object, const Btf* object_btf, const BtfExt* ext);

// The target type guessed from the object's BTF (nullptr: none): Xdp when it declares struct
// xdp_buff, SchedCls when struct sk_buff, Unspec when neither.
ProgType guess_traced_type(const Btf* object_btf);

// The kernel struct a program of `type` gets as its context in the kernel ("xdp_buff",
// "sk_buff"), or "" when tracing such a program is not modelled.
std::string_view traced_ctx_struct(ProgType type);

// Sets the program's traced_type / traced_program from `target`: a program of the object by
// name, or a program type's name ("xdp", "sched_cls", "tc" for sched_cls). Errors name the
// choices.
Result<Unit> set_traced_program(LoadedObject& object, std::string_view program, std::string_view target);

}  // namespace bpfplay
