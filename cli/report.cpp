#include "cli/report.hpp"

#include <cinttypes>
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

void print_count(std::FILE* to, uint64_t executed) {
    std::fprintf(to, "%" PRIu64 " instruction%s executed\n", executed, executed == 1 ? "" : "s");
}

} // namespace bpfplay::cli
