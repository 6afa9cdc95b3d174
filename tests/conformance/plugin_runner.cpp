// Runs every tests/conformance/data/*.data program through the bpfvm executable's
// bpf_conformance plugin interface: `bpfvm plugin [MEM_HEX] --program PROGRAM_HEX` prints r0 as
// lowercase hex (no 0x) and a newline and exits 0, or prints an error on stderr and exits 1.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "conformance/check_all.hpp"
#include "conformance/data_file.hpp"
#include "core/text/asm.hpp"

extern char** environ;

namespace bpfplay::conformance {
namespace {

const char* const kBpfvm = BPFPLAY_BINARY_DIR "/bpfvm";

struct ProcessResult {
    bool started = false;
    std::string spawn_error;
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;
    std::string out, err;
};

// posix_spawn with stdin from /dev/null and stdout/stderr captured through pipes.
ProcessResult run_process(const std::vector<std::string>& argv) {
    ProcessResult r;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        r.spawn_error = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        r.spawn_error = std::string("pipe: ") + std::strerror(errno);
        close(out_pipe[0]);
        close(out_pipe[1]);
        return r;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        r.spawn_error = std::string("posix_spawn ") + argv[0] + ": " + std::strerror(rc);
        close(out_pipe[0]);
        close(err_pipe[0]);
        return r;
    }
    r.started = true;

    std::array<pollfd, 2> fds{{{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (size_t k = 0; k < fds.size(); ++k) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            ssize_t n = read(fds[k].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[k]->append(buf, size_t(n));
            } else if (n == 0 || errno != EINTR) {
                close(fds[k].fd);
                fds[k].fd = -1;  // poll ignores negative fds
                --open_fds;
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    return r;
}

std::string hex_r0(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string program_hex(const std::vector<Insn>& insns) {
    std::vector<uint8_t> bytes(insns.size() * 8);
    for (size_t k = 0; k < insns.size(); ++k) insn_to_bytes(insns[k], bytes.data() + 8 * k);
    return to_hex(bytes);
}

// "" when bpfvm behaves as the file says, else what went wrong.
std::string run_through_plugin(const DataFile& f) {
    auto insns = assemble(f.asm_text);
    if (!insns) return "the assembler refused the program: " + insns.error().to_string();
    std::vector<std::string> argv = {kBpfvm, "plugin"};
    if (!f.memory.empty()) argv.push_back(to_hex(f.memory));
    argv.push_back("--program");
    argv.push_back(program_hex(*insns));

    ProcessResult p = run_process(argv);
    if (!p.started) return "cannot run bpfvm: " + p.spawn_error;
    const std::string shown = " (stdout \"" + p.out + "\", stderr \"" + p.err + "\")";
    if (p.signal) return "bpfvm was killed by signal " + std::to_string(p.signal) + shown;
    if (f.error) {
        if (p.exit_code == 0) return "expected an error (\"" + *f.error + "\"), bpfvm exited 0" + shown;
        if (p.exit_code != 1) return "expected exit status 1 for an error, got " + std::to_string(p.exit_code) + shown;
        if (p.err.empty()) return "bpfvm exited 1 without a message on stderr" + shown;
        if (!p.out.empty()) return "bpfvm printed to stdout although it failed" + shown;
        return "";
    }
    const std::string want = hex_r0(*f.result) + "\n";
    if (p.exit_code != 0)
        return "expected r0 = " + hex_r0(*f.result) + ", bpfvm exited " + std::to_string(p.exit_code) + shown;
    if (p.out != want) return "expected stdout \"" + hex_r0(*f.result) + "\\n\"" + shown;
    return "";
}

}  // namespace

TEST_CASE("conformance: every data file runs as it says (bpfvm plugin)") {
    REQUIRE_MESSAGE(std::filesystem::exists(kBpfvm),
                    "bpfvm not found at " << kBpfvm
                                          << ": build the bpfvm target (cli/) before test_conformance");
    check_every_data_file("bpfvm plugin", run_through_plugin);
}

TEST_CASE("conformance: bpfvm plugin takes memory as hex and refuses a truncated program") {
    REQUIRE_MESSAGE(std::filesystem::exists(kBpfvm), "bpfvm not found at " << kBpfvm);
    // A program that is not a whole number of 8-byte instructions is an error (exit 1).
    ProcessResult p = run_process({kBpfvm, "plugin", "--program", "b7000000010000"});
    REQUIRE(p.started);
    CHECK(p.exit_code == 1);
    CHECK(!p.err.empty());
    // Memory given, program `r0 = *(u8 *)(r1 + 1); exit`.
    p = run_process({kBpfvm, "plugin", "00ab", "--program", "71100100000000009500000000000000"});
    REQUIRE(p.started);
    CHECK(p.exit_code == 0);
    CHECK(p.out == "ab\n");
}

}  // namespace bpfplay::conformance
