#include "core/context/field_context.hpp"

#include <cstring>

namespace bpfplay {

FieldContext::FieldContext(std::string struct_name, std::vector<ContextField> fields, uint32_t size)
    : struct_name_(std::move(struct_name)), fields_(std::move(fields)), bytes_(size, 0) {}

void FieldContext::set_u32(uint32_t off, uint32_t v) {
    if (off + 4 <= bytes_.size()) std::memcpy(bytes_.data() + off, &v, 4);
}

uint32_t FieldContext::get_u32(uint32_t off) const {
    uint32_t v = 0;
    if (off + 4 <= bytes_.size()) std::memcpy(&v, bytes_.data() + off, 4);
    return v;
}

const ContextField* FieldContext::find(uint32_t off, uint32_t size, std::string& why) const {
    if (uint64_t(off) + size > bytes_.size()) {
        why = "struct " + struct_name_ + " is " + std::to_string(bytes_.size()) + " bytes long";
        return nullptr;
    }
    for (const ContextField& f : fields_) {
        if (off >= f.off && off + size <= f.off + f.size) return &f;
        if (off < f.off + f.size && off + size > f.off) {
            why = "it straddles the end of field " + std::string(f.name) + " (bytes " + std::to_string(f.off) +
                  " to " + std::to_string(f.off + f.size - 1) + ")";
            return nullptr;
        }
    }
    why = "no field of struct " + struct_name_ + " is there";
    return nullptr;
}

bool FieldContext::load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) {
    const ContextField* f = find(off, size, why);
    if (!f) return false;
    if (f->kind != FieldKind::Value) {
        // The kernel rewrites only full-width loads of the pointer fields.
        if (off != f->off || size != f->size) {
            why = std::string(f->name) + " must be read as a whole " + std::to_string(f->size) + "-byte field";
            return false;
        }
        value = f->kind == FieldKind::PacketEnd    ? packet_end_
                : f->kind == FieldKind::PacketMeta ? packet_meta_
                                                   : packet_start_;
        return true;
    }
    if (f->load_size && size != f->load_size) {
        why = std::string(f->name) + " must be read " + std::to_string(f->load_size) + " bytes at a time";
        return false;
    }
    value = 0;
    std::memcpy(&value, bytes_.data() + off, size);
    return true;
}

bool FieldContext::store(uint32_t off, uint32_t size, uint64_t value, std::string& why) {
    const ContextField* f = find(off, size, why);
    if (!f) return false;
    if (!f->writable) {
        why = "field " + std::string(f->name) + " is read-only for this program type";
        return false;
    }
    std::memcpy(bytes_.data() + off, &value, size);
    return true;
}

}  // namespace bpfplay
