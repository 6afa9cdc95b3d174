#include "core/host/host_ima.hpp"

#include "core/host/digest.hpp"

namespace bpfplay {

const char* ima_algo_name(HostIma::Algo algo) {
    switch (algo) {
    case HostIma::Algo::Sha1: return "sha1";
    case HostIma::Algo::Sha256: return "sha256";
    }
    return "?";
}

std::vector<uint8_t> ima_digest(HostIma::Algo algo, const std::vector<uint8_t>& content) {
    switch (algo) {
    case HostIma::Algo::Sha1: {
        const auto d = sha1(content);
        return {d.begin(), d.end()};
    }
    case HostIma::Algo::Sha256: {
        const auto d = sha256(content);
        return {d.begin(), d.end()};
    }
    }
    return {};
}

}  // namespace bpfplay
