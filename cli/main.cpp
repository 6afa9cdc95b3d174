// bpfvm: run, disassemble and assemble eBPF programs from the command line, run and describe
// compiled BPF objects, and serve as a bpf_conformance plugin.
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/report.hpp"

using namespace bpfplay::cli;

namespace {

// When stdout and stderr are one file (2>&1 into a pipe or file), a fully buffered stdout
// would come out after every error written since: line buffering keeps the two in the order
// they were written. Separate files keep full buffering (a long --trace costs no extra writes).
void keep_output_in_order() {
    struct stat out {}, err {};
    if (fstat(1, &out) == 0 && fstat(2, &err) == 0 && out.st_dev == err.st_dev && out.st_ino == err.st_ino)
        std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
}

} // namespace

int main(int argc, char** argv) {
    keep_output_in_order();
    std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_usage(/*to_stderr=*/false);
        return 0;
    }
    std::string_view command = args[0];
    Args rest = Args(args).subspan(1);
    for (std::string_view arg : rest)
        if ((arg == "--help" || arg == "-h") && print_command_usage(command)) return 0;
    if (command == "run") return cmd_run(rest);
    if (command == "disasm") return cmd_disasm(rest);
    if (command == "asm") return cmd_asm(rest);
    if (command == "plugin") return cmd_plugin(rest);
    if (command == "info") return cmd_info(rest);
    if (command == "debug") return cmd_debug(rest);
    if (command == "helpers") return cmd_helpers(rest);
    if (command == "kfuncs") return cmd_kfuncs(rest);
    if (command == "verify") return cmd_verify(rest);
    std::fprintf(stderr, "bpfvm: unknown command '%s'\n\n", std::string(command).c_str());
    print_usage(/*to_stderr=*/true);
    return kExitUsage;
}
