#pragma once
// The LSM helpers and bpf_sock_from_file (core/run/lsm_helpers.cpp; kernel/bpf/bpf_lsm.c,
// security/integrity/ima/ima_main.c and net/socket.c of Linux 6.18 are the reference):
//
//   id  name                 returns
//  159  bpf_bprm_opts_set    0 after setting bprm->secureexec to flags & BPF_F_BPRM_SECUREEXEC
//                            (the bit in the emulated linux_binprm, which the program may read
//                            back); -EINVAL for any other flag bit
//  161  bpf_ima_inode_hash   the hash algorithm (enum hash_algo: 4 SHA-256, 2 SHA-1) after
//                            copying min(digest length, size) bytes of the executable's
//                            collected measurement; -EOPNOTSUPP when no IMA policy measured the
//                            inode (Host::ima.measured, default false; every other inode)
//  193  bpf_ima_file_hash    the same, for the executable's struct file, hashing its content
//                            (Host::ima.exe_content) when no measurement was collected
//  162  bpf_sock_from_file   the struct socket of a socket's file (f_op == &socket_file_ops:
//                            file->private_data), NULL for any other file
//
// The verifier's rules for 161 and 193 (fn->allowed: a sleepable LSM hook; fn->might_sleep: a
// sleepable program) are checked at load (helper_call_rule_error, helper_catalog.hpp).
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> lsm_helper_impls();

}  // namespace bpfplay
