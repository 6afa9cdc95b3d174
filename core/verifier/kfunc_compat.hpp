#pragma once
// libbpf's check of a kfunc extern's prototype against the kernel's before it loads anything
// (bpf_core_types_are_compat in libbpf 1.1.2, the version this machine's loader is): the same
// number of parameters, and each parameter and the return type of a compatible kind, typedefs
// and qualifiers skipped, pointers followed one level: an int is not an enum, a struct the
// object only forward-declares is not the kernel's struct.
#include <string_view>

#include "core/btf/btf.hpp"

namespace bpfplay::verifier {

// `func_id`: the extern FUNC in the object's BTF; `kernel_decl`: the kernel's C declaration
// of the kfunc `name` (the catalog's). Returns what differs, or "" when libbpf takes it.
std::string kfunc_proto_mismatch(const Btf& object_btf, uint32_t func_id, std::string_view name, std::string_view kernel_decl);

}  // namespace bpfplay::verifier
