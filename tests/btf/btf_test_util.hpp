#pragma once
// Test helpers for the BTF tests:
//   - ElfFixture: reads a committed fixture object with libelf and hands out section
//     bytes, symbol values and relocations, the way the ELF loader will;
//   - BtfBuilder: writes small .BTF blobs type by type, so malformed inputs can be made
//     precisely (one bad field at a time) instead of by patching offsets by hand.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfplay::test {

struct ElfReloc {
    uint64_t offset = 0;     // r_offset in the section the relocations apply to
    std::string symbol;      // symbol name
    uint32_t type = 0;       // R_BPF_*
};

struct ElfSymbol {
    std::string section;     // name of the section it is defined in
    uint64_t value = 0;      // st_value
    uint64_t size = 0;
};

struct ElfFixture {
    std::map<std::string, std::vector<uint8_t>> sections;  // name -> contents (NOBITS: zeros)
    std::multimap<std::string, ElfSymbol> symbols;          // name -> definition(s)
    std::map<std::string, std::vector<ElfReloc>> relocs;    // target section name -> relocs

    const std::vector<uint8_t>& section(const std::string& name) const;
    // st_value of a symbol defined in `section_name`, if any.
    std::optional<uint32_t> symbol_offset(const std::string& section_name, std::string_view symbol) const;
};

// Loads tests/btf/fixtures/<name>; fails the current test (REQUIRE) if it can't.
ElfFixture load_fixture(const std::string& name);

// BTF kinds as wire numbers, for raw records.
enum : uint32_t {
    K_INT = 1, K_PTR = 2, K_ARRAY = 3, K_STRUCT = 4, K_UNION = 5, K_ENUM = 6, K_FWD = 7,
    K_TYPEDEF = 8, K_VOLATILE = 9, K_CONST = 10, K_RESTRICT = 11, K_FUNC = 12,
    K_FUNC_PROTO = 13, K_VAR = 14, K_DATASEC = 15, K_FLOAT = 16, K_DECL_TAG = 17,
    K_TYPE_TAG = 18, K_ENUM64 = 19,
};

inline uint32_t btf_info(uint32_t kind, uint32_t vlen, bool kflag = false) {
    return (kflag ? 0x80000000u : 0u) | (kind << 24) | vlen;
}

class BtfBuilder {
public:
    struct Member {
        std::string name;
        uint32_t type;
        uint32_t offset;  // raw btf_member.offset (bits; with kflag: bitfield size << 24)
    };

    uint32_t str(std::string_view s);  // offset of s in the string section (added once)

    // Each add_* returns the new type id.
    uint32_t add_int(std::string_view name, uint32_t size, uint32_t encoding, uint32_t bits, uint32_t bit_offset = 0);
    uint32_t add_ref(uint32_t kind, std::string_view name, uint32_t ref);  // ptr, typedef, const, func...
    uint32_t add_array(uint32_t elem, uint32_t index, uint32_t nelems);
    uint32_t add_struct(std::string_view name, uint32_t size, const std::vector<Member>& members,
                        bool kflag = false, uint32_t kind = K_STRUCT);
    uint32_t add_enum(std::string_view name, uint32_t size, const std::vector<std::pair<std::string, int32_t>>& values,
                      bool kflag = false);
    uint32_t add_func_proto(uint32_t ret, const std::vector<std::pair<std::string, uint32_t>>& params);
    uint32_t add_var(std::string_view name, uint32_t type, uint32_t linkage = 1);
    uint32_t add_datasec(std::string_view name, uint32_t size, const std::vector<std::array<uint32_t, 3>>& entries);
    // Any record: the 12-byte btf_type and extra 32-bit words as given.
    uint32_t add_raw(uint32_t name_off, uint32_t info, uint32_t size_or_type, const std::vector<uint32_t>& extra = {});

    // Header + types + strings, laid out as clang does (types first, then strings).
    std::vector<uint8_t> build() const;

    uint32_t next_id() const { return next_id_; }

private:
    void word(uint32_t w);
    std::vector<uint8_t> types_;
    std::string strings_ = std::string(1, '\0');
    uint32_t next_id_ = 1;
};

void put_u32(std::vector<uint8_t>& bytes, size_t offset, uint32_t v);
uint32_t get_u32(const std::vector<uint8_t>& bytes, size_t offset);

// .BTF.ext writer: header (32 bytes, with core_relo fields) + blocks as given.
struct ExtBlock {
    uint32_t rec_size = 0;
    struct Sec {
        uint32_t name_off;
        uint32_t num_info;  // written as is (may lie)
        std::vector<uint32_t> words;  // record words
    };
    std::vector<Sec> secs;
    bool present = false;
};
std::vector<uint8_t> build_btf_ext(const ExtBlock& func, const ExtBlock& line, const ExtBlock& core);

}  // namespace bpfplay::test
