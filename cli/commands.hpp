#pragma once
// The bpfvm commands. Each takes the arguments after its name and returns the exit code.
#include "cli/args.hpp"

namespace bpfplay::cli {

int cmd_run(Args args);
int cmd_disasm(Args args);
int cmd_asm(Args args);
int cmd_plugin(Args args);

void print_usage(bool to_stderr);

} // namespace bpfplay::cli
