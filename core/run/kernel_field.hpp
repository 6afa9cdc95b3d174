#pragma once
// A field of an emulated kernel object, read as kernel code reads it: a helper handed a BTF
// pointer (a struct xdp_buff, a struct file) finds the member at its offset in the built-in
// vmlinux BTF (core/btf/builtin_target_btf.hpp), the layout the objects were written with.
#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfplay {

class Vm;

// The `size`-byte (1..8, little-endian) field `path` ("data_end", "d_name.len": no pointers) of
// the struct `type` at `addr`; nullopt when the struct has no such field or `addr` plus its
// offset is not readable memory.
std::optional<uint64_t> read_kernel_field(Vm& vm, uint64_t addr, std::string_view type, std::string_view path,
                                          uint32_t size);

}  // namespace bpfplay
