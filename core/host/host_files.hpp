#pragma once
// The current task's open files: its file descriptor table (the kernel's files_struct and
// fdtable, what /proc/<pid>/fd lists), which an iter/task_file program walks. Each descriptor is
// laid out in the emulated kernel's memory (core/host/kernel_objects.cpp): a path's struct file
// with its dentries and inode, or a host socket's struct file (file->private_data the struct
// socket), so a program reads file->f_path.dentry->d_name.name or file->f_inode->i_ino at 6.18's
// offsets.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfplay {

struct HostOpenFile {
    uint32_t fd = 0;
    // An absolute path ("/dev/pts/0"); empty when the descriptor is a socket.
    std::string path;
    // The index of a host socket (Host::net.sockets) the descriptor is open on.
    std::optional<uint32_t> socket;
    friend bool operator==(const HostOpenFile&, const HostOpenFile&) = default;
};

// Descriptors below NR_OPEN_DEFAULT (BITS_PER_LONG) live in the table embedded in files_struct;
// a higher one makes the kernel allocate a larger fdtable (fdtable_max_fds below). The host
// takes descriptors up to kMaxHostFd.
constexpr uint32_t kNrOpenDefault = 64;
constexpr uint32_t kMaxHostFd = 1023;
constexpr uint32_t kMaxOpenFiles = 256;

// The fdtable's max_fds for a table holding `highest_fd`: 64 (the embedded one), or what
// alloc_fdtable (fs/file.c) rounds a larger request to: the next power of two.
uint32_t fdtable_max_fds(uint32_t highest_fd);

// What a process a shell starts inherits: standard input, output and error on its terminal.
std::vector<HostOpenFile> terminal_open_files();

// A shell-started program: its terminal (above), and a log file it opened for writing.
std::vector<HostOpenFile> default_open_files();

// What init (pid 1) has open: its standard descriptors on /dev/null.
std::vector<HostOpenFile> init_open_files();

}  // namespace bpfplay
