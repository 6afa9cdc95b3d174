#pragma once
// SHA-1 and SHA-256 (FIPS 180-4): the digests IMA computes of a file's content with its hash
// algorithm (bpf_ima_file_hash, bpf_ima_inode_hash). Small and portable: no crypto library.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace bpfplay {

std::array<uint8_t, 20> sha1(std::span<const uint8_t> data);
std::array<uint8_t, 32> sha256(std::span<const uint8_t> data);

}  // namespace bpfplay
