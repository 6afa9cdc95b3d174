// bpf_snprintf_btf and bpf_seq_printf_btf (btf_print_helpers.hpp).
#include "core/run/btf_print_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/helper_support.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/btf_show.hpp"
#include "core/run/probe_helpers.hpp"
#include "core/run/seq_file.hpp"
#include "core/run/seq_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr uint64_t kBtfPtrSize = 16;  // sizeof(struct btf_ptr)

struct BtfPtr {
    uint64_t ptr = 0;
    uint32_t type_id = 0;
};

// bpf_btf_printf_prepare: 0 and the object, or the errno. nullopt: the run stopped (the
// btf_ptr is not readable memory, which the verifier checks).
std::optional<int64_t> prepare(Vm& vm, const char* helper, uint64_t ptr_addr, uint64_t ptr_size, uint64_t flags,
                               BtfPtr& out) {
    const uint8_t* p = helper_read(vm, helper, ptr_addr, uint32_t(ptr_size));
    if (!p && ptr_size) return std::nullopt;
    if (flags & ~btf_show_flag::kAll) return -kerrno::kEINVAL;
    if (ptr_size != kBtfPtrSize) return -kerrno::kEINVAL;
    std::memcpy(&out.ptr, p, 8);
    std::memcpy(&out.type_id, p + 8, 4);
    if (out.type_id == 0) return -kerrno::kEINVAL;
    // The kernel keeps the id in an s32: one past 2^31 is "not found" as well.
    if (int32_t(out.type_id) <= 0 || out.type_id >= builtin_target_btf().type_count()) return -kerrno::kENOENT;
    return 0;
}

KernelCopy kernel_copy(Vm& vm) {
    return [&vm](uint8_t* out, uint64_t len, uint64_t src) { return probe_copy(vm, out, len, src, false); };
}

uint64_t snprintf_btf(Vm& vm, uint64_t str, uint64_t str_size, uint64_t ptr, uint64_t ptr_size, uint64_t flags) {
    constexpr const char* kName = "bpf_snprintf_btf";
    uint8_t* dst = vm.memory().helper_ptr(str, str_size, true);
    if (!dst && str_size) {
        fail_helper_access(vm, kName, str, str_size, Access::HelperWrite);
        return 0;
    }
    BtfPtr obj;
    const std::optional<int64_t> ready = prepare(vm, kName, ptr, ptr_size, flags, obj);
    if (!ready) return 0;
    if (*ready) return uint64_t(*ready);
    // btf_type_snprintf_show: every piece is vsnprintf'd into what is left, so the buffer
    // ends up with the text's first str_size - 1 bytes and a NUL once anything was printed.
    std::string text;
    bool printed = false;
    const int64_t status = btf_type_show(builtin_target_btf(), obj.type_id, obj.ptr, flags, kernel_copy(vm),
                                         [&](std::string_view piece) {
                                             printed = true;
                                             text += piece;
                                         });
    if (printed && str_size) {
        const size_t n = std::min<size_t>(text.size(), size_t(str_size - 1));
        std::memcpy(dst, text.data(), n);
        dst[n] = 0;
    }
    return status ? uint64_t(status) : uint64_t(text.size());
}

uint64_t seq_printf_btf(Vm& vm, uint64_t m, uint64_t ptr, uint64_t ptr_size, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_seq_printf_btf";
    SeqFile* seq = iterator_seq_file(vm, kName, m);
    if (!seq) return 0;
    BtfPtr obj;
    const std::optional<int64_t> ready = prepare(vm, kName, ptr, ptr_size, flags, obj);
    if (!ready) return 0;
    if (*ready) return uint64_t(*ready);
    // btf_seq_show: seq_vprintf per piece, which overflows the file instead of failing.
    const int64_t status =
        btf_type_show(builtin_target_btf(), obj.type_id, obj.ptr, flags, kernel_copy(vm), [&](std::string_view piece) {
            seq->write({reinterpret_cast<const uint8_t*>(piece.data()), piece.size()});
        });
    return uint64_t(status);
}

constexpr HelperImpl kBtfPrintHelperImpls[] = {
    {helper_id::kSnprintfBtf, snprintf_btf},      // bpf_snprintf_btf
    {helper_id::kSeqPrintfBtf, seq_printf_btf},  // bpf_seq_printf_btf
};

}  // namespace

std::span<const HelperImpl> btf_print_helper_impls() {
    return kBtfPrintHelperImpls;
}

}  // namespace bpfplay
