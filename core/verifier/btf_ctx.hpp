#pragma once
// The context of programs attached through a BPF trampoline or a BTF tracepoint (fentry, fexit,
// fmod_ret, tp_btf, lsm): u64 slots typed by the attach point's BTF prototype, read as the
// kernel's btf_ctx_access allows (kernel/bpf/btf.c). An integer, enum or small struct slot reads
// as a number; a pointer to a kernel struct as PTR_TO_BTF_ID (a kernel object the checker does
// not look inside yet); a pointer to void or an integer as a number.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/loader/prog_types.hpp"

namespace bpfplay {
struct LoadedProgram;
}

namespace bpfplay::verifier {

enum class BtfSlotKind : uint8_t {
    Scalar,         // an integer, enum or struct of at most 8 bytes: a number of any width
    NumberPointer,  // void *, char *, int *...: a number, read as the whole u64
    ObjectPointer,  // a pointer to a kernel struct or union (PTR_TO_BTF_ID), the whole u64
    Unsure,         // a type whose reading the checker does not model: `note` says which
};

struct BtfCtxSlot {
    BtfSlotKind kind = BtfSlotKind::Unsure;
    bool maybe_null = false;  // ObjectPointer: a "__nullable" parameter (PTR_MAYBE_NULL)
    bool trusted = false;     // ObjectPointer: PTR_TRUSTED regardless of the program type (struct_ops)
    uint32_t btf_id = 0;      // ObjectPointer: the struct's type id in the built-in BTF
    std::string note;
};

// What the attach point returns: the kernel ignores a void hook's R0 (check_return_code).
enum class BtfReturn : uint8_t { Unknown, Void, Value };

struct BtfCtx {
    std::string func;                 // the kernel's attach_func_name, which its messages show
    std::string struct_ops;           // a struct_ops program's operations struct ("tcp_congestion_ops")
    std::vector<BtfCtxSlot> args;
    std::optional<BtfCtxSlot> ret;    // ctx[args.size()]: fexit, fmod_ret and lsm read the return value
    std::string unknown;              // non-empty: the slots are not known, and why
    bool skips_data = false;          // a BTF tracepoint: its prototype's void *__data is not a slot
    BtfReturn returns = BtfReturn::Unknown;
};

// The slots of a tracing or LSM program's context; nullopt for other programs and for
// iterators (whose context the kernel types by the iterator's target, not by a prototype).
// A struct_ops program's slots are its member's prototype's parameters.
std::optional<BtfCtx> btf_ctx_for(const LoadedProgram& program);

// What reading (or writing) `size` bytes at `off` of such a context does.
struct BtfCtxAccess {
    enum class Kind : uint8_t { Refused, Number, Object, CannotTell } kind = Kind::CannotTell;
    std::string message;  // Refused: the kernel's log line; CannotTell: what is not modelled
    bool maybe_null = false;
    uint32_t btf_id = 0;  // Object: the struct pointed to
    bool trusted = false; // Object: the slot is trusted whatever the program type
};
BtfCtxAccess btf_ctx_access(ProgType type, const BtfCtx* ctx, int32_t off, uint32_t size, bool write);

}  // namespace bpfplay::verifier
