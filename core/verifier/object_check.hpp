#pragma once
// The checker over a program of a loaded object: maps and program type from the loader,
// the C source line from the program's BTF line info.
#include "core/loader/loader.hpp"
#include "core/verifier/checker.hpp"

namespace bpfplay::verifier {

Verdict check_program(const LoadedObject& object, const LoadedProgram& program, uint64_t budget = kMaxInsns);

}  // namespace bpfplay::verifier
