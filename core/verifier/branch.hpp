#pragma once
// Conditional jumps on numbers: whether a branch can be taken at all (the kernel's
// is_branch_taken) and what each side learns (reg_set_min_max).
#include "core/verifier/scalar.hpp"

namespace bpfplay::verifier {

enum class Cond : uint8_t { Eq, Ne, Gt, Ge, Lt, Le, Sgt, Sge, Slt, Sle, Set, NotSet };

Cond negate(Cond c);  // the condition the fall-through side knows
Cond swap_sides(Cond c);  // a OP b == b swap(OP) a

enum class Taken : uint8_t { Never, Always, Maybe };
Taken branch_taken(Cond c, const Scalar& a, const Scalar& b, bool is32);

// Narrows a and b to the values for which `a c b` holds. False: no such values (dead side).
bool refine(Cond c, Scalar& a, Scalar& b, bool is32);

}  // namespace bpfplay::verifier
