#pragma once
// The current task's memory map: its virtual memory areas (the kernel's vm_area_struct list,
// what /proc/<pid>/maps shows), which bpf_find_vma searches. Each is laid out in the emulated
// kernel's memory (core/host/kernel_objects.cpp) with its file's struct file and dentries, so a
// callback reads vma->vm_start, vma->vm_file->f_path.dentry->d_name.name at 6.18's offsets.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfplay {

struct HostVma {
    uint64_t start = 0;   // vm_start: page aligned
    uint64_t end = 0;     // vm_end: one past the last byte, page aligned, > start
    std::string perms = "r--p";  // as /proc/<pid>/maps: r or -, w or -, x or -, p (private) or s (shared)
    uint64_t pgoff = 0;   // vm_pgoff: the offset in the file, in pages (maps shows it in bytes)
    // The mapped file's absolute path ("/usr/lib/x86_64-linux-gnu/libc.so.6"); for an anonymous
    // mapping empty, or the name maps shows for it ("[heap]", "[stack]", "[vdso]", "[vvar]").
    std::string file;
    bool file_backed() const { return file.starts_with('/'); }
    friend bool operator==(const HostVma&, const HostVma&) = default;
};

constexpr uint64_t kVmaPageSize = 4096;
// The kernel's TASK_SIZE_MAX on x86-64 with 4-level page tables: user addresses end below it, and
// access_ok() refuses user pointers at or above it (a kernel address passed as a user one).
constexpr uint64_t kTaskSizeMax = 0x00007ffffffff000ull;
// The most areas the host JSON takes (a small process has 20 to 40; each is a kernel object).
constexpr uint32_t kMaxVmas = 256;

// A small PIE program linked against glibc, consistent with the default user memory (argv on
// the stack, the openat path in the binary's data) and the default user stack's frames (main
// and _start in the binary's text, __libc_open64 and __libc_start_main in libc's).
std::vector<HostVma> default_vmas();

// The kernel's vm_flags for `perms`: VM_READ/WRITE/EXEC/SHARED, the VM_MAY* bits mmap gives a
// mapping (VM_MAYSHARE for a shared one), and VM_GROWSDOWN for "[stack]". nullopt when perms is
// not of maps' form.
std::optional<uint64_t> vm_flags_of(const HostVma& vma);

// find_vma(mm, addr) then the check bpf_find_vma adds: the area holding addr, or nullopt.
// `vmas` are sorted by start and do not overlap.
std::optional<uint32_t> vma_holding(const std::vector<HostVma>& vmas, uint64_t addr);

}  // namespace bpfplay
