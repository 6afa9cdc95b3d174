#include "core/run/kernel_field.hpp"

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

std::optional<uint64_t> read_kernel_field(Vm& vm, uint64_t addr, std::string_view type, std::string_view path,
                                          uint32_t size) {
    // The offset, from a writer laying out one object at 0 (KernelObjectWriter resolves paths
    // exactly as the objects were written).
    KernelObjectWriter w(builtin_target_btf(), 0);
    const uint64_t base = w.allocate(type);
    const std::optional<uint64_t> at = w.field_address(base, type, path);
    if (!at) return std::nullopt;
    const uint8_t* p = vm.memory().helper_ptr(addr + (*at - base), size, false);
    if (!p) return std::nullopt;
    uint64_t v = 0;
    for (uint32_t b = 0; b < size; ++b) v |= uint64_t(p[b]) << (8 * b);
    return v;
}

}  // namespace bpfplay
