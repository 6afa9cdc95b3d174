#pragma once
// How much the kernel trusts a pointer a program reads out of a kernel object it trusts: the
// fields verifier.c lists as inheriting their parent's trust (BTF_TYPE_SAFE_TRUSTED,
// _TRUSTED_OR_NULL) or valid inside an RCU read section (BTF_TYPE_SAFE_RCU, _RCU_OR_NULL),
// which check_ptr_to_btf_access consults for each walk; other fields are plain (in an RCU
// section) or untrusted (a sleepable program outside one).
#include <cstdint>
#include <string_view>

namespace bpfplay::verifier {

enum class FieldTrust : uint8_t { None, Trusted, TrustedOrNull, Rcu, RcuOrNull };

// The field `field` of struct `parent` (the object the pointer was read from), pointing at a
// struct `pointee` (all names as the built-in BTF spells them).
FieldTrust btf_field_trust(std::string_view parent, std::string_view field, std::string_view pointee);

// bpf_lsm_is_trusted: an LSM hook's arguments are trusted unless the hook runs while its
// object is being set up or torn down (untrusted_lsm_hooks). `hook` is bpf_lsm_<name>.
bool lsm_hook_args_trusted(std::string_view hook);

}  // namespace bpfplay::verifier
