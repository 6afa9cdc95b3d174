// More kfuncs of kernel/bpf/helpers.c (Linux 6.18) that need only memory: the open-coded bit
// iterator (bpf_iter_bits_new / _next / _destroy), bpf_copy_from_user_str and
// bpf_copy_from_user_task_str (sleepable: the loader keeps them to sleepable programs), and
// __bpf_trap. Kernel and user memory are as core/run/string_kfuncs.cpp describes: the
// program's own memory is kernel memory, the emulated task's user memory is Host::user_memory.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/kfunc_kernel_memory.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int64_t kE2BIG = 7, kEFAULT = 14, kERANGE = 34;
constexpr uint64_t kTaskSizeMax = 0x00007ffffffff000ull; // x86-64's TASK_SIZE_MAX
constexpr uint64_t kPadZeros = 1;                        // BPF_F_PAD_ZEROS

uint64_t err(int64_t e) { return helper_errno(e); }

void fail(Vm& vm, const char* kfunc, std::string what, std::string hint = {}) {
    vm.helper_fail(make_error(ErrorKind::Runtime, std::string(kfunc) + ": " + std::move(what), vm.current_pc(),
                              std::move(hint)));
}

// copy_from_kernel_nofault(dst, src, size): -ERANGE for a non-kernel address, -EFAULT where the
// bytes cannot be read (bpfplay's windows are its kernel memory; the kernel half holds nothing).
int64_t copy_from_kernel(Vm& vm, uint8_t* out, uint64_t src, uint32_t size) {
    if (!kernel_address(src)) return -kERANGE;
    const uint8_t* p = src >= kKernelHalfStart ? nullptr : vm.memory().helper_ptr(src, size, false);
    if (!p) return -kEFAULT;
    std::memcpy(out, p, size);
    return 0;
}

// struct bpf_iter_bits_kern, the 16 bytes of the program's struct bpf_iter_bits:
//   union { u64 *bits; u64 bits_copy; }; int nr_bits; int bit;
// One word (64 bits) is copied into bits_copy as the kernel does. For more words the kernel
// copies them into memory it allocates; bpfplay keeps the source address in `bits` instead and
// reads the words when next asks for them, so a program that changes the words while it
// iterates sees its change (the kernel would not).
constexpr uint32_t kBitsIterMaxWords = 511; // BITS_ITER_NR_WORDS_MAX

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

// int bpf_iter_bits_new(struct bpf_iter_bits *it, const u64 *unsafe_ptr__ign, u32 nr_words)
uint64_t iter_bits_new(Vm& vm, uint64_t it, uint64_t words, uint64_t nr_words64, uint64_t, uint64_t) {
    uint8_t* p = iter_bytes(vm, "bpf_iter_bits_new", it);
    if (!p) return 0;
    const uint32_t nr_words = uint32_t(nr_words64);
    BitsIter s{0, 0, -1};
    store_iter(p, s);
    if (words == 0 || nr_words == 0) return err(kEINVAL);
    if (nr_words > kBitsIterMaxWords) return err(kE2BIG);
    if (nr_words == 1) {
        // The u64 fast path maps every failure of the read to -EFAULT.
        if (copy_from_kernel(vm, reinterpret_cast<uint8_t*>(&s.bits), words, 8) != 0) return err(kEFAULT);
    } else {
        // bpf_probe_read_kernel_common's error as it is: -ERANGE for a user address.
        std::vector<uint8_t> probe(size_t(nr_words) * 8);
        if (int64_t e = copy_from_kernel(vm, probe.data(), words, nr_words * 8); e != 0) return uint64_t(e);
        s.bits = words;
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
    // find_next_bit(bits, nr_bits, bit + 1)
    int32_t next = s.nr_bits;
    for (int32_t w = (s.bit + 1) / 64; w < s.nr_bits / 64; ++w) {
        uint64_t word = s.bits;
        if (s.nr_bits != 64) {
            const uint8_t* src = vm.memory().helper_ptr(s.bits + uint64_t(w) * 8, 8, false);
            if (!src) {
                fail(vm, kName, "the words the iterator was made over can no longer be read",
                     "bpfplay reads a multi-word bit iterator's words as it goes; keep them where they were.");
                return 0;
            }
            std::memcpy(&word, src, 8);
        }
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

// void bpf_iter_bits_destroy(struct bpf_iter_bits *it): the kernel frees its copy; bpfplay has none.
uint64_t iter_bits_destroy(Vm& vm, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
    iter_bytes(vm, "bpf_iter_bits_destroy", it);
    return 0;
}

uint8_t* destination(Vm& vm, const char* kfunc, uint64_t dst, uint32_t size) {
    uint8_t* out = vm.memory().helper_ptr(dst, size, /*write=*/true);
    if (!out) fail_helper_access(vm, kfunc, dst, size, Access::HelperWrite);
    return out;
}

// strncpy_from_user(out, src, count) on x86-64: access_ok, then 8 bytes at a time while 8 fit
// in what is left (the word holding the NUL is stored with zeros after it), byte by byte after
// that or after a word that cannot be read; the length without the NUL, count when no NUL came
// first, -EFAULT at an unreadable byte (the bytes before it stay copied).
int64_t strncpy_from_user(const Host& host, uint8_t* out, uint64_t src, int64_t count) {
    if (count <= 0) return 0;
    if (src >= kTaskSizeMax) return -kEFAULT;
    int64_t max = std::min<int64_t>(count, int64_t(kTaskSizeMax - src));
    int64_t res = 0;
    while (max >= 8) {
        uint8_t w[8];
        if (host.read_user(src + uint64_t(res), w, 8) != 8) break;
        const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(w, 0, 8));
        if (nul) {
            const int64_t n = nul - w;
            std::memcpy(out + res, w, size_t(n));
            std::memset(out + res + n, 0, size_t(8 - n));
            return res + n;
        }
        std::memcpy(out + res, w, 8);
        res += 8;
        max -= 8;
    }
    while (max > 0) {
        uint8_t c;
        if (host.read_user(src + uint64_t(res), &c, 1) != 1) return -kEFAULT;
        out[res] = c;
        if (c == 0) return res;
        res++;
        max--;
    }
    return res >= count ? res : -kEFAULT;
}

// int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, u64 flags)
uint64_t copy_from_user_str(Vm& vm, uint64_t dst, uint64_t size64, uint64_t src, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_copy_from_user_str";
    if (flags & ~kPadZeros) return err(kEINVAL);
    const uint32_t size = uint32_t(size64);
    if (size == 0) return 0;
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    uint8_t* out = destination(vm, kName, dst, size);
    if (!out) return 0;
    const int64_t n = strncpy_from_user(*host, out, src, int64_t(size) - 1);
    if (n < 0) {
        if (flags & kPadZeros) std::memset(out, 0, size);
        return uint64_t(n);
    }
    if (flags & kPadZeros) std::memset(out + n, 0, size_t(size - uint32_t(n)));
    else out[n] = 0;
    return uint64_t(n + 1);
}

// strscpy(out, src, count) over the task's user memory (lib/string.c on x86-64): whole words
// while 8 bytes are left in the count (the word holding the NUL is stored with zeros after it;
// when the count ends inside a word, that word's last byte becomes the NUL), then byte by byte;
// out is always NUL-terminated. The length, or -E2BIG when the source did not end within
// count - 1 bytes. bpfplay's user memory ends where its regions do: a byte past them is -EFAULT
// (in the kernel the rest of the page would still be read).
int64_t strscpy_user(const Host& host, uint8_t* out, uint64_t src, uint64_t count) {
    if (count == 0) return -kE2BIG;
    uint64_t res = 0, max = count;
    while (max >= 8) {
        uint8_t w[8];
        if (host.read_user(src + res, w, 8) != 8) break;
        if (const void* nul = std::memchr(w, 0, 8)) {
            const uint64_t n = uint64_t(static_cast<const uint8_t*>(nul) - w);
            std::memcpy(out + res, w, n);
            std::memset(out + res + n, 0, 8 - n);
            return int64_t(res + n);
        }
        count -= 8;
        if (count == 0) {
            std::memcpy(out + res, w, 7);
            out[res + 7] = 0;
            return -kE2BIG;
        }
        std::memcpy(out + res, w, 8);
        res += 8;
        max -= 8;
    }
    uint8_t c = 0;
    while (count > 1) {
        if (host.read_user(src + res, &c, 1) != 1) return -kEFAULT;
        out[res] = c;
        if (c == 0) return int64_t(res);
        res++;
        count--;
    }
    out[res] = 0;
    if (host.read_user(src + res, &c, 1) != 1) return -kEFAULT;
    return c ? -kE2BIG : int64_t(res);
}

// copy_remote_vm_str(tsk, addr, buf, len) (mm/memory.c): buf[0] = NUL; -EFAULT unless a mapping
// holds addr; then page by page, strscpy of what is left of the page (the page's last byte is
// copied on its own when the string goes on); the length copied (len - 1 when the string was
// longer), or -EFAULT at memory it cannot reach (what was copied stays). Only the current
// task's memory is modelled (its parent's is not; init_task has none).
constexpr uint64_t kPageSize = 4096;

int64_t copy_remote_vm_str(const Host& host, uint32_t task, uint64_t addr, uint8_t* out, uint64_t len) {
    out[0] = 0;
    uint8_t probe;
    if (task != 0 || host.read_user(addr, &probe, 1) != 1) return -kEFAULT;
    uint64_t buf = 0;
    while (len) {
        const uint64_t bytes = std::min(len, kPageSize - (addr & (kPageSize - 1)));
        const int64_t r = strscpy_user(host, out + buf, addr, bytes);
        if (r >= 0) return int64_t(buf + uint64_t(r));
        if (r == -kEFAULT) return -kEFAULT;
        buf += bytes - 1;
        if (bytes != len) {
            addr += bytes - 1;
            if (host.read_user(addr, out + buf, 1) != 1) return -kEFAULT;
            buf += 1;
            addr += 1;
        }
        len -= bytes;
    }
    return int64_t(buf);
}

// int bpf_copy_from_user_task_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign,
//                                 struct task_struct *tsk, u64 flags)
uint64_t copy_from_user_task_str(Vm& vm, uint64_t dst, uint64_t size64, uint64_t src, uint64_t task,
                                 uint64_t flags) {
    constexpr const char* kName = "bpf_copy_from_user_task_str";
    const std::optional<uint32_t> index = task_index(task);
    if (!index) {
        fail(vm, kName, "r4 is not a task_struct the emulated kernel has: the kernel's verifier refuses the call",
             "Pass a task from bpf_get_current_task_btf() or a BTF pointer to one.");
        return 0;
    }
    if (flags & ~kPadZeros) return err(kEINVAL);
    const uint32_t size = uint32_t(size64);
    if (size == 0) return 0;
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    uint8_t* out = destination(vm, kName, dst, size);
    if (!out) return 0;
    const int64_t n = copy_remote_vm_str(*host, *index, src, out, size);
    if (n < 0) {
        if (flags & kPadZeros) std::memset(out, 0, size);
        return uint64_t(n);
    }
    if (flags & kPadZeros) std::memset(out + n, 0, size_t(size - uint32_t(n)));
    return uint64_t(n + 1);
}

// void __bpf_trap(void): what clang emits for __builtin_trap() and for code it proved
// unreachable. The kernel's verifier refuses any program that calls it.
uint64_t bpf_trap(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    fail(vm, "__bpf_trap", "unexpected __bpf_trap() due to uninitialized variable? (the kernel's verifier refuses it)",
         "clang emits __bpf_trap for __builtin_trap() and for paths it proved unreachable, often after reading an "
         "uninitialized variable.");
    return 0;
}

constexpr KfuncImpl kImpls[] = {
    {"__bpf_trap", bpf_trap},
    {"bpf_copy_from_user_str", copy_from_user_str},
    {"bpf_copy_from_user_task_str", copy_from_user_task_str},
    {"bpf_iter_bits_destroy", iter_bits_destroy},
    {"bpf_iter_bits_new", iter_bits_new},
    {"bpf_iter_bits_next", iter_bits_next},
};

} // namespace

std::span<const KfuncImpl> bits_kfunc_impls() { return kImpls; }

} // namespace bpfplay
