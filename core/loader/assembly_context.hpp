#pragma once
// The context a program pasted as assembly runs on, for ObjectSession::open_assembly and the
// page's list of sections to paste under (page_defaults_json).
#include "core/loader/prog_types.hpp"

namespace bpfplay {

// The section's context, or raw memory in r1 and its length in r2 (as the bpf_conformance tests
// and `bpfvm run prog.s` run) for no section or one libbpf does not know.
inline ContextKind assembly_context(const SectionProgramKind& kind) {
    return kind.known ? kind.context : ContextKind::RawMemory;
}

}  // namespace bpfplay
