#pragma once
// A parsed, validated .BTF section.
//
// parse_btf() checks everything a later walk relies on, so queries can stay simple:
//   - every read of the section is bounds-checked, every string offset is inside the
//     string section and every referenced type id exists;
//   - reference chains (typedef/const/volatile/restrict/type_tag/ptr/array/var/func/
//     decl_tag) never loop, and no struct or union contains itself by value;
//   - every sized type's size fits in 32 bits (arrays included) and every struct/union
//     member lies inside its aggregate.
// Queries never recurse on type structure and never read outside what was validated.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/btf/btf_types.hpp"
#include "core/error.hpp"

namespace bpfplay {

// A DATASEC entry resolved for the loader: which variable, where it is, what type it has.
struct BtfDatasecVar {
    std::string_view name;   // the VAR's name (view into the Btf's string table)
    uint32_t var_type_id = 0;  // the VAR (or extern FUNC) type id
    uint32_t type_id = 0;    // the variable's own type (VAR's target), 0 for FUNC entries
    uint32_t offset = 0;     // byte offset in the ELF section
    uint32_t size = 0;       // byte size
    uint32_t linkage = 0;    // kBtfLinkage*
};

struct BtfDatasec {
    uint32_t type_id = 0;
    std::string_view name;   // ".maps", ".data", ".rodata", ".bss", "license", ...
    uint32_t size = 0;       // 0 in objects straight from clang: see Btf::fix_datasec_layout
    std::vector<BtfDatasecVar> vars;
};

// Everything parse_btf decodes. Kept as a plain struct so the parse and validation
// steps (separate files) can fill it in before it is wrapped in an immutable Btf.
struct BtfData {
    // The string section, shared so that views into it (names in BtfExt, map defs...)
    // stay valid for as long as any Btf copy or BtfExt that holds it lives.
    std::shared_ptr<const std::string> strings;
    std::vector<BtfType> types;  // types[0] is void
    std::vector<BtfMember> members;
    std::vector<BtfEnumValue> enum_values;
    std::vector<BtfParam> params;
    std::vector<BtfVarSecinfo> secinfos;
    // Filled by validation: resolved byte size of each type, if it has one.
    std::vector<uint32_t> sizes;
    std::vector<uint8_t> has_size;
};

class Btf {
public:
    Btf() : Btf(BtfData{}) {}
    explicit Btf(BtfData data);

    // Number of type ids, counting void (id 0): valid ids are [0, type_count()).
    uint32_t type_count() const { return static_cast<uint32_t>(d_.types.size()); }
    // nullptr for an id that does not exist.
    const BtfType* type(uint32_t id) const;
    BtfKind kind(uint32_t id) const;  // Void for an id that does not exist
    // The type's name; "" for anonymous types and unknown ids.
    std::string_view name(uint32_t id) const;
    // A string by offset into the string section; "" if the offset is out of range.
    std::string_view string_at(uint32_t offset) const;
    bool string_offset_valid(uint32_t offset) const;
    const std::shared_ptr<const std::string>& string_table() const { return d_.strings; }

    std::span<const BtfMember> members(uint32_t id) const;        // STRUCT, UNION
    std::span<const BtfEnumValue> enum_values(uint32_t id) const;  // ENUM, ENUM64
    std::span<const BtfParam> params(uint32_t id) const;          // FUNC_PROTO
    std::span<const BtfVarSecinfo> datasec_entries(uint32_t id) const;  // DATASEC

    // Byte size of a type as libbpf's btf__resolve_size computes it: through typedefs,
    // qualifiers, type tags and VARs; pointers are 8 bytes; arrays multiply. Errors for
    // void, FWD, FUNC, FUNC_PROTO and DECL_TAG, which have no size.
    Result<uint32_t> resolve_size(uint32_t id) const;
    // Follows typedef/const/volatile/restrict/type_tag to the underlying type id.
    uint32_t skip_modifiers(uint32_t id) const;
    // Like skip_modifiers but keeps typedefs (const/volatile/restrict/type_tag only).
    uint32_t skip_qualifiers(uint32_t id) const;
    // skip_modifiers, and VARs too: the type whose layout a value's bytes have (the value
    // printer and encoder walk data through it).
    uint32_t skip_to_layout(uint32_t id) const;

    // First type with this exact name and kind.
    std::optional<uint32_t> find_by_name(std::string_view name, BtfKind kind) const;
    // The DATASEC called `name`, with its entries decoded.
    std::optional<BtfDatasec> datasec(std::string_view name) const;

    // C spelling of a type: "struct flow_key", "unsigned int", "__u64[4]", "char *",
    // "int (*)(void *)", "struct { ... }" for anonymous aggregates. Bounded in length.
    std::string type_to_string(uint32_t id) const;

    // Clang leaves DATASEC sizes and global variables' offsets as 0 in .o files (static
    // ones get real offsets); libbpf fills them in from the ELF section size and the
    // symbol table, and the loader does the same with this. `symbol_offset(var_name)` is
    // asked for global variables only and returns the symbol's st_value (nullopt: no
    // symbol, the entry is left as is). Entries are then sorted by offset. Fails if a
    // variable would not fit in the section. `externs_too`: extern variables are asked as
    // well (.kconfig, whose externs libbpf lays out itself: core/loader/kconfig_externs.cpp).
    Result<Unit> fix_datasec_layout(std::string_view datasec_name, uint32_t section_size,
                                    const std::function<std::optional<uint32_t>(std::string_view)>&
                                        symbol_offset,
                                    bool externs_too = false);

private:
    const std::vector<uint32_t>& ids_by_name() const;

    BtfData d_;
    // Every type id ordered by (name, id), built on the first find_by_name: a lookup becomes a
    // binary search instead of a scan of every type (the built-in vmlinux BTF is asked for
    // hundreds of names each time a session builds its kernel objects). Copies share it, which
    // is right because names never change after the parse (fix_datasec_layout changes sizes).
    // Not thread-safe, like the rest of core: one session, one thread.
    mutable std::shared_ptr<const std::vector<uint32_t>> ids_by_name_;
};

// Parses and validates the raw bytes of a .BTF section (little-endian BTF only).
// Errors are ErrorKind::Load with where.section = ".BTF".
Result<Btf> parse_btf(std::span<const uint8_t> section);

}  // namespace bpfplay
