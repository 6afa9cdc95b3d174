#pragma once
// The helpers an iterator's program writes its output with (kernel/trace/bpf_trace.c):
//
//   id  name             returns
//  126  bpf_seq_printf   0; -EOVERFLOW when the seq_file buffer is full (the text is not
//                        written); -EINVAL for a bad format, data_len not a multiple of 8 or
//                        over 12 arguments; -ENOSPC when the strings fill the 512-byte
//                        argument buffer (bpf_bprintf_prepare)
//  127  bpf_seq_write    0; -EOVERFLOW when the bytes do not fit (nothing is written)
//
// Both take the struct seq_file * of ctx->meta->seq (ARG_PTR_TO_BTF_ID): any other pointer is
// what the kernel's verifier refuses, and stops the run. The kernel offers them to iterator
// programs only (SEC("iter/...")). bpf_seq_printf formats as bpf_snprintf and
// bpf_trace_vprintk do (core/host/bprintf.hpp), into what is left of the buffer. The -EBUSY
// of bpf_bprintf_prepare (more than 3 nested users of the per-CPU buffers on one CPU) cannot
// happen here: a program runs alone on its CPU.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kSeqPrintf = 126;
constexpr int32_t kSeqWrite = 127;
}  // namespace helper_id

std::span<const HelperImpl> seq_helper_impls();

class Vm;
struct SeqFile;
// The iterator run's seq_file when `m` is the struct seq_file * the program was given; else
// nullptr, after stopping the run as the kernel's verifier would have refused the program.
SeqFile* iterator_seq_file(Vm& vm, const char* helper, uint64_t m);

}  // namespace bpfplay
