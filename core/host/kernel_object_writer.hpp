#pragma once
// Writes emulated kernel objects laid out by a BTF (the built-in vmlinux BTF): given a struct
// name and a field path, it finds the offset the way a compiler would and stores a value there,
// so the bytes a program reads sit exactly where a real 6.18 kernel keeps them.
//
// Paths name members, with C's spelling:
//   "pid"                                    a member
//   "se.vruntime"                            a member of a member held by value
//   "cred->uid.val"                          through a pointer: the pointee is allocated (zeroed)
//                                            on first use and its address stored in the pointer
//   "thread_pid->numbers[0].nr"              an array element
// Members of anonymous structs/unions are found by name, as C finds them.
//
// Objects are allocated one after another in one byte buffer that is later mapped at `base`.
// A path the BTF does not have is a bug in the caller: it is recorded in errors() (a test
// checks there is none) and nothing is written.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/btf/btf.hpp"

namespace bpfplay {

class KernelObjectWriter {
public:
    KernelObjectWriter(const Btf& btf, uint64_t base) : btf_(btf), base_(base) {}

    // A zeroed object of `struct name` (8-byte aligned); its address. 0 if the BTF lacks it.
    uint64_t allocate(std::string_view struct_name);
    // `len` zeroed bytes; their address.
    uint64_t allocate_bytes(uint64_t len);
    // A NUL-terminated copy of s; its address.
    uint64_t add_string(std::string_view s);

    // Stores `value` in the integer, enum or pointer field at `path` of the `struct type` at
    // `addr`, truncated to the field's size (little-endian).
    void set(uint64_t addr, std::string_view type, std::string_view path, uint64_t value);
    // Stores 8 bytes at `addr` itself: for what the BTF gives no size, a flexible array's elements.
    void set_u64(uint64_t addr, uint64_t value);
    // Copies `bytes` into the array (or any) field at `path`, at most the field's size.
    void set_bytes(uint64_t addr, std::string_view type, std::string_view path, std::string_view bytes);
    // The address of the field at `path` (following pointers as set() does): where a pointer
    // path ends, e.g. "mm->exe_file" gives the address of the pointer field itself.
    std::optional<uint64_t> field_address(uint64_t addr, std::string_view type, std::string_view path);
    // The struct at the end of a pointer path ("nsproxy" -> the nsproxy's address), allocated if
    // the pointer is still NULL.
    std::optional<uint64_t> pointee(uint64_t addr, std::string_view type, std::string_view path);

    const std::vector<uint8_t>& bytes() const { return bytes_; }
    std::vector<uint8_t> take_bytes() { return std::move(bytes_); }
    const std::vector<std::string>& errors() const { return errors_; }
    const Btf& btf() const { return btf_; }

private:
    struct Field {
        uint64_t addr = 0;
        uint32_t type = 0;  // the field's type id, modifiers skipped
        uint32_t size = 0;
    };
    std::optional<Field> resolve(uint64_t addr, std::string_view type, std::string_view path);
    std::optional<uint32_t> struct_id(std::string_view name);
    uint64_t allocate_type(uint32_t id);
    uint8_t* at(uint64_t addr, uint64_t len);
    void fail(std::string what) { errors_.push_back(std::move(what)); }

    const Btf& btf_;
    uint64_t base_;
    std::vector<uint8_t> bytes_;
    std::vector<std::string> errors_;
    std::map<std::string, uint32_t, std::less<>> ids_;
};

}  // namespace bpfplay
