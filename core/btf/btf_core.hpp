#pragma once
// CO-RE relocation resolution (libbpf's relo_core.c), pure BTF in, numbers out: what one
// .BTF.ext core_relo record means for the instruction it names. The loader
// (core/loader/core_relo.cpp) patches or poisons the instruction with the result.
//
// Target selection: the local root type's essential name (the part before a "___flavor"
// suffix) and kind are looked up in the emulated kernel's BTF (builtin_target_btf()). If
// it has such types, they are the candidates and the access is matched against them by
// field NAME, as libbpf matches against vmlinux. If it has none (the program's own types:
// map values, packet headers...), the relocation resolves against the local type itself, so
// it gives exactly what clang compiled in (bpfplay's behaviour before a target BTF existed).
//
// Kinds: every kind of enum bpf_core_relo_kind. TYPE_MATCHES uses a simplified version of
// libbpf's bpf_core_types_match (see btf_core.cpp).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"
#include "core/error.hpp"

namespace bpfplay {

struct CoreReloResult {
    uint64_t orig_val = 0;  // from the local BTF: what the instruction should hold now
    uint64_t new_val = 0;   // from the target: what it must hold after relocation
    bool validate = true;   // check the instruction holds orig_val before patching
    // The target lacks the field / enumerator (and the kind is not an "exists" one): libbpf
    // poisons the instruction instead of failing the load. poison_reason says why.
    bool poison = false;
    std::string poison_reason;
    // FIELD_BYTE_OFFSET of a non-bitfield field: its size locally and in the target, so a
    // load/store of it can be resized (libbpf adjusts LDX/ST/STX sizes the same way).
    uint32_t orig_sz = 0, new_sz = 0;
    bool fail_memsz_adjust = false;  // sizes differ and resizing would change the value
    bool against_kernel = false;     // resolved against the built-in target BTF
    uint32_t target_type_id = 0;     // the matched target root type; 0 if none matched
    std::string local_spec;          // "[7] struct task_struct.comm (0:10 @ offset 40)"
    std::string target_spec;         // the same for the target ("" if none matched)
};

// Resolves `relo` (its type_id and access string are in `local`) against `kernel` as
// described above. Errors (ErrorKind::Load) are for relocations that are malformed, not for
// fields the target lacks.
Result<CoreReloResult> resolve_core_relo(const Btf& local, const BtfCoreRelo& relo, const Btf& kernel);

// libbpf's bpf_core_essential_name_len: "task_struct___v2" -> 11 ("task_struct").
size_t core_essential_name_len(std::string_view name);

}  // namespace bpfplay
