// The open-coded bit iterator of kernel/bpf/helpers.c (Linux 6.18): bpf_iter_bits_new / _next /
// _destroy, which need only memory. Kernel memory is as core/run/string_kfuncs.cpp describes:
// the program's own memory.
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kfunc_kernel_memory.hpp"
#include "core/run/probe_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {



using helper_error::fail;

// copy_from_kernel_nofault(dst, src, size), as bpf_probe_read_kernel reads: -ERANGE for a
// non-kernel address, -EFAULT where the bytes cannot be read.
int64_t copy_from_kernel(Vm& vm, uint8_t* out, uint64_t src, uint32_t size) {
    return probe_copy(vm, out, size, src, /*user=*/false);
}

// struct bpf_iter_bits_kern, the 16 bytes of the program's struct bpf_iter_bits:
//   union { u64 *bits; u64 bits_copy; }; int nr_bits; int bit;
// One word (64 bits) is copied into bits_copy as the kernel does. For more words the kernel
// copies them into memory it allocates (bpf_mem_alloc) and frees it in destroy; bpfplay keeps
// the copy in the run's HelperEnv::bits_iter_copies and `bits` holds its number + 1. Copies are
// kept for the whole run (never reused), so stepping a run backwards in the debugger finds the
// copy each restored iterator was made with; a run may make kMaxCopies of them.
constexpr uint32_t kBitsIterMaxWords = 511; // BITS_ITER_NR_WORDS_MAX
constexpr size_t kMaxCopies = 4096; // per run: at most 8 MiB of copies

struct BitsIter {
    uint64_t bits;
    int32_t nr_bits;
    int32_t bit;
};

uint8_t* iter_bytes(Vm& vm, const char* kfunc, uint64_t it) {
    uint8_t* p = vm.memory().helper_ptr(it, sizeof(BitsIter), /*write=*/true);
    if (!p) fail_helper_access(vm, kfunc, it, sizeof(BitsIter), Access::HelperWrite);
    return p;
}

BitsIter load_iter(const uint8_t* p) {
    BitsIter s;
    std::memcpy(&s.bits, p, 8);
    std::memcpy(&s.nr_bits, p + 8, 4);
    std::memcpy(&s.bit, p + 12, 4);
    return s;
}

void store_iter(uint8_t* p, const BitsIter& s) {
    std::memcpy(p, &s.bits, 8);
    std::memcpy(p + 8, &s.nr_bits, 4);
    std::memcpy(p + 12, &s.bit, 4);
}

// The run's copies, with room for the one made at `key`; nullptr after stopping the run.
std::map<uint64_t, std::vector<uint64_t>>* copies_of(Vm& vm, const char* kfunc, uint64_t key) {
    if (!vm.env) {
        fail(vm, kfunc, "a bit iterator over more than one word needs a run of an object (its copy lives there)");
        return nullptr;
    }
    if (vm.env->bits_iter_copies.size() >= kMaxCopies && !vm.env->bits_iter_copies.count(key)) {
        fail(vm, kfunc, "this run made more than " + std::to_string(kMaxCopies) + " multi-word bit iterators",
             "bpfplay keeps every multi-word bpf_iter_bits copy until the run ends; the kernel frees each in destroy.");
        return nullptr;
    }
    return &vm.env->bits_iter_copies;
}

// The copy a multi-word iterator was made with; nullptr after stopping the run.
const uint64_t* copy_of(Vm& vm, const char* kfunc, const BitsIter& s) {
    const auto* copies = vm.env ? &vm.env->bits_iter_copies : nullptr;
    const auto found = copies && s.bits != 0 ? copies->find(s.bits - 1) : decltype(copies->end()){};
    if (!copies || s.bits == 0 || found == copies->end() || found->second.size() * 64 != size_t(s.nr_bits)) {
        fail(vm, kfunc, "the iterator does not hold a copy bpf_iter_bits_new made",
             "The kernel's verifier refuses an iterator that bpf_iter_bits_new did not initialize.");
        return nullptr;
    }
    return found->second.data();
}

// int bpf_iter_bits_new(struct bpf_iter_bits *it, const u64 *unsafe_ptr__ign, u32 nr_words)
uint64_t iter_bits_new(Vm& vm, uint64_t it, uint64_t words, uint64_t nr_words64, uint64_t, uint64_t) {
    uint8_t* p = iter_bytes(vm, "bpf_iter_bits_new", it);
    if (!p) return 0;
    const uint32_t nr_words = uint32_t(nr_words64);
    BitsIter s{0, 0, -1};
    store_iter(p, s);
    if (words == 0 || nr_words == 0) return helper_errno(kerrno::kEINVAL);
    if (nr_words > kBitsIterMaxWords) return helper_errno(kerrno::kE2BIG);
    if (nr_words == 1) {
        // The u64 fast path maps every failure of the read to -EFAULT.
        if (copy_from_kernel(vm, reinterpret_cast<uint8_t*>(&s.bits), words, 8) != 0) return helper_errno(kerrno::kEFAULT);
    } else {
        const uint64_t key = vm.executed_now();
        std::map<uint64_t, std::vector<uint64_t>>* copies = copies_of(vm, "bpf_iter_bits_new", key);
        if (!copies) return 0;
        std::vector<uint64_t> copy(nr_words);
        // bpf_probe_read_kernel_common's error as it is: -ERANGE for a user address.
        if (int64_t e = copy_from_kernel(vm, reinterpret_cast<uint8_t*>(copy.data()), words, nr_words * 8); e != 0)
            return uint64_t(e);
        (*copies)[key] = std::move(copy);
        s.bits = key + 1;
    }
    s.nr_bits = int32_t(nr_words * 64);
    store_iter(p, s);
    return 0;
}

// int *bpf_iter_bits_next(struct bpf_iter_bits *it): &it->bit holding the next set bit, or NULL.
uint64_t iter_bits_next(Vm& vm, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_iter_bits_next";
    uint8_t* p = iter_bytes(vm, kName, it);
    if (!p) return 0;
    BitsIter s = load_iter(p);
    if (s.nr_bits <= 0 || s.bit >= s.nr_bits) return 0;
    // find_next_bit(bits, nr_bits, bit + 1) over the copy.
    const uint64_t* words = s.nr_bits == 64 ? &s.bits : copy_of(vm, kName, s);
    if (!words) return 0;
    int32_t next = s.nr_bits;
    for (int32_t w = (s.bit + 1) / 64; w < s.nr_bits / 64; ++w) {
        uint64_t word = words[w];
        if (w == (s.bit + 1) / 64) word &= ~uint64_t(0) << ((s.bit + 1) % 64);
        if (word) {
            next = w * 64 + __builtin_ctzll(word);
            break;
        }
    }
    s.bit = next;
    store_iter(p, s);
    return next >= s.nr_bits ? 0 : it + 12;
}

// void bpf_iter_bits_destroy(struct bpf_iter_bits *it): the kernel frees its copy; bpfplay keeps
// it until the run ends (above).
uint64_t iter_bits_destroy(Vm& vm, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
    iter_bytes(vm, "bpf_iter_bits_destroy", it);
    return 0;
}

constexpr KfuncImpl kBitsKfuncImpls[] = {
    {"bpf_iter_bits_destroy", iter_bits_destroy},
    {"bpf_iter_bits_new", iter_bits_new},
    {"bpf_iter_bits_next", iter_bits_next},
};

} // namespace

std::span<const KfuncImpl> bits_kfunc_impls() { return kBitsKfuncImpls; }

} // namespace bpfplay
