#pragma once
// Decoded BTF type records. These mirror the uapi <linux/btf.h> layouts, but with the
// packed fields (info word, member offsets with bitfield sizes, int encodings) already
// split apart, so nothing downstream has to know the wire encoding.
#include <cstdint>
#include <string_view>

namespace bpfplay {

// Values are the wire values of BTF_KIND_*.
enum class BtfKind : uint8_t {
    Void = 0,  // only type id 0
    Int = 1,
    Ptr = 2,
    Array = 3,
    Struct = 4,
    Union = 5,
    Enum = 6,
    Fwd = 7,
    Typedef = 8,
    Volatile = 9,
    Const = 10,
    Restrict = 11,
    Func = 12,
    FuncProto = 13,
    Var = 14,
    Datasec = 15,
    Float = 16,
    DeclTag = 17,
    TypeTag = 18,
    Enum64 = 19,
};
inline constexpr uint32_t kBtfKindMax = 19;

// "int", "struct", "typedef"... (lower case, as libbpf prints kinds).
const char* btf_kind_name(BtfKind kind);

// BTF_INT_ENCODING bits.
inline constexpr uint8_t kBtfIntSigned = 1;
inline constexpr uint8_t kBtfIntChar = 2;
inline constexpr uint8_t kBtfIntBool = 4;

// BTF_VAR_* and BTF_FUNC_* linkage values.
inline constexpr uint32_t kBtfLinkageStatic = 0;
inline constexpr uint32_t kBtfLinkageGlobal = 1;
inline constexpr uint32_t kBtfLinkageExtern = 2;

struct BtfIntInfo {
    uint8_t encoding = 0;  // kBtfIntSigned / kBtfIntChar / kBtfIntBool, or 0
    uint8_t bit_offset = 0;  // BTF_INT_OFFSET: value starts this many bits into the storage
    uint8_t bits = 0;        // BTF_INT_BITS: 1..128
};

struct BtfArrayInfo {
    uint32_t elem_type = 0;
    uint32_t index_type = 0;
    uint32_t nelems = 0;
};

// One struct/union member. Offsets are in bits from the start of the aggregate, with the
// kind_flag encoding already decoded: bitfield_size is 0 for ordinary members.
struct BtfMember {
    uint32_t name_off = 0;
    uint32_t type = 0;
    uint32_t bit_offset = 0;
    uint32_t bitfield_size = 0;
};

// One enumerator of ENUM or ENUM64. `value` holds the value as a 64-bit pattern: signed
// enumerators are sign-extended, unsigned ones zero-extended (see BtfType::enum_signed()).
struct BtfEnumValue {
    uint32_t name_off = 0;
    uint64_t value = 0;
};

// One FUNC_PROTO parameter. The last one is {0, 0} for a variadic function.
struct BtfParam {
    uint32_t name_off = 0;
    uint32_t type = 0;
};

// One DATASEC entry: the VAR (or extern FUNC) type id and its place in the section.
struct BtfVarSecinfo {
    uint32_t type = 0;
    uint32_t offset = 0;
    uint32_t size = 0;
};

// A decoded type record. Which fields mean something depends on `kind`; accessors on Btf
// (members(), enum_values(), params(), datasec_entries()) give the variable-length parts.
struct BtfType {
    BtfKind kind = BtfKind::Void;
    bool kind_flag = false;
    uint16_t vlen = 0;        // item count (FUNC: linkage)
    uint32_t name_off = 0;
    uint32_t size = 0;        // INT, ENUM, ENUM64, STRUCT, UNION, DATASEC, FLOAT
    uint32_t ref = 0;         // PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC,
                              // FUNC_PROTO (return type), VAR, DECL_TAG (tagged type)
    BtfIntInfo int_info;      // INT
    BtfArrayInfo array;       // ARRAY
    uint32_t linkage = 0;     // VAR (btf_var.linkage), FUNC (vlen)
    int32_t component_idx = -1;  // DECL_TAG
    uint32_t first_item = 0;  // index of the first vlen item in the Btf's item vector
    uint32_t record_offset = 0;  // byte offset of the record in the .BTF type section

    bool is_struct_or_union() const { return kind == BtfKind::Struct || kind == BtfKind::Union; }
    bool is_enum() const { return kind == BtfKind::Enum || kind == BtfKind::Enum64; }
    // ENUM / ENUM64 signedness lives in kind_flag (1 = signed), as uapi btf.h says.
    bool enum_signed() const { return kind_flag; }
    // Bitfield-style int: its value does not fill whole bytes of its storage.
    bool int_is_bitfield() const {
        return int_info.bit_offset != 0 || int_info.bits != size * 8;
    }
};

}  // namespace bpfplay
