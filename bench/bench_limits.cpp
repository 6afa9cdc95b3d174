// What bpfplay's largest inputs cost in memory (issue "kernel as an oracle ... limits held"):
// the peak resident set of a process that (1) loads and runs the largest bundled example,
// (2) records a 1,000,000-instruction run for reverse execution (the debugger's journal), (3)
// fills a 1,000,000-entry hash map; and how long loading that example takes. Each workload runs
// in a forked child so one's peak does not hide another's. Prints figures; never asserts.
// Usage: bench_limits [REPO_DIR]   (default: the source tree it was built from)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/debugger/debug_session.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/object_session.hpp"

namespace {

using namespace bpfplay;
using Clock = std::chrono::steady_clock;

long peak_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;  // KiB on Linux
}

// Runs `work` in a child; prints its peak RSS and what it says. The child's baseline (the
// process before the work) is printed too, so the work's own share is the difference.
void in_child(const char* name, const std::function<std::string()>& work) {
    std::fflush(stdout);
    int fds[2];
    if (pipe(fds) != 0) return;
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const long before = peak_kib();
        const std::string said = work();
        char line[512];
        const int n = std::snprintf(line, sizeof line, "%-34s peak %7.1f MiB (process before it: %5.1f MiB)  %s\n",
                                    name, double(peak_kib()) / 1024, double(before) / 1024, said.c_str());
        if (write(fds[1], line, size_t(n)) < 0) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) std::fwrite(buf, 1, size_t(n), stdout);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::printf("%-34s failed (status %d)\n", name, status);
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
    const std::filesystem::path repo = argc > 1 ? argv[1] : BPFPLAY_SOURCE_DIR;
    // The largest bundled example by file size (its BTF, code and maps).
    std::filesystem::path largest;
    for (const auto& e : std::filesystem::directory_iterator(repo / "public/examples"))
        if (e.path().extension() == ".o" &&
            (largest.empty() || e.file_size() > std::filesystem::file_size(largest)))
            largest = e.path();
    if (largest.empty()) {
        std::fprintf(stderr, "bench_limits: no examples under %s\n", (repo / "public/examples").c_str());
        return 1;
    }
    const std::vector<uint8_t> elf = read_bytes(largest);
    const std::string name = largest.filename().string();

    // Load time: best of 20 opens.
    double best_ms = 1e9;
    size_t programs = 0;
    for (int i = 0; i < 20; ++i) {
        const auto t0 = Clock::now();
        auto s = ObjectSession::open(elf, name);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!s.ok()) {
            std::fprintf(stderr, "bench_limits: %s: %s\n", name.c_str(), s.error().to_string().c_str());
            return 1;
        }
        programs = (*s)->object().programs.size();
        if (ms < best_ms) best_ms = ms;
    }
    std::printf("load %s (%zu bytes, %zu programs): %.2f ms (best of 20)\n", name.c_str(), elf.size(), programs,
                best_ms);

    in_child("largest example, loaded and run", [&] {
        auto s = ObjectSession::open(elf, name);
        if (!s.ok()) return std::string("load failed");
        RunInput in;
        in.packet.assign(64, 0);
        const RunResult r = (*s)->run((*s)->object().programs.front().name, in);
        return name + ": " + std::to_string(r.instructions) + " instructions";
    });

    in_child("1,000,000 instructions recorded", [] {
        // A 3-instruction loop run 333,333 times (1,000,002 instructions): every step journalled for stepping back.
        auto s = ObjectSession::open_assembly("r0 = 0\nr1 = 333333\nr0 += r1\nr1 += -1\nif r1 != 0 goto -3\nexit\n", "");
        if (!s.ok()) return std::string("assembly refused: ") + s.error().what;
        RunInput in;
        auto d = DebugSession::open(**s, (*s)->object().programs.front().name, in);
        if (!d.ok()) return std::string("debug refused: ") + d.error().what;
        (*d)->cont(1'000'000);
        return std::to_string((*d)->executed()) + " instructions recorded";
    });

    in_child("hash map of 1,000,000 entries", [] {
        MapSpec spec;
        spec.type = MapType::Hash;
        spec.name = "flows";
        spec.key_size = 4;
        spec.value_size = 8;
        spec.max_entries = 1'000'000;
        MapSet set;
        auto id = set.create(spec);
        if (!id.ok()) return std::string("refused: ") + id.error().what;
        Map& m = *set.get(id.value());
        uint64_t value = 1;
        uint32_t filled = 0;
        for (uint32_t k = 0; k < spec.max_entries; ++k)
            if (m.update_user({reinterpret_cast<const uint8_t*>(&k), 4}, {reinterpret_cast<const uint8_t*>(&value), 8}) == 0)
                ++filled;
        return std::to_string(filled) + " entries (4-byte keys, 8-byte values)";
    });
    return 0;
}
