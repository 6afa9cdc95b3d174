#include "fastrun/wasm_tools.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bpfplay::fastrun_test {

namespace {
std::filesystem::path temp_dir() {
    std::filesystem::path d = std::filesystem::path(BPFPLAY_BINARY_DIR) / "tests" / "fastrun_tmp";
    std::filesystem::create_directories(d);
    return d;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

bool have_tool(const char* name) {
    return std::system(("command -v " + std::string(name) + " >/dev/null 2>&1").c_str()) == 0;
}

std::string write_temp(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::filesystem::path p = temp_dir() / name;
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return p.string();
}

std::string wasm_validate(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = write_temp(name, bytes);
    const std::string log = path + ".log";
    const int rc = std::system(("wasm-validate '" + path + "' >'" + log + "' 2>&1").c_str());
    return rc == 0 ? std::string() : "wasm-validate failed: " + slurp(log);
}

std::string run_node(const std::string& name, const std::string& script) {
    const std::filesystem::path js = temp_dir() / (name + ".js"), out = temp_dir() / (name + ".out");
    std::ofstream(js) << script;
    const int rc = std::system(("node '" + js.string() + "' >'" + out.string() + "' 2>&1").c_str());
    std::string text = slurp(out);
    if (rc != 0) text += "\nnode exited with status " + std::to_string(rc);
    return text;
}

}  // namespace bpfplay::fastrun_test
