#include "core/verifier/explain.hpp"

namespace bpfplay::verifier {

Explanation explain(Rule rule) {
    switch (rule) {
    case Rule::None: return {"", ""};
    case Rule::Structure:
        return {"The kernel checks the program's shape before anything else: every jump must land on an instruction "
                "of the program, and every instruction must be reachable.",
                "This usually comes from hand-written bytecode: check the jump offsets."};
    case Rule::UninitRegister:
        return {"A register that was never written on this path holds whatever the kernel left there; reading it "
                "could leak kernel data, so the verifier refuses it. r1-r5 are also unreadable after a call: the "
                "helper or function may have changed them.",
                "Write the register first on every path, or keep the value in r6-r9 across calls."};
    case Rule::FramePointer:
        return {"r10 is the frame pointer: the verifier tracks every stack access relative to it, so it must never change.",
                "Copy r10 to another register and change the copy."};
    case Rule::PacketBounds:
        return {"The packet is only as long as the network delivered it; reading past data_end would read kernel "
                "memory. The verifier lets a program read packet bytes only after it compared a pointer at least "
                "that far into the packet with data_end.",
                "Before reading, check `if (ptr + sizeof(*ptr) > data_end) return ...;` with the same pointer and the "
                "full size of what you read."};
    case Rule::NullPointer:
        return {"A map lookup (and a ring buffer reservation) returns NULL when there is no element; dereferencing "
                "it would crash the kernel, so the verifier requires a NULL check first.",
                "Add `if (!value) return ...;` right after the call and use the pointer only after it."};
    case Rule::NotAPointer:
        return {"Only pointers the verifier can track (context, stack, packet, map value, reserved memory) may be "
                "dereferenced; a number, or a pointer that was released, is not one of them.",
                "Dereference the pointer the helper or the context gave you, not a number computed from it; do not "
                "use a ring buffer record after submitting or discarding it."};
    case Rule::StackBounds:
        return {"Each program has 512 bytes of stack at r10-512 .. r10-1, and the verifier must know which stack "
                "bytes each access touches.",
                "Keep stack accesses within r10-512 .. r10-1 at a known (or bounded) offset; move big buffers to a "
                "per-CPU array map."};
    case Rule::MapValueBounds:
        return {"A map value is exactly value_size bytes; the verifier proves every access stays inside it.",
                "Check the index against the value's size (with an unsigned comparison) before using it."};
    case Rule::MemBounds:
        return {"Memory a helper handed out (a ring buffer record) is exactly as large as requested.",
                "Reserve enough bytes, and bound offsets into the record."};
    case Rule::Context:
        return {"The context (struct xdp_md, struct __sk_buff...) is a view the kernel rewrites into accesses to "
                "its own structures; only the fields it defines for this program type may be read, and only a "
                "few may be written.",
                "Read whole fields at their offsets from <linux/bpf.h>; write only the fields the program type allows."};
    case Rule::PointerArith:
        return {"Pointer arithmetic the verifier cannot bound could reach any kernel memory, so it allows only "
                "adding and subtracting numbers to pointers whose object it knows.",
                "Add bounded numbers to packet, stack or map value pointers; never do arithmetic on pkt_end, map "
                "pointers or pointers that may still be NULL."};
    case Rule::HelperArg:
        return {"Each helper declares what its arguments must be (a map, a pointer to initialized memory of a "
                "known size, the context...), and the verifier checks every call against that.",
                "Pass the map itself (&map), pointers to stack or map memory of the right size, and sizes the "
                "verifier can bound."};
    case Rule::HelperUnavailable:
        return {"Each program type may call only the helpers and kfuncs the kernel offers it, and a kfunc must "
                "exist in the running kernel's BTF (libbpf looks each one up before loading).",
                "Use a helper or kfunc this program type may call on this kernel (bpfvm helpers NAME lists "
                "helpers); declare an optional kfunc __weak and guard its call with bpf_ksym_exists()."};
    case Rule::Reference:
        return {"Some helpers hand out references (a ring buffer record, a socket) that must be given back on "
                "every path; a leaked one would never be freed.",
                "Submit or discard each reserved record (bpf_sk_release each socket) on every path before returning."};
    case Rule::TooComplex:
        return {"The verifier walks every path of the program, and gives up after a million instructions; a loop "
                "it cannot prove ends counts every iteration.",
                "Bound loops with small constants, or use bpf_loop for many iterations."};
    case Rule::CallDepth:
        return {"bpf-to-bpf calls may nest at most 8 deep.", "Flatten the call chain."};
    case Rule::Lock:
        return {"A bpf_spin_lock is a real kernel spin lock: other CPUs spin while it is held, so the verifier "
                "allows one lock at a time, taken on the struct bpf_spin_lock member of a map value, released on "
                "every path, with no calls (helpers, kfuncs, tail calls) and no packet loads in between.",
                "Keep the locked region short: bpf_spin_lock(&v->lock); update v's fields; bpf_spin_unlock(&v->lock); "
                "call helpers before taking the lock or after releasing it."};
    case Rule::LockMap:
        return {"A tracing program can run while the kernel is anywhere, even inside code holding the very lock "
                "(and a socket filter in contexts the lock was not made for): it could spin on a bpf_spin_lock "
                "forever, so the kernel refuses such programs any map whose value holds one, used or not.",
                "Use __sync_fetch_and_add or a per-CPU map for counters here, or move the locked update to a "
                "program type that may take the lock (tc, xdp, fentry/fexit)."};
    case Rule::License:
        return {"Kernel functions (kfuncs) are the kernel's GPL-only interface: only a program whose license is "
                "GPL-compatible may call them.",
                "Declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"Dual BSD/GPL\"; (or \"GPL\")."};
    case Rule::ReturnValue:
        return {"For some program types the return value is a decision the kernel acts on (a cgroup program's "
                "1 allows and 0 refuses; an LSM hook returns 0 or -errno; fentry and fexit must return 0), so the "
                "verifier proves every path returns a number in the range the program type and attach point allow.",
                "Return constants from that range on every path (e.g. `return 1;`), or mask a computed value "
                "into it; a pointer may not be returned there."};
    case Rule::KernelSymbol:
        return {"A typed `extern ... __ksym` variable reaches the kernel as a BTF id; the kernel then looks the "
                "variable's address up in kallsyms. A kernel built without CONFIG_KALLSYMS_ALL lists only "
                "functions there, so no variable is found and the program cannot load.",
                "Run on a kernel with CONFIG_KALLSYMS_ALL=y, or get the value another way (a helper such as "
                "bpf_get_smp_processor_id() for the CPU number)."};
    case Rule::Other: return {"The kernel's verifier refuses this construct.", "See the kernel's message."};
    }
    return {"", ""};
}

const char* verdict_kind_name(VerdictKind kind) {
    switch (kind) {
    case VerdictKind::Accept: return "accept";
    case VerdictKind::Refuse: return "refuse";
    case VerdictKind::CannotTell: return "cannot tell";
    }
    return "?";
}

}  // namespace bpfplay::verifier
