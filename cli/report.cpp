#include "cli/report.hpp"

#include <cstdio>
#include <string>

namespace bpfplay::cli {

int report_error(const Error& error) {
    std::fprintf(stderr, "bpfvm: %s\n", error.to_string().c_str());
    return kExitError;
}

int usage_error(std::string_view message) {
    std::fprintf(stderr, "bpfvm: %.*s\nTry 'bpfvm --help'.\n", int(message.size()), message.data());
    return kExitUsage;
}

} // namespace bpfplay::cli
