#pragma once
// Base64 with the URL-safe alphabet (RFC 4648 section 5), as share links carry their payload in
// a URL's hash: '-' and '_' for '+' and '/', no '=' padding written (padding is accepted when read).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

std::string base64url_encode(std::span<const uint8_t> bytes);

// Errors (ErrorKind::Parse) name the first character that is not of the alphabet, and a length
// that no encoding has (one character left over).
Result<std::vector<uint8_t>> base64url_decode(std::string_view text);

}  // namespace bpfplay
