// bpf_seq_printf and bpf_seq_write (seq_helpers.hpp), writing into the iterator run's
// SeqFile (seq_file.hpp) as seq_bprintf and seq_write do.
#include "core/run/seq_helpers.hpp"

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/bprintf.hpp"
#include "core/host/helper_support.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/seq_file.hpp"
#include "core/run/string_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

SeqFile* iterator_seq_file(Vm& vm, const char* helper, uint64_t m) {
    SeqFile* seq = vm.env ? vm.env->seq : nullptr;
    if (!seq) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(helper) + ": only iterator programs may call it (the kernel's "
                                                        "verifier says \"unknown func " + helper + "\")",
                                  std::nullopt, "Call it from a SEC(\"iter/...\") program, on ctx->meta->seq."));
        return nullptr;
    }
    if (m != seq->address) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(helper) + ": r1 = " + hex(m) + " is not the iterator's seq_file (" +
                                      hex(seq->address) +
                                      "): the kernel's verifier refuses any other pointer here (ARG_PTR_TO_BTF_ID "
                                      "struct seq_file)",
                                  std::nullopt, "Pass ctx->meta->seq."));
        return nullptr;
    }
    return seq;
}

namespace {

uint64_t seq_printf(Vm& vm, uint64_t m, uint64_t fmt, uint64_t fmt_size, uint64_t data, uint64_t data_len) {
    constexpr const char* kName = "bpf_seq_printf";
    SeqFile* seq = iterator_seq_file(vm, kName, m);
    if (!seq) return 0;
    std::optional<VarargsFormat> f = prepare_varargs_format(vm, kName, fmt, uint32_t(fmt_size), data,
                                                            uint32_t(data_len));
    if (!f) return 0;
    if (f->err) return uint64_t(f->err);
    // seq_bprintf: bstr_printf into what is left; the text goes in only if it fits with a
    // byte to spare, else the buffer is marked overflowed.
    if (!seq->overflowed) {
        const uint32_t left = SeqFile::kSize - seq->count();
        const bprintf::Rendered r = bprintf::render(f->fmt, f->prepared.args, left);
        if (r.length < left) {
            seq->bytes.insert(seq->bytes.end(), r.text.begin(), r.text.end());
            return 0;
        }
    }
    seq->overflowed = true;
    return uint64_t(-kerrno::kEOVERFLOW);
}

uint64_t seq_write(Vm& vm, uint64_t m, uint64_t data, uint64_t len, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_seq_write";
    SeqFile* seq = iterator_seq_file(vm, kName, m);
    if (!seq) return 0;
    const uint32_t n = uint32_t(len);
    const uint8_t* p = helper_read(vm, kName, data, n);
    if (!p && n) return 0;
    return seq->write({p, n}) ? 0 : uint64_t(-kerrno::kEOVERFLOW);
}

constexpr HelperImpl kSeqHelperImpls[] = {
    {helper_id::kSeqPrintf, seq_printf},  // bpf_seq_printf
    {helper_id::kSeqWrite, seq_write},    // bpf_seq_write
};

}  // namespace

std::span<const HelperImpl> seq_helper_impls() {
    return kSeqHelperImpls;
}

}  // namespace bpfplay
