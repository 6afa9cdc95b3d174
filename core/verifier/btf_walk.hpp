#pragma once
// A load through a kernel object pointer (PTR_TO_BTF_ID): which field of the object's struct
// the bytes fall in, from the built-in BTF (the kernel's btf_struct_walk). An integer or enum
// field reads as a number, a pointer field read whole as a pointer to its struct (Object) or,
// pointing at anything else, as a number. A union is walked as a struct; a pointer found past
// a union of several members is untrusted, which is not modelled.
#include <cstdint>
#include <string>

namespace bpfplay {
class Btf;
}

namespace bpfplay::verifier {

struct BtfLoad {
    enum class Kind : uint8_t { Refused, Number, Object, CannotTell } kind = Kind::CannotTell;
    std::string message;  // Refused: the kernel's log line; CannotTell: what is not modelled
    uint32_t btf_id = 0;  // Object: the struct the loaded pointer points at
    std::string field;    // Object: the pointer member's name (what the kernel's trust lists name)
};

// Reading `size` bytes at `off` (from the object's start) of the struct with BTF type `type_id`.
BtfLoad btf_object_read(uint32_t type_id, int64_t off, uint32_t size);
// The same walk in another BTF: the program's own, for an object it allocated (bpf_obj_new).
BtfLoad btf_object_read(const Btf& btf, uint32_t type_id, int64_t off, uint32_t size);

// The struct's name as the kernel's messages show it ("task_struct"; "" when anonymous).
std::string btf_object_name(uint32_t type_id);

// btf_struct_ids_match at offset 0: the same struct, or (unless strict, as for release
// arguments) one reached through first members (struct tcp_sock starts with a struct sock...).
bool btf_struct_ids_match(uint32_t have, uint32_t want, bool strict);

// The built-in BTF's id of struct `name`, 0 when it has none.
uint32_t btf_struct_id(const char* name);

// The struct holds only numbers, arrays of numbers and such structs (the kernel's
// __btf_type_is_scalar_struct, which nests at most MAX_RESOLVE_DEPTH deep).
bool btf_struct_is_scalar(uint32_t type_id);

}  // namespace bpfplay::verifier
