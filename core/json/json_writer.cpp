#include "core/json/json_writer.hpp"

namespace bpfplay {

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (levels_.empty()) return;
    Level& l = levels_.back();
    if (l.lines) {
        out_ += l.empty ? "\n" : ",\n";
        out_.append(2 * levels_.size(), ' ');
    } else if (!l.empty) {
        out_ += layout_ == JsonLayout::Lines ? ", " : ",";
    }
    l.empty = false;
}

JsonWriter& JsonWriter::open(char c, bool is_array) {
    before_value();
    const size_t depth = levels_.size();
    const bool lines = layout_ == JsonLayout::Lines && (depth == 0 || (depth == 1 && is_array));
    levels_.push_back({lines, true});
    out_ += c;
    return *this;
}

JsonWriter& JsonWriter::close(char c) {
    if (levels_.empty()) return *this;  // unbalanced: nothing to close
    const Level l = levels_.back();
    levels_.pop_back();
    if (l.lines && !l.empty) {
        out_ += '\n';
        out_.append(2 * levels_.size(), ' ');
    }
    out_ += c;
    return *this;
}

JsonWriter& JsonWriter::begin_object() { return open('{', false); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() { return open('[', true); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    out_ += json_quote(name, text_);
    out_ += layout_ == JsonLayout::Lines ? ": " : ":";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    out_ += json_quote(s, text_);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) { return raw(b ? "true" : "false"); }

JsonWriter& JsonWriter::null() { return raw("null"); }

JsonWriter& JsonWriter::raw(std::string_view json) {
    before_value();
    out_ += json;
    return *this;
}

}  // namespace bpfplay
