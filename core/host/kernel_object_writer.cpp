#include "core/host/kernel_object_writer.hpp"

#include <cstring>

#include "core/memory.hpp"

namespace bpfplay {

namespace {

// Offset (in bits) of member `name` inside aggregate `id`, looking into anonymous members.
// The member's type id is returned through `type`.
std::optional<uint32_t> find_member(const Btf& btf, uint32_t id, std::string_view name, uint32_t& type,
                                    int depth = 0) {
    if (depth > 16) return std::nullopt;
    for (const BtfMember& m : btf.members(id)) {
        const std::string_view mname = btf.string_at(m.name_off);
        if (mname == name) {
            if (m.bitfield_size != 0) return std::nullopt;  // bitfields are not written by path
            type = m.type;
            return m.bit_offset;
        }
        if (mname.empty()) {
            const uint32_t inner = btf.skip_modifiers(m.type);
            if (auto off = find_member(btf, inner, name, type, depth + 1)) return m.bit_offset + *off;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<uint32_t> KernelObjectWriter::struct_id(std::string_view name) {
    if (auto it = ids_.find(name); it != ids_.end()) return it->second;
    auto id = btf_.find_by_name(name, BtfKind::Struct);
    if (!id) id = btf_.find_by_name(name, BtfKind::Union);
    if (!id) return std::nullopt;
    ids_.emplace(std::string(name), *id);
    return id;
}

uint64_t KernelObjectWriter::allocate_bytes(uint64_t len) {
    const uint64_t off = (bytes_.size() + 7) & ~uint64_t(7);
    bytes_.resize(off + len, 0);
    return base_ + off;
}

uint64_t KernelObjectWriter::add_string(std::string_view s) {
    const uint64_t addr = allocate_bytes(s.size() + 1);
    std::memcpy(at(addr, s.size()), s.data(), s.size());
    return addr;
}

uint64_t KernelObjectWriter::allocate_type(uint32_t id) {
    auto size = btf_.resolve_size(id);
    if (!size) {
        fail("cannot allocate " + btf_.type_to_string(id) + ": " + size.error().what);
        return 0;
    }
    return allocate_bytes(*size);
}

uint64_t KernelObjectWriter::allocate(std::string_view struct_name) {
    auto id = struct_id(struct_name);
    if (!id) {
        fail("the kernel BTF has no struct " + std::string(struct_name));
        return 0;
    }
    return allocate_type(*id);
}

void KernelObjectWriter::set_u64(uint64_t addr, uint64_t value) {
    if (uint8_t* p = at(addr, 8))
        store_le<uint64_t>(p, value);
    else
        fail("8 bytes at " + std::to_string(addr) + ": outside the objects");
}

uint8_t* KernelObjectWriter::at(uint64_t addr, uint64_t len) {
    if (addr < base_ || addr - base_ + len > bytes_.size()) return nullptr;
    return bytes_.data() + (addr - base_);
}

std::optional<KernelObjectWriter::Field> KernelObjectWriter::resolve(uint64_t addr, std::string_view type,
                                                                     std::string_view path) {
    const std::string where = "struct " + std::string(type) + " ." + std::string(path);
    auto id = struct_id(type);
    if (!id) {
        fail(where + ": no such struct");
        return std::nullopt;
    }
    uint32_t cur = *id;
    size_t i = 0;
    while (true) {
        // One step: a member name, then any [index]es.
        size_t end = i;
        while (end < path.size() && path[end] != '.' && path[end] != '-' && path[end] != '[') ++end;
        const std::string_view name = path.substr(i, end - i);
        uint32_t mtype = 0;
        auto bits = find_member(btf_, btf_.skip_modifiers(cur), name, mtype);
        if (!bits || *bits % 8 != 0) {
            fail(where + ": no member " + std::string(name) + " in " + btf_.type_to_string(cur));
            return std::nullopt;
        }
        addr += *bits / 8;
        cur = btf_.skip_modifiers(mtype);
        i = end;
        while (i < path.size() && path[i] == '[') {
            const BtfType* t = btf_.type(cur);
            const size_t close = path.find(']', i);
            if (!t || t->kind != BtfKind::Array || close == std::string_view::npos) {
                fail(where + ": " + std::string(name) + " is not an array");
                return std::nullopt;
            }
            const uint64_t index = std::stoull(std::string(path.substr(i + 1, close - i - 1)));
            auto elem = btf_.resolve_size(t->array.elem_type);
            if (!elem || index >= t->array.nelems) {
                fail(where + ": index out of range");
                return std::nullopt;
            }
            addr += index * *elem;
            cur = btf_.skip_modifiers(t->array.elem_type);
            i = close + 1;
        }
        if (i >= path.size()) break;
        if (path[i] == '.') {
            ++i;
            continue;
        }
        if (path.substr(i, 2) != "->") {
            fail(where + ": bad path");
            return std::nullopt;
        }
        // Through the pointer: allocate the pointee on first use.
        const BtfType* t = btf_.type(cur);
        if (!t || t->kind != BtfKind::Ptr) {
            fail(where + ": " + std::string(name) + " is not a pointer");
            return std::nullopt;
        }
        uint8_t* slot = at(addr, 8);
        if (!slot) {
            fail(where + ": outside the objects");
            return std::nullopt;
        }
        uint64_t target = load_le<uint64_t>(slot);
        const uint32_t pointee = btf_.skip_modifiers(t->ref);
        if (target == 0) {
            target = allocate_type(pointee);
            if (target == 0) return std::nullopt;
            store_le<uint64_t>(at(addr, 8), target);  // allocate may have moved the bytes
        }
        addr = target;
        cur = pointee;
        i += 2;
    }
    auto size = btf_.resolve_size(cur);
    return Field{addr, cur, size ? *size : 0};
}

void KernelObjectWriter::set(uint64_t addr, std::string_view type, std::string_view path, uint64_t value) {
    auto f = resolve(addr, type, path);
    if (!f) return;
    const BtfType* t = btf_.type(f->type);
    const bool scalar = t && (t->kind == BtfKind::Int || t->kind == BtfKind::Ptr || t->is_enum());
    uint8_t* p = at(f->addr, f->size);
    if (!scalar || !p || f->size > 8) {
        fail("struct " + std::string(type) + " ." + std::string(path) + " is not an integer or pointer field");
        return;
    }
    for (uint32_t b = 0; b < f->size; ++b) p[b] = uint8_t(value >> (8 * b));
}

void KernelObjectWriter::set_bytes(uint64_t addr, std::string_view type, std::string_view path,
                                   std::string_view bytes) {
    auto f = resolve(addr, type, path);
    if (!f) return;
    uint8_t* p = at(f->addr, f->size);
    if (!p) return;
    std::memcpy(p, bytes.data(), bytes.size() < f->size ? bytes.size() : f->size);
}

std::optional<uint64_t> KernelObjectWriter::field_address(uint64_t addr, std::string_view type,
                                                          std::string_view path) {
    auto f = resolve(addr, type, path);
    return f ? std::optional<uint64_t>(f->addr) : std::nullopt;
}

std::optional<uint64_t> KernelObjectWriter::pointee(uint64_t addr, std::string_view type, std::string_view path) {
    // "x->" resolves through the pointer; the empty member after it is not looked up.
    auto f = resolve(addr, type, path);
    if (!f) return std::nullopt;
    const BtfType* t = btf_.type(f->type);
    uint8_t* slot = at(f->addr, 8);
    if (!t || t->kind != BtfKind::Ptr || !slot) {
        fail("struct " + std::string(type) + " ." + std::string(path) + " is not a pointer");
        return std::nullopt;
    }
    uint64_t target = load_le<uint64_t>(slot);
    if (target == 0) {
        target = allocate_type(btf_.skip_modifiers(t->ref));
        if (target == 0) return std::nullopt;
        store_le<uint64_t>(at(f->addr, 8), target);
    }
    return target;
}

}  // namespace bpfplay
