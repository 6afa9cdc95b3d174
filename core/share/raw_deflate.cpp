#include "core/share/raw_deflate.hpp"

#include <zlib.h>

#include <string>

namespace bpfplay {

namespace {

constexpr int kRawWindowBits = -15;  // negative: no zlib header or trailer (raw DEFLATE)

}  // namespace

std::vector<uint8_t> deflate_raw(std::span<const uint8_t> bytes) {
    z_stream z{};
    // Only Z_MEM_ERROR can make this fail (the arguments are constants); the output is then
    // empty, which inflates to nothing and is refused as a link.
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kRawWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    std::vector<uint8_t> out(deflateBound(&z, uLong(bytes.size())));
    z.next_in = const_cast<Bytef*>(bytes.data());
    z.avail_in = uInt(bytes.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    const int rc = deflate(&z, Z_FINISH);
    const size_t written = out.size() - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return {};
    out.resize(written);
    return out;
}

Result<std::vector<uint8_t>> inflate_raw(std::span<const uint8_t> bytes, size_t max_out) {
    z_stream z{};
    if (inflateInit2(&z, kRawWindowBits) != Z_OK)
        return Error{ErrorKind::Parse, {}, "the decompressor could not start (out of memory)", ""};
    std::vector<uint8_t> out;
    z.next_in = const_cast<Bytef*>(bytes.data());
    z.avail_in = uInt(bytes.size());
    uint8_t chunk[16384];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            if (rc == Z_BUF_ERROR) return Error{ErrorKind::Parse, {}, "the compressed data ends too soon", ""};
            return Error{ErrorKind::Parse, {}, std::string("the compressed data is damaged (") + (z.msg ? z.msg : "inflate error") + ")", ""};
        }
        const size_t got = sizeof chunk - z.avail_out;
        if (out.size() + got > max_out) {
            inflateEnd(&z);
            return Error{ErrorKind::Parse, {}, "it unpacks to more than " + std::to_string(max_out) + " bytes", ""};
        }
        out.insert(out.end(), chunk, chunk + got);
        if (rc == Z_OK && got == 0 && z.avail_in == 0) {
            inflateEnd(&z);
            return Error{ErrorKind::Parse, {}, "the compressed data ends too soon", ""};
        }
    }
    inflateEnd(&z);
    return out;
}

}  // namespace bpfplay
