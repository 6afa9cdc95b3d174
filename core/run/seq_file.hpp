#pragma once
// The seq_file an iterator's program writes into (fs/seq_file.c as bpf_seq_read uses it): one
// buffer of PAGE_SIZE << 3 bytes that each read() fills and hands to user space. Writes that do
// not fit leave it "overflowed" (the kernel sets count = size), and every later write fails too,
// until the reader cuts the buffer back to the last whole element (set_count).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace bpfplay {

struct SeqFile {
    static constexpr uint32_t kSize = 8 * 4096;  // bpf_seq_read: seq->size = PAGE_SIZE << 3

    uint64_t address = 0;       // the struct seq_file * the program gets in ctx->meta->seq
    std::vector<uint8_t> bytes; // seq->buf[0, count) while not overflowed
    bool overflowed = false;    // seq_has_overflowed(): count == size

    uint32_t count() const { return overflowed ? kSize : uint32_t(bytes.size()); }
    // seq_write: the bytes go in only with a byte to spare (count + len < size).
    bool write(std::span<const uint8_t> data) {
        if (!overflowed && bytes.size() + data.size() < kSize) {
            bytes.insert(bytes.end(), data.begin(), data.end());
            return true;
        }
        overflowed = true;
        return false;
    }
    // seq->count = n, n at most what was written before the overflow (an overflowing write
    // appends nothing): drops what came after, and the overflow with it.
    void set_count(uint32_t n) {
        bytes.resize(n);
        overflowed = false;
    }
};

}  // namespace bpfplay
