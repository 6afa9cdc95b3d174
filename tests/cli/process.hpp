#pragma once
// Runs the bpfvm binary the way a shell would and captures everything it says.
#include <string>
#include <string_view>
#include <vector>

namespace bpfplay::test {

struct ProcessResult {
    std::string out;
    std::string err;
    int exit_code = -1; // 128 + signal number when the process was killed (a crash)
};

ProcessResult run_bpfvm(const std::vector<std::string>& args, std::string_view stdin_text = {});
// The same with stderr going into stdout's file, as `2>&1` does: `out` has both, in order.
ProcessResult run_bpfvm_merged(const std::vector<std::string>& args, std::string_view stdin_text = {});

// A file in the build tree that is deleted when the object goes away.
class TempFile {
  public:
    TempFile(std::string_view content, const char* suffix);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

std::string read_whole_file(const std::string& path);

// Path of a bundled example under examples/asm.
std::string example(const char* name);

// Path of a compiled example object under public/examples ("xdp_drop_port.o").
std::string example_object(const char* name);

} // namespace bpfplay::test
