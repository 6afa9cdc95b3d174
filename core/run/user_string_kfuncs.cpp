// bpf_copy_from_user_str and bpf_copy_from_user_task_str (kernel/bpf/helpers.c, Linux 6.18):
// a string from the emulated task's user memory (Host::user_memory) into program memory, copied
// as the kernel's strncpy_from_user and copy_remote_vm_str copy it -- 8 bytes at a time where
// they can, which leaves zeros after the NUL up to the end of its word -- with their return
// values and BPF_F_PAD_ZEROS. Both are sleepable: the loader keeps them to sleepable programs.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_vmas.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr uint64_t kPadZeros = 1;                        // BPF_F_PAD_ZEROS


void fail_task(Vm& vm, const char* kfunc) {
    vm.helper_fail(make_error(ErrorKind::Runtime,
                              std::string(kfunc) + ": r4 is not a task_struct the emulated kernel has: the kernel's "
                                                   "verifier refuses the call",
                              vm.current_pc(), "Pass a task from bpf_get_current_task_btf() or a BTF pointer to one."));
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
    if (src >= kTaskSizeMax) return -kerrno::kEFAULT;
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
        if (host.read_user(src + uint64_t(res), &c, 1) != 1) return -kerrno::kEFAULT;
        out[res] = c;
        if (c == 0) return res;
        res++;
        max--;
    }
    return res >= count ? res : -kerrno::kEFAULT;
}

// What both user-string kfuncs do around their copy: the flags, a zero size, the destination
// (valid program memory: the verifier checks dst and dst__sz) and BPF_F_PAD_ZEROS. copy(host,
// out, size) gives the length copied or a negative errno; `nul` writes the NUL after the
// length (bpf_copy_from_user_str does; copy_remote_vm_str has already).
template <class Copy>
uint64_t user_string(Vm& vm, const char* kfunc, uint64_t dst, uint64_t size64, uint64_t flags, bool nul, Copy copy) {
    if (flags & ~kPadZeros) return helper_errno(kerrno::kEINVAL);
    const uint32_t size = uint32_t(size64);
    if (size == 0) return 0;
    const Host* host = host_for(vm, kfunc);
    if (!host) return 0;
    uint8_t* out = destination(vm, kfunc, dst, size);
    if (!out) return 0;
    const int64_t n = copy(*host, out, size);
    if (n < 0) {
        if (flags & kPadZeros) std::memset(out, 0, size);
        return uint64_t(n);
    }
    if (flags & kPadZeros) std::memset(out + n, 0, size_t(size - uint32_t(n)));
    else if (nul) out[n] = 0;
    return uint64_t(n + 1);
}

// int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, u64 flags)
uint64_t copy_from_user_str(Vm& vm, uint64_t dst, uint64_t size, uint64_t src, uint64_t flags, uint64_t) {
    return user_string(vm, "bpf_copy_from_user_str", dst, size, flags, true,
                       [src](const Host& host, uint8_t* out, uint32_t n) {
                           return strncpy_from_user(host, out, src, int64_t(n) - 1);
                       });
}

// strscpy(out, src, count) over the task's user memory (lib/string.c on x86-64): whole words
// while 8 bytes are left in the count (the word holding the NUL is stored with zeros after it;
// when the count ends inside a word, that word's last byte becomes the NUL), then byte by byte;
// out is always NUL-terminated. The length, or -E2BIG when the source did not end within
// count - 1 bytes. bpfplay's user memory ends where its regions do: a byte past them is -EFAULT
// (in the kernel the rest of the page would still be read).
int64_t strscpy_user(const Host& host, uint8_t* out, uint64_t src, uint64_t count) {
    if (count == 0) return -kerrno::kE2BIG;
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
            return -kerrno::kE2BIG;
        }
        std::memcpy(out + res, w, 8);
        res += 8;
        max -= 8;
    }
    uint8_t c = 0;
    while (count > 1) {
        if (host.read_user(src + res, &c, 1) != 1) return -kerrno::kEFAULT;
        out[res] = c;
        if (c == 0) return int64_t(res);
        res++;
        count--;
    }
    out[res] = 0;
    if (host.read_user(src + res, &c, 1) != 1) return -kerrno::kEFAULT;
    return c ? -kerrno::kE2BIG : int64_t(res);
}

// copy_remote_vm_str(tsk, addr, buf, len) (mm/memory.c): buf[0] = NUL; -EFAULT unless a mapping
// holds addr; then page by page, strscpy of what is left of the page (the page's last byte is
// copied on its own when the string goes on); the length copied (len - 1 when the string was
// longer), or -EFAULT at memory it cannot reach (what was copied stays). Only the current
// task's memory is modelled (its parent's is not; init_task has none).
using uapi::kPageSize;

int64_t copy_remote_vm_str(const Host& host, uint32_t task, uint64_t addr, uint8_t* out, uint64_t len) {
    out[0] = 0;
    uint8_t probe;
    if (task != 0 || host.read_user(addr, &probe, 1) != 1) return -kerrno::kEFAULT;
    uint64_t buf = 0;
    while (len) {
        const uint64_t bytes = std::min<uint64_t>(len, kPageSize - (addr & (kPageSize - 1)));
        const int64_t r = strscpy_user(host, out + buf, addr, bytes);
        if (r >= 0) return int64_t(buf + uint64_t(r));
        if (r == -kerrno::kEFAULT) return -kerrno::kEFAULT;
        buf += bytes - 1;
        if (bytes != len) {
            addr += bytes - 1;
            if (host.read_user(addr, out + buf, 1) != 1) return -kerrno::kEFAULT;
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
        fail_task(vm, kName);
        return 0;
    }
    return user_string(vm, kName, dst, size64, flags, false, [src, index](const Host& host, uint8_t* out, uint32_t n) {
        return copy_remote_vm_str(host, *index, src, out, n);
    });
}

constexpr KfuncImpl kUserStringKfuncImpls[] = {
    {"bpf_copy_from_user_str", copy_from_user_str},
    {"bpf_copy_from_user_task_str", copy_from_user_task_str},
};

} // namespace

std::span<const KfuncImpl> user_string_kfunc_impls() { return kUserStringKfuncImpls; }

} // namespace bpfplay
