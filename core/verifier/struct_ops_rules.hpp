#pragma once
// Writes a struct_ops program makes through the kernel objects its context hands it: each
// struct_ops type's btf_struct_access (tcp_congestion_ops: bpf_tcp_ca_btf_struct_access in
// net/ipv4/bpf_tcp_ca.c lets a congestion control write a few fields of its tcp_sock).
#include <cstdint>
#include <string>

namespace bpfplay::verifier {

struct StructOpsWrite {
    enum class Kind : uint8_t { Allowed, Refused, CannotTell } kind = Kind::CannotTell;
    std::string message;  // Refused: the kernel's log line; CannotTell: what is not modelled
};

// A store of `size` bytes at `off` of the object (built-in BTF struct `btf_id`) by a program
// of struct_ops type `ops` ("tcp_congestion_ops").
StructOpsWrite struct_ops_write(const std::string& ops, uint32_t btf_id, int64_t off, uint32_t size);

}  // namespace bpfplay::verifier
