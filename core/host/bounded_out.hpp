#pragma once
// The output side of the kernel's vsnprintf-family: text goes into a fixed-size buffer, the
// part that does not fit is dropped, and the returned length counts everything that would
// have been written. Padding is counted arithmetically, so a width of millions costs nothing.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfplay {

class BoundedOut {
public:
    // `capacity` bytes are kept (the kernel's buffer size minus its terminating NUL).
    explicit BoundedOut(size_t capacity) : capacity_(capacity) {}

    void put(char c) {
        if (text_.size() < capacity_) text_.push_back(c);
        ++length_;
    }
    void put_n(char c, uint64_t n) {
        text_.append(size_t(std::min<uint64_t>(n, capacity_ - text_.size())), c);
        length_ += n;
    }
    void put(std::string_view s) {
        text_.append(s.substr(0, capacity_ - text_.size()));
        length_ += s.size();
    }

    uint64_t length() const { return length_; }     // everything, kept or not
    const std::string& text() const { return text_; }  // what fit
    std::string take_text() { return std::move(text_); }

private:
    size_t capacity_;
    std::string text_;
    uint64_t length_ = 0;
};

}  // namespace bpfplay
