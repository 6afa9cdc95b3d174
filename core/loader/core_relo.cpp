// CO-RE relocations (the core_relo records of .BTF.ext), applied the way libbpf's relo_core.c
// applies them. resolve_core_relo (core/btf/btf_core.hpp) decides the value: against the
// emulated kernel's BTF (builtin_target_btf) for types it has -- task_struct, pt_regs... --
// and against the object's own BTF for the rest. This file checks the instruction holds what
// clang compiled in ("validation") and patches it.
//
// A relocation the target cannot satisfy (a field or enumerator it lacks) is not a load error:
// as in libbpf, the instruction is poisoned -- rewritten to `call 0xbad2310`, both halves of
// an lddw -- and a note names the relocation. The kernel's verifier then refuses the program
// only if the poisoned instruction is reachable (typically it sits behind a
// bpf_core_field_exists() check); bpfplay has no verifier, so the call faults if it runs,
// with "failed to resolve CO-RE relocation" (see CorePoison and decode_programs).
#include "core/btf/btf_core.hpp"
#include "core/btf/builtin_target_btf.hpp"
#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

class CoreRelocator {
public:
    CoreRelocator(ObjectState& st, const std::string& section) : st_(st), btf_(*st.shared_btf), section_(section) {}

    Result<Unit> apply(const BtfCoreRelo& relo, Function& fn, uint32_t local) {
        relo_ = &relo;
        fn_ = &fn;
        local_ = local;
        auto res = resolve_core_relo(btf_, relo, builtin_target_btf());
        if (!res) return fail(res.error().what);
        if (res->poison) return poison(*res);
        return patch(*res);
    }

private:
    // libbpf's bpf_core_patch_insn: the value goes where the instruction keeps its constant.
    Result<Unit> patch(const CoreReloResult& res) {
        Insn& insn = fn_->insns[local_];
        const uint8_t cls = op::cls(insn.opcode);
        const uint64_t orig = res.orig_val, value = res.new_val;
        if (cls == op::kAlu || cls == op::kAlu64) {
            if (op::src_bit(insn.opcode) != op::kK) return fail("the ALU instruction takes a register, not a constant");
            if (res.validate && uint64_t(uint32_t(insn.imm)) != orig && uint64_t(int64_t(insn.imm)) != orig)
                return fail("the instruction holds " + std::to_string(insn.imm) + ", but the relocation resolves to " +
                            std::to_string(orig));
            if (value > UINT32_MAX && !(int64_t(value) < 0 && int64_t(value) >= INT32_MIN))
                return fail("the value " + std::to_string(value) + " does not fit in imm");
            insn.imm = int32_t(uint32_t(value));
            return Unit{};
        }
        if (cls == op::kLdx || cls == op::kSt || cls == op::kStx) {
            if (res.validate && int64_t(insn.off) != int64_t(orig))
                return fail("the instruction's offset is " + std::to_string(insn.off) +
                            ", but the relocation resolves to " + std::to_string(orig));
            if (value > INT16_MAX) return fail("the offset " + std::to_string(value) + " does not fit in off (16 bits)");
            if (res.fail_memsz_adjust) {
                CoreReloResult p = res;
                p.poison_reason = "the field is " + std::to_string(res.orig_sz) + " bytes here but " +
                                  std::to_string(res.new_sz) + " in the target, and resizing the access would change "
                                  "its value (" + res.target_spec + ")";
                return poison(p);
            }
            insn.off = int16_t(value);
            if (res.new_sz != res.orig_sz) {
                // The field's size changed (e.g. an unsigned int that is a u64 in the target):
                // the load or store follows it.
                if (op::size_bytes(insn.opcode) != res.orig_sz)
                    return fail("the access is " + std::to_string(op::size_bytes(insn.opcode)) +
                                " bytes wide, but the field is " + std::to_string(res.orig_sz));
                uint8_t size = 0;
                switch (res.new_sz) {
                case 1: size = op::kB; break;
                case 2: size = op::kH; break;
                case 4: size = op::kW; break;
                case 8: size = op::kDW; break;
                default: return fail("the target field's size " + std::to_string(res.new_sz) + " is not 1, 2, 4 or 8");
                }
                insn.opcode = uint8_t((insn.opcode & ~0x18) | size);
            }
            return Unit{};
        }
        if (insn.opcode == op::kLddw && local_ + 1 < fn_->insn_count) {
            const uint64_t current =
                uint64_t(uint32_t(insn.imm)) | (uint64_t(uint32_t(fn_->insns[local_ + 1].imm)) << 32);
            if (res.validate && current != orig)
                return fail("the lddw holds " + std::to_string(current) + ", but the relocation resolves to " +
                            std::to_string(orig));
            insn.imm = int32_t(uint32_t(value));
            fn_->insns[local_ + 1].imm = int32_t(uint32_t(value >> 32));
            return Unit{};
        }
        return fail("the instruction (opcode " + hex(insn.opcode) + ") has no constant a CO-RE relocation can patch");
    }

    // libbpf's bpf_core_poison_insn.
    Result<Unit> poison(const CoreReloResult& res) {
        Insn& insn = fn_->insns[local_];
        const bool lddw = insn.opcode == op::kLddw && local_ + 1 < fn_->insn_count;
        CorePoison record{fn_->section, fn_->sec_insn_off, local_, {insn, lddw ? fn_->insns[local_ + 1] : Insn{}}, lddw};
        st_.core_poisons.push_back(record);
        const Insn call{uint8_t(op::kJmp | op::kCall), 0, 0, 0, kCorePoisonHelperId};
        insn = call;
        if (lddw) fn_->insns[local_ + 1] = call;
        st_.notes.push_back(where() + ": failed to resolve CO-RE relocation: " + res.poison_reason +
                            "; the instruction is poisoned (call 0xbad2310, as libbpf does) and faults if it runs");
        return Unit{};
    }

    // Names the relocation the way libbpf's debug log does (built only when needed).
    std::string where() const {
        return "CO-RE relocation at insn " + std::to_string(fn_->sec_insn_off + local_) + " (function \"" +
               fn_->name + "\", " + btf_core_relo_kind_name(relo_->kind) + " of [" + std::to_string(relo_->type_id) +
               "] " + btf_.type_to_string(relo_->type_id) + ", access \"" + std::string(relo_->access) + "\")";
    }
    Error fail(std::string what) const { return load_error(section_, where() + ": " + what); }

    ObjectState& st_;
    const Btf& btf_;
    const std::string& section_;
    const BtfCoreRelo* relo_ = nullptr;
    Function* fn_ = nullptr;
    uint32_t local_ = 0;
};

}  // namespace

Result<Unit> apply_core_relocations(ObjectState& st) {
    if (!st.btf_ext) return Unit{};
    for (const BtfExtSection& ext : st.btf_ext->sections) {
        if (ext.core_relos.empty()) continue;
        const ElfSection* sec = st.elf.find_section(ext.name);
        if (!sec) {
            st.notes.push_back(".BTF.ext has CO-RE relocations for a section \"" + std::string(ext.name) +
                               "\" the object does not have; ignored");
            continue;
        }
        CoreRelocator relocator(st, sec->name);
        for (const BtfCoreRelo& relo : ext.core_relos) {
            Function* fn = st.function_at(sec->index, relo.insn_idx);
            if (!fn) continue;  // libbpf skips relocations of code no function owns
            BPFPLAY_LOADER_TRY(relocator.apply(relo, *fn, relo.insn_idx - fn->sec_insn_off));
        }
    }
    return Unit{};
}

}  // namespace bpfplay::loader
