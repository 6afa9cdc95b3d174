#pragma once
// The contexts of the socket, cgroup and syscall program types that the kernel checks by offset
// and size (their *_is_valid_access), a few also by the expected attach type: sock_ops, sk_msg,
// sk_reuseport, cgroup sock_addr, sock, sockopt, device and sysctl, syscall.
#include <cstdint>

#include "core/verifier/ctx_rules.hpp"

namespace bpfplay::verifier {

// The context accesses of every type check this first (`off % size != 0` is refused).
inline bool ctx_aligned(uint32_t off, uint32_t size) { return off % size == 0; }

bool socket_ctx_modelled(ProgType type);  // one of the types above
CtxRead socket_ctx_read(ProgType type, AttachType attach, uint32_t off, uint32_t size);
bool socket_ctx_write(ProgType type, AttachType attach, uint32_t off, uint32_t size);

}  // namespace bpfplay::verifier
