#include "core/host/host_files.hpp"

namespace bpfplay {

uint32_t fdtable_max_fds(uint32_t highest_fd) {
    if (highest_fd < kNrOpenDefault) return kNrOpenDefault;
    // expand_files(files, fd) -> alloc_fdtable(fd + 1): the smallest power of two that many
    // slots fit in (fs/file.c since 6.13; 64-bit).
    uint32_t slots = 1;
    while (slots < highest_fd + 1) slots <<= 1;
    return slots;
}

std::vector<HostOpenFile> terminal_open_files() {
    return {{0, "/dev/pts/0", std::nullopt}, {1, "/dev/pts/0", std::nullopt}, {2, "/dev/pts/0", std::nullopt}};
}

std::vector<HostOpenFile> default_open_files() {
    std::vector<HostOpenFile> files = terminal_open_files();
    files.push_back({3, "/var/log/bpfplay-demo.log", std::nullopt});
    return files;
}

std::vector<HostOpenFile> init_open_files() {
    return {{0, "/dev/null", std::nullopt}, {1, "/dev/null", std::nullopt}, {2, "/dev/null", std::nullopt}};
}

}  // namespace bpfplay
