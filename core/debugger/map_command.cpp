#include "core/debugger/map_command.hpp"

#include <cstdlib>

#include "core/hex.hpp"
#include "core/json/json_writer.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_batch.hpp"

namespace bpfplay {

const char kMapCommandHelp[] =
    "  lookup MAP KEY   getnext MAP [KEY]   dump MAP   delete MAP KEY   freeze MAP\n"
    "  update MAP KEY VALUE [any|noexist|exist]   lookup_and_delete MAP KEY\n"
    "  push MAP VALUE [exist]   pop MAP   peek MAP   (queues, stacks, bloom filters)\n"
    "  lookup_batch MAP COUNT [TOKEN]   lookup_and_delete_batch MAP COUNT [TOKEN]\n"
    "  update_batch MAP KEY VALUE [KEY VALUE ...]   delete_batch MAP KEY [KEY ...]\n"
    "  KEY, VALUE, TOKEN: hex bytes without spaces (06000000)\n";

namespace {

namespace e = kerrno;

Error usage(std::string what) {
    return make_error(ErrorKind::Parse, std::move(what), std::nullopt, "\"map help\" lists the commands and what they take");
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// What an errno means for a map command, in the words of bpf(2)'s documentation (linux/bpf.h).
std::string errno_words(int64_t r) {
    switch (-r) {
    case e::kENOENT: return " (no such entry; or the end of the walk)";
    case e::kE2BIG: return " (the map is full, or the index is past max_entries)";
    case e::kEEXIST: return " (the key is already there: BPF_NOEXIST)";
    case e::kEPERM: return " (the map is frozen or read-only for user space)";
    case e::kENOTSUPP: return " (this map type has no such command)";
    case e::kEINVAL: return " (the flags, the key or the value are not valid for this map)";
    case e::kENOSPC: return " (COUNT is smaller than the next bucket's entries)";
    case e::kEFAULT: return " (fewer keys or values than COUNT)";
    default: return "";
    }
}

std::string status(std::string_view command, int64_t r) {
    return std::string(command) + ": " + (r == 0 ? std::string("0") : errno_name(r) + errno_words(r));
}

std::string spaced(std::span<const uint8_t> bytes) { return hex_bytes_spaced(bytes); }

class Command {
public:
    Command(DebugSession& session, std::vector<std::string_view> w) : session_(session), w_(std::move(w)) {}

    Result<MapCommandResult> run() {
        if (w_.size() == 1 && w_[0] == "help") return help();
        if (w_.size() < 2) return usage("a map command names a command and a map: lookup MAP KEY");
        const std::string_view cmd = w_[0];
        map_ = session_.find_map(w_[1]);
        if (!map_) {
            Error err = make_error(ErrorKind::Map, "the object has no map named \"" + std::string(w_[1]) + "\"");
            err.where.map = std::string(w_[1]);
            return err;
        }
        if (cmd == "lookup") return lookup();
        if (cmd == "getnext") return getnext();
        if (cmd == "dump") return dump();
        if (cmd == "update") return update();
        if (cmd == "delete") return del();
        if (cmd == "lookup_and_delete") return lookup_and_delete();
        if (cmd == "push") return push();
        if (cmd == "pop" || cmd == "peek") return pop_peek(cmd == "pop");
        if (cmd == "freeze") return changing(map_->freeze(), "freeze");
        if (cmd == "lookup_batch" || cmd == "lookup_and_delete_batch") return lookup_batch(cmd == "lookup_and_delete_batch");
        if (cmd == "update_batch") return update_batch();
        if (cmd == "delete_batch") return delete_batch();
        return usage("\"" + std::string(cmd) + "\" is not a map command");
    }

private:
    static MapCommandResult help() {
        MapCommandResult out;
        std::string_view text = kMapCommandHelp;
        while (!text.empty()) {
            const size_t nl = text.find('\n');
            std::string_view line = text.substr(0, nl);
            while (line.starts_with(' ')) line.remove_prefix(1);
            out.lines.emplace_back(line);
            text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        }
        return out;
    }

    Result<std::vector<uint8_t>> bytes_at(size_t i, std::string_view what, size_t want) {
        if (i >= w_.size()) return usage("missing " + std::string(what));
        auto b = parse_hex_bytes(w_[i]);
        if (!b) return usage(std::string(what) + ": " + b.error().what);
        if (want != SIZE_MAX && b->size() != want)
            return usage(std::string(what) + " is " + std::to_string(b->size()) + " bytes; map " + map_->name() +
                         " takes " + std::to_string(want));
        return std::move(*b);
    }
    Result<std::vector<uint8_t>> key_at(size_t i) { return bytes_at(i, "KEY", map_->key_size()); }
    Result<std::vector<uint8_t>> value_at(size_t i) { return bytes_at(i, "VALUE", map_->user_value_size()); }
    Result<Unit> no_more(size_t n) {
        if (w_.size() > n) return usage("unexpected \"" + std::string(w_[n]) + "\"");
        return Unit{};
    }

    MapCommandResult answer(int64_t r, std::string_view command) {
        MapCommandResult out;
        out.ret = r;
        out.lines.push_back(status(command, r));
        return out;
    }
    MapCommandResult changing(int64_t r, std::string_view command) {
        MapCommandResult out = answer(r, command);
        if (r == 0) mark_changed(out);
        return out;
    }
    void entry_line(MapCommandResult& out, std::span<const uint8_t> key, std::span<const uint8_t> value) {
        out.lines.push_back("key: " + (key.empty() ? std::string("(none)") : spaced(key)) + "  value: " + spaced(value));
    }

    Result<MapCommandResult> lookup() {
        auto key = key_at(2);
        if (!key) return key.error();
        if (auto n = no_more(3); !n) return n.error();
        std::vector<uint8_t> value(map_->user_value_size());
        MapCommandResult out = answer(map_->lookup_user(*key, value), "lookup");
        if (out.ret == 0) entry_line(out, *key, value);
        return out;
    }
    Result<MapCommandResult> getnext() {
        std::vector<uint8_t> key;
        if (w_.size() > 2) {
            auto k = key_at(2);
            if (!k) return k.error();
            key = std::move(*k);
        }
        if (auto n = no_more(3); !n) return n.error();
        std::vector<uint8_t> next(map_->key_size());
        MapCommandResult out = answer(map_->get_next_key(key, next), "getnext");
        if (out.ret == 0) out.lines.push_back("next key: " + spaced(next));
        return out;
    }
    Result<MapCommandResult> dump() {
        if (auto n = no_more(2); !n) return n.error();
        MapCommandResult out;
        std::vector<uint8_t> key, next(map_->key_size()), value(map_->user_value_size());
        uint32_t found = 0;
        // get_next_key then lookup, as bpftool map dump does; a map that loses an entry meanwhile
        // cannot happen here (nothing runs between the two).
        while (found < map_->max_entries() && map_->get_next_key(key, next) == 0) {
            key = next;
            if (map_->lookup_user(key, value) != 0) continue;
            entry_line(out, key, value);
            ++found;
        }
        out.lines.insert(out.lines.begin(), "dump: " + std::to_string(found) + (found == 1 ? " entry" : " entries"));
        return out;
    }
    Result<MapCommandResult> update() {
        auto key = key_at(2);
        if (!key) return key.error();
        auto value = value_at(3);
        if (!value) return value.error();
        uint64_t flags = map_update::kAny;
        if (w_.size() > 4) {
            if (w_[4] == "noexist") flags = map_update::kNoExist;
            else if (w_[4] == "exist") flags = map_update::kExist;
            else if (w_[4] != "any") return usage("update's flag is any, noexist or exist, not \"" + std::string(w_[4]) + "\"");
        }
        if (auto n = no_more(5); !n) return n.error();
        return changing(map_->update_user(*key, *value, flags), "update");
    }
    Result<MapCommandResult> del() {
        auto key = key_at(2);
        if (!key) return key.error();
        if (auto n = no_more(3); !n) return n.error();
        return changing(map_->delete_user(*key), "delete");
    }
    Result<MapCommandResult> lookup_and_delete() {
        auto key = key_at(2);
        if (!key) return key.error();
        if (auto n = no_more(3); !n) return n.error();
        std::vector<uint8_t> value(map_->user_value_size());
        MapCommandResult out = changing(map_->lookup_and_delete_user(*key, value), "lookup_and_delete");
        if (out.ret == 0) entry_line(out, *key, value);
        return out;
    }
    Result<MapCommandResult> push() {
        auto value = value_at(2);
        if (!value) return value.error();
        uint64_t flags = map_update::kAny;
        if (w_.size() > 3) {
            if (w_[3] != "exist") return usage("push's flag is exist (make room by dropping the oldest), not \"" + std::string(w_[3]) + "\"");
            flags = map_update::kExist;
        }
        if (auto n = no_more(4); !n) return n.error();
        // BPF_MAP_UPDATE_ELEM with a NULL key: a queue, stack or bloom filter takes the value.
        return changing(map_->update_user({}, *value, flags), "push");
    }
    Result<MapCommandResult> pop_peek(bool pop) {
        if (auto n = no_more(2); !n) return n.error();
        std::vector<uint8_t> value(map_->user_value_size());
        // BPF_MAP_LOOKUP_AND_DELETE_ELEM / BPF_MAP_LOOKUP_ELEM with a NULL key.
        MapCommandResult out = pop ? changing(map_->lookup_and_delete_user({}, value), "pop")
                                   : answer(map_->lookup_user({}, value), "peek");
        if (out.ret == 0) out.lines.push_back("value: " + spaced(value));
        return out;
    }
    Result<MapCommandResult> lookup_batch(bool and_delete) {
        if (w_.size() < 3) return usage("missing COUNT");
        BatchRequest req;
        const std::string count_text(w_[2]);
        char* end = nullptr;
        const unsigned long long count = std::strtoull(count_text.c_str(), &end, 10);
        if (count_text.empty() || *end || count > UINT32_MAX || count_text[0] == '-')
            return usage("COUNT is a number of entries, not \"" + count_text + "\"");
        req.count = uint32_t(count);
        if (w_.size() > 3) {
            auto token = bytes_at(3, "TOKEN", SIZE_MAX);
            if (!token) return token.error();
            req.in_batch = std::move(*token);
        }
        if (auto n = no_more(4); !n) return n.error();
        const BatchResult r = map_lookup_batch(*map_, req, and_delete);
        MapCommandResult out = answer(r.ret, and_delete ? "lookup_and_delete_batch" : "lookup_batch");
        // Entries taken go even when the walk ends with -ENOENT or -ENOSPC.
        if (and_delete && !r.keys.empty()) mark_changed(out);
        // A command refused before it began leaves count as it was given: nothing to show.
        if (r.ret == 0 || r.out_batch)
            out.lines.push_back("count: " + std::to_string(r.count) +
                                (r.out_batch ? "  out_batch: " + hex_bytes(*r.out_batch) : std::string()));
        const size_t ks = map_->key_size(), vs = map_->user_value_size();
        for (uint32_t i = 0; i < r.count && (i + 1) * ks <= r.keys.size() && (i + 1) * vs <= r.values.size(); ++i)
            entry_line(out, std::span(r.keys).subspan(i * ks, ks), std::span(r.values).subspan(i * vs, vs));
        return out;
    }
    Result<MapCommandResult> update_batch() {
        if (w_.size() < 4 || (w_.size() - 2) % 2) return usage("update_batch takes pairs of KEY VALUE");
        std::vector<uint8_t> keys, values;
        for (size_t i = 2; i < w_.size(); i += 2) {
            auto key = key_at(i);
            if (!key) return key.error();
            auto value = value_at(i + 1);
            if (!value) return value.error();
            keys.insert(keys.end(), key->begin(), key->end());
            values.insert(values.end(), value->begin(), value->end());
        }
        BatchRequest req;
        req.count = uint32_t((w_.size() - 2) / 2);
        return batch_changes(map_update_batch(*map_, keys, values, req), req, "update_batch");
    }
    Result<MapCommandResult> delete_batch() {
        if (w_.size() < 3) return usage("delete_batch takes one KEY or more");
        std::vector<uint8_t> keys;
        for (size_t i = 2; i < w_.size(); ++i) {
            auto key = key_at(i);
            if (!key) return key.error();
            keys.insert(keys.end(), key->begin(), key->end());
        }
        BatchRequest req;
        req.count = uint32_t(w_.size() - 2);
        return batch_changes(map_delete_batch(*map_, keys, req), req, "delete_batch");
    }
    // Entries before a failing one were changed all the same: count says how many. A command
    // refused before its first entry leaves count as the caller gave it.
    MapCommandResult batch_changes(const BatchResult& r, const BatchRequest& req, std::string_view command) {
        MapCommandResult out = answer(r.ret, command);
        const bool some_done = r.ret == 0 ? r.count > 0 : r.count > 0 && r.count < req.count;
        if (some_done) mark_changed(out);
        out.lines.push_back("count: " + std::to_string(r.count));
        return out;
    }
    void mark_changed(MapCommandResult& out) {
        out.changed = true;
        session_.user_changed_maps();
    }

    DebugSession& session_;
    std::vector<std::string_view> w_;
    Map* map_ = nullptr;
};

}  // namespace

void to_json(JsonWriter& w, const MapCommandResult& r) {
    w.begin_object().member("ret", r.ret).member("errno", r.ret ? errno_name(r.ret) : std::string());
    w.key("lines").values(r.lines).member("changed", r.changed).end_object();
}

Result<MapCommandResult> run_map_command(DebugSession& session, std::string_view line) {
    return Command(session, words(line)).run();
}

}  // namespace bpfplay
