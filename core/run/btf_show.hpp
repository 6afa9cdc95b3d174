#pragma once
// The kernel's typed-object printer (kernel/bpf/btf.c: btf_type_show and its per-kind show
// operations), which bpf_snprintf_btf and bpf_seq_printf_btf print through:
//
//   (struct iphdr){
//    .ihl = (__u8)0x5,
//    .version = (__u8)0x4,
//    .tot_len = (__be16)10240,
//    ...
//   }
//
// Ported rule for rule, quirks included, because programs compare and parse this text: a
// zero member is left out unless BTF_F_ZERO (each struct or array is walked once silently to
// see whether anything in it would show), bitfields print as hex, a char array prints
// printable bytes as 'c' up to its NUL, enumerators by name, an array of pointers or arrays
// repeats its first element (the kernel advances only by sizes of ints, structs, unions and
// enums), and the object is read 32 bytes at a time through copy_from_kernel_nofault, so an
// unreadable part ends the output with that copy's error.
//
// One difference: the kernel prints a pointer without BTF_F_PTR_RAW as a per-boot hash of
// it (%p); bpfplay prints the address itself, as a kernel booted with no_hash_pointers does,
// the same choice as for %p in bpf_snprintf.
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/btf/btf.hpp"

namespace bpfplay {

namespace btf_show_flag {  // BTF_F_* of <linux/bpf.h>
constexpr uint64_t kCompact = 1, kNoName = 2, kPtrRaw = 4, kZero = 8;
constexpr uint64_t kAll = kCompact | kNoName | kPtrRaw | kZero;
}  // namespace btf_show_flag

// copy_from_kernel_nofault(out, src, len): 0, or a negative errno when [src, src + len) is not
// all readable kernel memory.
using KernelCopy = std::function<int64_t(uint8_t* out, uint64_t len, uint64_t src)>;
// Each piece of text in the order the kernel's show callback receives it (the seq_file variant
// decides overflow piece by piece).
using ShowSink = std::function<void(std::string_view piece)>;

// btf_type_show(btf, type_id, obj) with `flags`: 0, or the status of the last failed read (a
// negative errno; -EINVAL for a type without a size).
int64_t btf_type_show(const Btf& btf, uint32_t type_id, uint64_t obj, uint64_t flags, const KernelCopy& copy,
                      const ShowSink& sink);

}  // namespace bpfplay
