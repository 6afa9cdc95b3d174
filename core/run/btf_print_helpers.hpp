#pragma once
// The helpers that print a kernel object by its BTF type (kernel/trace/bpf_trace.c), in the
// kernel's format (core/run/btf_show.hpp):
//
//   id  name                 returns
//  149  bpf_snprintf_btf     the length of the whole text (as snprintf: what would have been
//                            written), the buffer holding as much as fits and a NUL
//  150  bpf_seq_printf_btf   0 (text that does not fit overflows the seq_file, as
//                            seq_printf does: the iterator's read retries the element)
//
// Both take a struct btf_ptr { void *ptr; __u32 type_id; __u32 flags; } whose type_id is a
// type of the kernel's BTF (bpf_core_type_id_kernel(struct task_struct)): in bpfplay the
// emulated kernel's BTF (core/btf/builtin_target_btf.hpp), which CO-RE resolved it against.
// Errors, in the kernel's order (bpf_btf_printf_prepare): -EINVAL for flags other than
// BTF_F_COMPACT / NONAME / PTR_RAW / ZERO, a btf_ptr_size other than 16, or type_id 0;
// -ENOENT for a type_id the BTF lacks; then the printer's own: -EFAULT (-ERANGE for a user or
// NULL address) when the object cannot be read, -EINVAL for a type without a size (the text
// printed up to there stays in the buffer).
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kSnprintfBtf = 149;
constexpr int32_t kSeqPrintfBtf = 150;
}  // namespace helper_id

std::span<const HelperImpl> btf_print_helper_impls();

}  // namespace bpfplay
