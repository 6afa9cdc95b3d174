#pragma once
// A load through a kernel object pointer (PTR_TO_BTF_ID): which field of the object's struct
// the bytes fall in, from the built-in BTF (the kernel's btf_struct_walk). An integer or enum
// field reads as a number; a pointer field or a union is not modelled (what the kernel makes
// of the loaded pointer depends on trust and RCU rules).
#include <cstdint>
#include <string>

namespace bpfplay::verifier {

struct BtfLoad {
    enum class Kind : uint8_t { Refused, Number, CannotTell } kind = Kind::CannotTell;
    std::string message;  // Refused: the kernel's log line; CannotTell: what is not modelled
};

// Reading `size` bytes at `off` (from the object's start) of the struct with BTF type `type_id`.
BtfLoad btf_object_read(uint32_t type_id, int64_t off, uint32_t size);

// The struct's name as the kernel's messages show it ("task_struct"; "" when anonymous).
std::string btf_object_name(uint32_t type_id);

// The built-in BTF's id of struct `name`, 0 when it has none.
uint32_t btf_struct_id(const char* name);

// The struct holds only numbers, arrays of numbers and such structs (the kernel's
// __btf_type_is_scalar_struct, which nests at most MAX_RESOLVE_DEPTH deep).
bool btf_struct_is_scalar(uint32_t type_id);

}  // namespace bpfplay::verifier
