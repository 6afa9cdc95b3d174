#pragma once
// Internal: bounds-checked little-endian reads from section bytes, and the error
// constructors shared by the .BTF and .BTF.ext parsers. Reads assemble bytes one by one,
// so they are alignment- and host-endianness-independent.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"

namespace bpfplay::btf_detail {

class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    size_t size() const { return bytes_.size(); }
    // True when [offset, offset + length) lies inside the bytes (no overflow possible).
    bool has(uint64_t offset, uint64_t length) const {
        return offset <= bytes_.size() && length <= bytes_.size() - offset;
    }
    // Callers check has() first; out-of-range reads return 0 rather than touch memory.
    uint8_t u8(uint64_t offset) const { return has(offset, 1) ? bytes_[offset] : 0; }
    uint16_t u16(uint64_t offset) const {
        if (!has(offset, 2)) return 0;
        return static_cast<uint16_t>(bytes_[offset] | (bytes_[offset + 1] << 8));
    }
    uint32_t u32(uint64_t offset) const {
        if (!has(offset, 4)) return 0;
        return static_cast<uint32_t>(bytes_[offset]) | (static_cast<uint32_t>(bytes_[offset + 1]) << 8) |
               (static_cast<uint32_t>(bytes_[offset + 2]) << 16) |
               (static_cast<uint32_t>(bytes_[offset + 3]) << 24);
    }
    std::span<const uint8_t> slice(uint64_t offset, uint64_t length) const {
        if (!has(offset, length)) return {};
        return bytes_.subspan(offset, length);
    }

private:
    std::span<const uint8_t> bytes_;
};

inline Error section_error(const char* section, std::string what) {
    Error e = make_error(ErrorKind::Load, std::move(what));
    e.where.section = section;
    return e;
}
inline Error btf_error(std::string what) { return section_error(".BTF", std::move(what)); }
inline Error btf_ext_error(std::string what) { return section_error(".BTF.ext", std::move(what)); }

constexpr uint16_t kBtfMagic = 0xeB9F;  // BTF_MAGIC, .BTF's and .BTF.ext's first field

// One field of a section header (btf_header, btf_ext_header), for "truncated header" messages.
struct HeaderField {
    const char* name;
    uint32_t offset;
    uint32_t size;
};

// hex(): "0x1c" -- offsets in messages are hex, like readelf and the kernel's BTF log print them.
using bpfplay::hex;
}  // namespace bpfplay::btf_detail
