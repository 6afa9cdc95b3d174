#pragma once
// The structs the kernel's BTF parser (btf_parse_fields) treats as special fields of a map value
// or of an object a program allocates, by name. The emulator's graph kfuncs, the checker and
// the loader each act on some of them; their sizes come from the BTF that declares them.
#include <cstdint>
#include <string_view>

namespace bpfplay {

enum class SpecialField : uint8_t {
    SpinLock,
    ResSpinLock,
    Timer,
    Wq,
    TaskWork,
    ListHead,
    ListNode,
    RbRoot,
    RbNode,
    Refcount,
};

struct SpecialFieldRow {
    std::string_view name;  // "bpf_list_node"
    SpecialField field;
};

inline constexpr SpecialFieldRow kSpecialFields[] = {
    {"bpf_spin_lock", SpecialField::SpinLock}, {"bpf_res_spin_lock", SpecialField::ResSpinLock},
    {"bpf_timer", SpecialField::Timer},        {"bpf_wq", SpecialField::Wq},
    {"bpf_task_work", SpecialField::TaskWork}, {"bpf_list_head", SpecialField::ListHead},
    {"bpf_list_node", SpecialField::ListNode}, {"bpf_rb_root", SpecialField::RbRoot},
    {"bpf_rb_node", SpecialField::RbNode},     {"bpf_refcount", SpecialField::Refcount},
};

// The row of the struct named `struct_name`, or nullptr for an ordinary struct.
inline const SpecialFieldRow* special_field_named(std::string_view struct_name) {
    for (const SpecialFieldRow& row : kSpecialFields)
        if (row.name == struct_name) return &row;
    return nullptr;
}

// bpf_mem_alloc's largest size class (4096 bytes) less its 8-byte free-list header: the largest
// object bpf_obj_new can serve.
inline constexpr uint32_t kMemAllocMaxObject = 4096 - 8;

}  // namespace bpfplay
