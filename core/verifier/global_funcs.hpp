#pragma once
// Global functions' signatures from the object's BTF, as the kernel derives them
// (kernel/bpf/btf.c: btf_prepare_func_args).
#include <vector>

#include "core/loader/loader.hpp"
#include "core/verifier/checker.hpp"

namespace bpfplay::verifier {

std::vector<GlobalFunction> global_function_sigs(const LoadedObject& object, const LoadedProgram& program);

}  // namespace bpfplay::verifier
