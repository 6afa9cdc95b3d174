// CO-RE relocations (the core_relo records of .BTF.ext), resolved the way libbpf's relo_core.c
// does, with one simplification: the target BTF is the object's own BTF. A program is run
// against exactly the types it was compiled with, so every field exists where clang put it and
// each relocation resolves to the value clang already wrote -- which is checked, as libbpf
// checks it ("validation"), before the instruction is patched.
//
// Supported: field byte offset, field byte size, field exists. Other kinds are refused with a
// message naming the kind.
#include <charconv>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

constexpr size_t kMaxSpecLen = 64;  // BPF_CORE_SPEC_MAX_LEN

const char* kind_family(BtfCoreReloKind kind) {
    switch (kind) {
    case BtfCoreReloKind::FieldByteOffset:
    case BtfCoreReloKind::FieldByteSize:
    case BtfCoreReloKind::FieldExists:
    case BtfCoreReloKind::FieldSigned:
    case BtfCoreReloKind::FieldLshiftU64:
    case BtfCoreReloKind::FieldRshiftU64: return "field-based";
    case BtfCoreReloKind::EnumvalExists:
    case BtfCoreReloKind::EnumvalValue: return "enum-value-based";
    default: return "type-based";
    }
}

// What an access string ("0:1:2") reaches: the byte offset from the root pointer, and the
// last step (a struct/union member, or an array element / the root itself).
struct FieldSpec {
    uint64_t bit_offset = 0;
    bool last_is_member = false;
    uint32_t parent = 0;        // last_is_member: the struct/union type id
    uint32_t member = 0;        //   and the member index
    uint32_t element_type = 0;  // otherwise: the element's (or root's) type id
};

class CoreRelocator {
public:
    CoreRelocator(const ObjectState& st, const std::string& section) : btf_(*st.shared_btf), section_(section) {}

    Result<Unit> apply(const BtfCoreRelo& relo, Function& fn, uint32_t local) {
        relo_ = &relo;
        fn_ = &fn;
        local_ = local;
        const auto kind = relo.kind;
        if (kind != BtfCoreReloKind::FieldByteOffset && kind != BtfCoreReloKind::FieldByteSize &&
            kind != BtfCoreReloKind::FieldExists)
            return fail("CO-RE relocation kind " + std::to_string(static_cast<uint32_t>(kind)) + " (" + kind_family(kind) +
                        ", " + btf_core_relo_kind_name(kind) + ") is not supported yet");
        auto spec = parse_spec(relo);
        if (!spec) return spec.error();
        uint64_t value = 0;
        bool validate = true;
        if (kind == BtfCoreReloKind::FieldExists) {
            value = 1;  // the target BTF is the local one: the field is there
        } else {
            auto v = field_value(*spec, kind, validate);
            if (!v) return v.error();
            value = *v;
        }
        return patch(fn, local, value, validate);
    }

private:
    Result<FieldSpec> parse_spec(const BtfCoreRelo& relo) {
        std::vector<uint32_t> access;
        std::string_view s = relo.access;
        while (!s.empty()) {
            const size_t colon = s.find(':');
            std::string_view part = s.substr(0, colon);
            uint32_t idx = 0;
            auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), idx);
            if (part.empty() || ec != std::errc() || end != part.data() + part.size())
                return fail("the access string is not a list of numbers separated by ':'");
            access.push_back(idx);
            if (access.size() > kMaxSpecLen) return fail("the access string has more than 64 steps");
            if (colon == std::string_view::npos) break;
            s.remove_prefix(colon + 1);
            if (s.empty()) return fail("the access string ends with ':'");
        }
        if (access.empty()) return fail("the access string is empty");

        FieldSpec spec;
        uint32_t id = btf_.skip_modifiers(relo.type_id);
        auto root_size = btf_.resolve_size(id);
        if (!root_size) return fail("the root type has no size: " + root_size.error().what);
        if (!add_bits(spec, uint64_t(access[0]) * *root_size)) return offset_too_large();
        spec.element_type = id;
        for (size_t i = 1; i < access.size(); ++i) {
            id = btf_.skip_modifiers(id);
            const BtfType* t = btf_.type(id);
            if (!t) return fail("type [" + std::to_string(id) + "] does not exist");
            if (t->is_struct_or_union()) {
                auto members = btf_.members(id);
                if (access[i] >= members.size())
                    return fail("step " + std::to_string(i) + " selects member " + std::to_string(access[i]) + " of " +
                                btf_.type_to_string(id) + ", which has " + std::to_string(members.size()));
                spec.bit_offset += members[access[i]].bit_offset;
                spec.last_is_member = true;
                spec.parent = id;
                spec.member = access[i];
                id = members[access[i]].type;
            } else if (t->kind == BtfKind::Array) {
                // A flexible array (no elements) at the end may be indexed past its size.
                if (t->array.nelems != 0 && access[i] >= t->array.nelems)
                    return fail("step " + std::to_string(i) + " indexes element " + std::to_string(access[i]) +
                                " of a " + std::to_string(t->array.nelems) + "-element array");
                const uint32_t elem = btf_.skip_modifiers(t->array.elem_type);
                auto elem_size = btf_.resolve_size(elem);
                if (!elem_size) return fail("an array element has no size: " + elem_size.error().what);
                if (!add_bits(spec, uint64_t(access[i]) * *elem_size)) return offset_too_large();
                spec.last_is_member = false;
                spec.element_type = elem;
                id = elem;
            } else {
                return fail("step " + std::to_string(i) + " goes into " + btf_.type_to_string(id) + ", a " +
                            btf_kind_name(t->kind) + ", which has neither members nor elements");
            }
        }
        return spec;
    }

    // libbpf's bpf_core_calc_field_relo for byte offset / byte size.
    Result<uint64_t> field_value(const FieldSpec& spec, BtfCoreReloKind kind, bool& validate) {
        if (!spec.last_is_member) {
            auto size = btf_.resolve_size(spec.element_type);
            if (!size) return fail("the accessed element has no size: " + size.error().what);
            return kind == BtfCoreReloKind::FieldByteOffset ? spec.bit_offset / 8 : uint64_t(*size);
        }
        const BtfMember& m = btf_.members(spec.parent)[spec.member];
        const uint32_t field_type = btf_.skip_modifiers(m.type);
        uint64_t byte_off = 0, byte_size = 0;
        if (m.bitfield_size == 0) {
            auto size = btf_.resolve_size(field_type);
            if (!size) return fail("the field has no size: " + size.error().what);
            byte_size = *size;
            byte_off = spec.bit_offset / 8;
        } else {
            // A bitfield is read with the smallest aligned load that covers it.
            const BtfType* t = btf_.type(field_type);
            byte_size = t ? t->size : 0;
            if (byte_size == 0 || byte_size > 8) return fail("the bitfield's type is not an integer of 1 to 8 bytes");
            byte_off = spec.bit_offset / 8 / byte_size * byte_size;
            while (spec.bit_offset + m.bitfield_size - byte_off * 8 > byte_size * 8) {
                if (byte_size >= 8) return fail("the bitfield cannot be read with one 64-bit load");
                byte_size *= 2;
                byte_off = spec.bit_offset / 8 / byte_size * byte_size;
            }
            validate = false;  // libbpf does not hold clang's bitfield choices against it
        }
        return kind == BtfCoreReloKind::FieldByteOffset ? byte_off : byte_size;
    }

    // libbpf's bpf_core_patch_insn: the value goes where the instruction keeps its constant.
    Result<Unit> patch(Function& fn, uint32_t local, uint64_t value, bool validate) {
        Insn& insn = fn.insns[local];
        const uint8_t cls = op::cls(insn.opcode);
        if (cls == op::kAlu || cls == op::kAlu64) {
            if (op::src_bit(insn.opcode) != op::kK) return fail("the ALU instruction takes a register, not a constant");
            if (validate && uint64_t(uint32_t(insn.imm)) != value)
                return fail("the instruction holds " + std::to_string(insn.imm) + ", but the relocation resolves to " +
                            std::to_string(value));
            if (value > UINT32_MAX) return fail("the value " + std::to_string(value) + " does not fit in imm");
            insn.imm = int32_t(uint32_t(value));
            return Unit{};
        }
        if (cls == op::kLdx || cls == op::kSt || cls == op::kStx) {
            if (validate && int64_t(insn.off) != int64_t(value))
                return fail("the instruction's offset is " + std::to_string(insn.off) +
                            ", but the relocation resolves to " + std::to_string(value));
            if (value > INT16_MAX) return fail("the offset " + std::to_string(value) + " does not fit in off (16 bits)");
            insn.off = int16_t(value);
            return Unit{};
        }
        if (insn.opcode == op::kLddw && local + 1 < fn.insn_count) {
            const uint64_t current = uint64_t(uint32_t(insn.imm)) | (uint64_t(uint32_t(fn.insns[local + 1].imm)) << 32);
            if (validate && current != value)
                return fail("the lddw holds " + std::to_string(current) + ", but the relocation resolves to " +
                            std::to_string(value));
            insn.imm = int32_t(uint32_t(value));
            fn.insns[local + 1].imm = int32_t(uint32_t(value >> 32));
            return Unit{};
        }
        return fail("the instruction (opcode " + hex(insn.opcode) + ") has no constant a CO-RE relocation can patch");
    }

    static bool add_bits(FieldSpec& spec, uint64_t bytes) {
        // Offsets beyond 4 GiB cannot be patched into any instruction; stop before overflowing.
        if (bytes > UINT32_MAX || spec.bit_offset / 8 + bytes > UINT32_MAX) return false;
        spec.bit_offset += bytes * 8;
        return true;
    }
    Error offset_too_large() const { return fail("the access reaches past 4 GiB"); }
    // Messages name the relocation the way libbpf's debug log does (built only on failure).
    Error fail(std::string what) const {
        const std::string where = "CO-RE relocation at insn " + std::to_string(fn_->sec_insn_off + local_) +
                                  " (function \"" + fn_->name + "\", " + btf_core_relo_kind_name(relo_->kind) + " of [" +
                                  std::to_string(relo_->type_id) + "] " + btf_.type_to_string(relo_->type_id) +
                                  ", access \"" + std::string(relo_->access) + "\")";
        return load_error(section_, where + ": " + what);
    }

    const Btf& btf_;
    const std::string& section_;
    const BtfCoreRelo* relo_ = nullptr;
    const Function* fn_ = nullptr;
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
