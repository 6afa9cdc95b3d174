#include "process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace bpfplay::test {
namespace {

// An unlinked-on-close scratch file; files (not pipes) keep the runner free of deadlocks
// whatever the child writes.
int scratch_fd() {
    std::string pattern = std::string(BPFPLAY_CLI_TMP_DIR) + "/scratch-XXXXXX";
    int fd = mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed in " BPFPLAY_CLI_TMP_DIR);
    unlink(pattern.c_str());
    return fd;
}

std::string read_fd(int fd) {
    std::string out;
    lseek(fd, 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        out.append(buf, size_t(n));
    return out;
}

} // namespace

namespace {

ProcessResult spawn_bpfvm(const std::vector<std::string>& args, std::string_view stdin_text, bool merged) {
    int in = scratch_fd(), out = scratch_fd(), err = scratch_fd();
    if (write(in, stdin_text.data(), stdin_text.size()) != ssize_t(stdin_text.size()))
        throw std::runtime_error("cannot write the child's stdin");
    lseek(in, 0, SEEK_SET);

    std::vector<std::string> argv_strings{BPFVM_PATH};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings)
        argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in, 0);
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_adddup2(&actions, merged ? out : err, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, BPFVM_PATH, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " BPFVM_PATH);

    int status = 0;
    waitpid(pid, &status, 0);
    ProcessResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_fd(out);
    result.err = read_fd(err);
    close(in);
    close(out);
    close(err);
    return result;
}

} // namespace

ProcessResult run_bpfvm(const std::vector<std::string>& args, std::string_view stdin_text) {
    return spawn_bpfvm(args, stdin_text, false);
}

ProcessResult run_bpfvm_merged(const std::vector<std::string>& args, std::string_view stdin_text) {
    return spawn_bpfvm(args, stdin_text, true);
}

TempFile::TempFile(std::string_view content, const char* suffix) {
    std::string pattern = std::string(BPFPLAY_CLI_TMP_DIR) + "/prog-XXXXXX" + suffix;
    int fd = mkstemps(pattern.data(), int(std::string_view(suffix).size()));
    if (fd < 0) throw std::runtime_error("mkstemps failed");
    if (write(fd, content.data(), content.size()) != ssize_t(content.size()))
        throw std::runtime_error("cannot write a temporary program");
    close(fd);
    path_ = pattern;
}

TempFile::~TempFile() {
    unlink(path_.c_str());
}

std::string read_whole_file(const std::string& path) {
    std::string out;
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
            out.append(buf, n);
        std::fclose(f);
    }
    return out;
}

std::string example(const char* name) {
    return std::string(BPFPLAY_SOURCE_DIR) + "/examples/asm/" + name;
}

std::string example_object(const char* name) {
    return std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/" + name;
}

} // namespace bpfplay::test
