#pragma once
// A map's whole state as bytes, for reverse execution: the debugger saves a map before a helper
// touches it and puts it back on step-back. Vectors are written at a fixed capacity (padded
// with zeros), so two states of one map have the same length and differ only where entries
// changed: the journal keeps just those differing bytes. Restoring writes into the existing
// buffers, so addresses programs hold (values) and the key index's key pointer stay valid.
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace bpfplay {

class StateWriter {
public:
    explicit StateWriter(std::vector<uint8_t>& out) : out_(out) {}
    template <class T>
    void pod(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes(&v, sizeof v);
    }
    // The size, then `capacity` elements (v's, then zeros). v.size() must not exceed capacity.
    template <class T>
    void vec(const std::vector<T>& v, size_t capacity) {
        static_assert(std::is_trivially_copyable_v<T>);
        pod(uint64_t(v.size()));
        bytes(v.data(), v.size() * sizeof(T));
        out_.resize(out_.size() + (capacity - v.size()) * sizeof(T), 0);
    }
    template <class T>
    void vec(const std::vector<T>& v) { vec(v, v.size()); }
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        out_.insert(out_.end(), b, b + n);
    }

private:
    std::vector<uint8_t>& out_;
};

class StateReader {
public:
    explicit StateReader(std::span<const uint8_t> in) : in_(in) {}
    template <class T>
    void pod(T& v) { bytes(&v, sizeof v); }
    template <class T>
    void vec(std::vector<T>& v, size_t capacity) {
        uint64_t n = 0;
        pod(n);
        v.resize(size_t(n));  // same size as saved: no reallocation for fixed-size vectors
        bytes(v.data(), size_t(n) * sizeof(T));
        pos_ += (capacity - size_t(n)) * sizeof(T);
    }
    // A vector written without padding (StateWriter::vec(v)): as many elements as were saved.
    template <class T>
    void vec(std::vector<T>& v) {
        uint64_t n = 0;
        pod(n);
        v.resize(size_t(n));
        bytes(v.data(), size_t(n) * sizeof(T));
    }
    void bytes(void* p, size_t n) {
        if (n) std::memcpy(p, in_.data() + pos_, n);
        pos_ += n;
    }

private:
    std::span<const uint8_t> in_;
    size_t pos_ = 0;
};

}  // namespace bpfplay
