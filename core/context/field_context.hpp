#pragma once
// A context struct described by a field table, as the kernel's *_is_valid_access and
// *_convert_ctx_access functions describe struct xdp_md and struct __sk_buff: which byte
// ranges are fields, which may be read or written, and which loads turn into packet pointers.
#include <cstdint>
#include <string>
#include <vector>

#include "core/memory.hpp"

namespace bpfplay {

enum class FieldKind : uint8_t {
    Value,        // plain bytes in the context's backing store
    PacketStart,  // a 4-byte load gives the 64-bit address of the packet's first byte
    PacketEnd,    // ... of one past its last byte
    PacketMeta,   // ... of the metadata before the packet (equal to the start: no metadata)
};

struct ContextField {
    const char* name;
    uint32_t off;
    uint32_t size;
    // One line for a learner: what the field holds, from <linux/bpf.h> and what the kernel's
    // *_convert_ctx_access reads for it (the debugger's Context view and explain show it).
    const char* about;
    FieldKind kind = FieldKind::Value;
    bool writable = false;
    // Non-zero: every load of the field must be exactly this many bytes (sk_msg_md refuses
    // narrow loads); 0: any load inside the field.
    uint8_t load_size = 0;
};

class FieldContext : public ContextAccess {
public:
    // `fields` must be sorted by offset and not overlap; `size` is sizeof the struct.
    FieldContext(std::string struct_name, std::vector<ContextField> fields, uint32_t size);

    // Where the packet pointers point (set by whoever maps the packet).
    void set_packet(uint64_t start, uint64_t end) { set_packet(start, start, end); }
    // With metadata before the packet (XDP's data_meta, below start).
    void set_packet(uint64_t meta, uint64_t start, uint64_t end) {
        packet_meta_ = meta;
        packet_start_ = start;
        packet_end_ = end;
    }
    // The bytes behind Value fields, laid out as the struct is (tests and the host fill them).
    std::vector<uint8_t>& bytes() { return bytes_; }
    const std::vector<uint8_t>& bytes() const { return bytes_; }
    void set_u32(uint32_t off, uint32_t v);
    uint32_t get_u32(uint32_t off) const;
    const std::vector<ContextField>& fields() const { return fields_; }
    const std::string& struct_name() const { return struct_name_; }

    bool load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) override;
    bool store(uint32_t off, uint32_t size, uint64_t value, std::string& why) override;
    std::span<uint8_t> state_bytes() override { return bytes_; }

private:
    const ContextField* find(uint32_t off, uint32_t size, std::string& why) const;

    std::string struct_name_;
    std::vector<ContextField> fields_;
    std::vector<uint8_t> bytes_;
    uint64_t packet_meta_ = 0, packet_start_ = 0, packet_end_ = 0;
};

}  // namespace bpfplay
