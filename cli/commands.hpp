#pragma once
// The bpfvm commands. Each takes the arguments after its name and returns the exit code.
#include <string>
#include <string_view>

#include "cli/args.hpp"

namespace bpfplay::cli {

int cmd_run(Args args);
int cmd_disasm(Args args);
int cmd_asm(Args args);
int cmd_plugin(Args args);
int cmd_info(Args args);
int cmd_debug(Args args);
int cmd_helpers(Args args);
int cmd_kfuncs(Args args);
int cmd_verify(Args args);

// `run` on an ELF object (cmd_run hands over when FILE starts with "\x7fELF"): the same
// arguments, and the file's content already read.
int cmd_run_object(Args args, std::string content);

void print_usage(bool to_stderr);
// `bpfvm COMMAND --help`: that command's part of the usage on stdout; false for an unknown command.
bool print_command_usage(std::string_view command);

} // namespace bpfplay::cli
