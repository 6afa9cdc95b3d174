#pragma once
// Outside tools the fast run's tests use when the machine has them: wabt's wasm-validate
// (tools/install-deps.sh installs it) and node, which runs the modules natively.
#include <cstdint>
#include <string>
#include <vector>

namespace bpfplay::fastrun_test {

bool have_tool(const char* name);
// Writes `bytes` to a file under the build directory; returns its path.
std::string write_temp(const std::string& name, const std::vector<uint8_t>& bytes);
// wasm-validate's verdict on the module: "" when valid, else its output.
std::string wasm_validate(const std::string& name, const std::vector<uint8_t>& bytes);
// Runs `script` with node; its standard output.
std::string run_node(const std::string& name, const std::string& script);

}  // namespace bpfplay::fastrun_test
