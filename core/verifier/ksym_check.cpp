// Typed __ksym variables, as the kernel resolves them before walking the program
// (resolve_pseudo_ldimm64 -> check_pseudo_btf_id): the variable's BTF id must name a
// variable whose address kallsyms has. Without CONFIG_KALLSYMS_ALL (the kernel this checker
// answers for: Linux 6.18 here) kallsyms lists functions only, and every typed variable fails
// there, whatever the program does with it.
#include <algorithm>

#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

bool ksyms_resolve(Env& env) {
    if (env.in.ksym_vars.empty()) return true;
    // The kernel goes through the instructions in order: the first one fails.
    const auto first = std::min_element(env.in.ksym_vars.begin(), env.in.ksym_vars.end(),
                                        [](const KsymVar& a, const KsymVar& b) { return a.insn < b.insn; });
    env.pc = first->insn;
    return env.refuse(Rule::KernelSymbol, fmt("ldimm64 failed to find the address for kernel symbol '%s'.", first->name.c_str()));
}

}  // namespace bpfplay::verifier
