#pragma once
// Raw DEFLATE (RFC 1951, no zlib or gzip header): what the browser's CompressionStream
// ("deflate-raw") writes, so links made by the page before core encoded them still open.
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

std::vector<uint8_t> deflate_raw(std::span<const uint8_t> bytes);

// Inflates at most `max_out` bytes: a small link that unpacks to gigabytes (a "zip bomb") is an
// error naming the limit, not a tab out of memory. Damaged data is an error too (ErrorKind::Parse).
Result<std::vector<uint8_t>> inflate_raw(std::span<const uint8_t> bytes, size_t max_out);

}  // namespace bpfplay
