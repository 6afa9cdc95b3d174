#pragma once
// What the kernel's integrity measurement architecture (IMA) knows of the current task's
// executable: the bytes it hashes, its hash algorithm (ima_hash_algo, the ima_hash= boot
// parameter) and whether a policy rule measured the file (its iint cache entry has
// IMA_COLLECTED). bpf_ima_file_hash hashes the content when no measurement was collected;
// bpf_ima_inode_hash only returns a collected one (-EOPNOTSUPP without). Host JSON member "ima":
//   {"hash_algo": "sha256", "measured": false, "exe_content": "7f454c46..."}
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bpfplay {

struct HostIma {
    // enum hash_algo (include/uapi/linux/hash_info.h): what the helpers return.
    enum class Algo : uint8_t { Sha1 = 2, Sha256 = 4 };
    Algo hash_algo = Algo::Sha256;  // CONFIG_IMA_DEFAULT_HASH_SHA256
    bool measured = false;          // the default policy (none loaded) measures nothing
    std::vector<uint8_t> exe_content = default_exe_content();

    // 64 bytes: an x86-64 position-independent executable's ELF header (e_ident, ET_DYN,
    // EM_X86_64, EV_CURRENT), the rest zero. Deterministic, so the default digest is fixed.
    static std::vector<uint8_t> default_exe_content() {
        std::vector<uint8_t> b(64, 0);
        const uint8_t head[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0, 1, 0, 0, 0};
        for (std::size_t i = 0; i < sizeof head; ++i) b[i] = head[i];
        return b;
    }
    friend bool operator==(const HostIma&, const HostIma&) = default;
};

// "sha1" / "sha256" (the names of the kernel's hash_algo_name[]).
const char* ima_algo_name(HostIma::Algo algo);
// The digest of `content` with `algo` (20 bytes for SHA-1, 32 for SHA-256).
std::vector<uint8_t> ima_digest(HostIma::Algo algo, const std::vector<uint8_t>& content);

}  // namespace bpfplay
