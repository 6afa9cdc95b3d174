// The case files, the emulator side of a case, and the field-by-field comparison.
#include "example_harness.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/host/host_json.hpp"
#include "core/loader/elf_reader.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/maps/user_ringbuf_map.hpp"
#include "core/run/object_session.hpp"

#ifndef BPFPLAY_SOURCE_DIR
#error "BPFPLAY_SOURCE_DIR must be the repository root"
#endif

namespace bpfplay::examples {

// ---------------------------------------------------------------------------------------------
// Bytes and files

std::string hex(std::span<const uint8_t> bytes) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

std::optional<std::vector<uint8_t>> unhex(std::string_view text) {
    if (text.size() % 2) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<uint8_t> out(text.size() / 2);
    for (size_t i = 0; i < out.size(); i++) {
        int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = uint8_t(hi << 4 | lo);
    }
    return out;
}

std::optional<std::vector<uint8_t>> read_binary(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::vector<uint8_t> out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return out;
}

std::string source_path(std::string_view relative) { return std::string(BPFPLAY_SOURCE_DIR) + "/" + std::string(relative); }

namespace {

bool all_zero_hex(std::string_view h) {
    return std::all_of(h.begin(), h.end(), [](char c) { return c == '0'; });
}

// kernel_run writes bytes >= 0x7f as \u00XX: undo the UTF-8 the JSON reader made of them.
std::string latin1_bytes(const std::string& utf8) {
    std::string out;
    for (size_t i = 0; i < utf8.size(); i++) {
        unsigned char c = static_cast<unsigned char>(utf8[i]);
        if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
            out += char(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3F));
            i++;
        } else {
            out += char(c);
        }
    }
    return out;
}

std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c >= 0x20 && c < 0x7f) out += char(c);
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

std::string object_base_name(std::string_view path) {
    size_t slash = path.find_last_of('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// ---------------------------------------------------------------------------------------------
// Case files

}  // namespace

std::optional<std::string> read_case(const JsonValue& jc, const std::string& example, const std::string& object,
                                     ExampleCase& c) {
    if (!jc.is_object()) return "a case is not an object";
    c.example = example;
    c.object = object;
    c.name = jc.get("name").as_string();
    c.description = jc.get("description").as_string();
    c.program = jc.get("program").as_string();
    if (c.name.empty() || c.program.empty()) return "a case has no \"name\" or \"program\"";
    std::string where = "case \"" + c.name + "\": ";
    if (const JsonValue* p = jc.find("packet")) {
        auto b = unhex(p->as_string());
        if (!p->is_string() || !b) return where + "\"packet\" is not hex";
        c.packets.push_back(std::move(*b));
    }
    if (const JsonValue* ps = jc.find("packets")) {
        if (!ps->is_array() || ps->size() == 0) return where + "\"packets\" is not a non-empty array";
        if (!c.packets.empty()) return where + "both \"packet\" and \"packets\"";
        for (const JsonValue& p : ps->items()) {
            auto b = unhex(p.as_string());
            if (!p.is_string() || !b) return where + "a packet is not hex";
            c.packets.push_back(std::move(*b));
        }
    }
    if (const JsonValue* x = jc.find("ctx")) {
        auto b = unhex(x->as_string());
        if (!x->is_string() || !b) return where + "\"ctx\" is not hex";
        c.ctx = std::move(*b);
    }
    auto repeat = jc.get("repeat").as_uint64();
    if (!repeat || *repeat < 1 || *repeat > 1000) return where + "\"repeat\" is not 1..1000";
    c.repeat = uint32_t(*repeat);
    c.map_init = jc.get("map_init");
    if (!c.map_init.is_null() && !c.map_init.is_object()) return where + "\"map_init\" is not an object";
    c.trace = jc.get("trace").as_bool();
    if (const JsonValue* r = jc.find("perf_readers")) c.perf_readers = r->as_bool();
    c.host = jc.get("host");
    if (!c.host.is_null() && !c.host.is_object()) return where + "\"host\" is not an object";
    c.kernel = jc.get("kernel");
    if (!c.kernel.is_object()) return where + "no \"kernel\" result";
    c.has_kernel_result = c.kernel.get("returns").is_array() && c.kernel.get("returns").size() > 0;
    if (!c.has_kernel_result && !jc.contains("note"))
        return where + "the kernel has no result and the case no \"note\" saying why";
    if (c.has_kernel_result && c.kernel.get("returns").size() != c.runs())
        return where + "\"kernel.returns\" has " + std::to_string(c.kernel.get("returns").size()) +
               " values for " + std::to_string(c.runs()) + " runs";
    return std::nullopt;
}

CaseFiles load_case_files() {
    CaseFiles out;
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(source_path("examples/cases"), ec))
        if (e.path().extension() == ".json") files.push_back(e.path());
    if (ec) out.errors.push_back("examples/cases: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        std::string label = "examples/cases/" + path.filename().string();
        auto bytes = read_binary(path.string());
        if (!bytes) {
            out.errors.push_back(label + ": cannot read");
            continue;
        }
        auto doc = parse_json(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
        if (!doc) {
            out.errors.push_back(label + ": " + doc.error().to_string());
            continue;
        }
        std::string example = doc->get("example").as_string();
        std::string object = doc->get("object").as_string();
        std::string mode = doc->get("repeat_mode").as_string();
        if (example.empty() || object.empty() || !doc->get("cases").is_array()) {
            out.errors.push_back(label + ": no \"example\", \"object\" or \"cases\"");
            continue;
        }
        if (example != path.stem().string()) out.errors.push_back(label + ": \"example\" is \"" + example + "\"");
        // The harness knows one way to run a sequence: BPF_PROG_TEST_RUN calls in a loop.
        if (mode.rfind("loop", 0) != 0) {
            out.errors.push_back(label + ": unknown repeat_mode \"" + mode + "\"");
            continue;
        }
        if (doc->get("cpu").as_uint64() != 0u)
            out.errors.push_back(label + ": the cases were made on CPU " + doc->get("cpu").number_text() +
                                 "; the harness runs on CPU 0");
        out.examples.push_back(example);
        for (const JsonValue& jc : doc->get("cases").items()) {
            ExampleCase c;
            if (auto err = read_case(jc, example, object, c)) {
                out.errors.push_back(label + ": " + *err);
                continue;
            }
            out.cases.push_back(std::move(c));
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Outcomes

std::string perf_sample_text(uint32_t cpu, const std::string& data_hex) {
    return "cpu " + std::to_string(cpu) + ": " + data_hex;
}

std::string percpu_text(const std::vector<std::string>& per_cpu_hex) {
    if (per_cpu_hex.empty()) return "(no CPUs)";
    std::string out = per_cpu_hex[0];
    for (size_t i = 1; i < per_cpu_hex.size(); i++)
        if (!all_zero_hex(per_cpu_hex[i])) out += " cpu" + std::to_string(i) + "=" + per_cpu_hex[i];
    return out;
}

namespace {

void sort_entries(std::vector<MapEntryText>& entries) {
    std::sort(entries.begin(), entries.end(),
              [](const MapEntryText& a, const MapEntryText& b) { return a.key < b.key; });
}

}  // namespace

Outcome kernel_outcome_from_case(const ExampleCase& c) {
    const JsonValue& k = c.kernel;
    Outcome o;
    o.loaded = k.get("loaded").as_bool();
    o.error = k.get("error").as_string();
    for (const JsonValue& r : k.get("returns").items()) o.returns.push_back(uint32_t(r.as_uint64().value_or(~0ull)));
    if (k.get("packet_out").is_string()) o.packet_out = unhex(k.get("packet_out").as_string());
    if (k.get("ctx_out").is_string()) o.ctx_out = unhex(k.get("ctx_out").as_string());
    const JsonValue& maps = k.get("maps");
    for (size_t m = 0; m < maps.size(); m++) {
        std::vector<MapEntryText> entries;
        for (const JsonValue& e : maps.items()[m].items()) {
            MapEntryText t;
            t.key = e.get("key").as_string();
            const JsonValue& v = e.get("value");
            if (v.is_array()) {
                std::vector<std::string> per_cpu;
                for (const JsonValue& x : v.items()) per_cpu.push_back(x.as_string());
                t.value = percpu_text(per_cpu);
            } else if (v.is_string()) {
                t.value = v.as_string();
            } else if (e.contains("prog")) {
                t.value = "prog " + e.get("prog").as_string();
            } else if (e.contains("map")) {
                t.value = "map " + e.get("map").as_string();
            } else {
                t.value = "(unreadable entry: " + e.dump() + ")";
            }
            entries.push_back(std::move(t));
        }
        sort_entries(entries);
        o.maps[maps.keys()[m]] = std::move(entries);
    }
    const JsonValue& rb = k.get("ringbuf");
    for (size_t m = 0; m < rb.size(); m++) {
        std::vector<std::string> records;
        for (const JsonValue& r : rb.items()[m].items()) records.push_back(r.as_string());
        o.ringbuf[rb.keys()[m]] = std::move(records);
    }
    const JsonValue& perf = k.get("perf_events");
    for (size_t m = 0; m < perf.size(); m++) {
        std::vector<std::string> samples;
        for (const JsonValue& e : perf.items()[m].items())
            samples.push_back(perf_sample_text(uint32_t(e.get("cpu").as_uint64().value_or(~0ull)), e.get("data").as_string()));
        o.perf_events[perf.keys()[m]] = std::move(samples);
    }
    if (k.get("trace").is_array()) {
        std::vector<std::string> lines;
        for (const JsonValue& l : k.get("trace").items()) lines.push_back(latin1_bytes(l.as_string()));
        o.trace = std::move(lines);
    }
    return o;
}

namespace {

bool is_fd_map(MapType t) {
    return t == MapType::ProgArray || t == MapType::ArrayOfMaps || t == MapType::HashOfMaps;
}

// map_init's value for one entry in the layout Map::update_user takes: a hex string, or (per-CPU
// maps) an array of hex strings, one per CPU; a single string fills every CPU (as kernel_run).
std::optional<std::vector<uint8_t>> init_value(const Map& map, const JsonValue& v) {
    if (!map.is_percpu()) {
        auto b = unhex(v.as_string());
        if (!v.is_string() || !b || b->size() != map.value_size()) return std::nullopt;
        return b;
    }
    std::vector<uint8_t> out(map.user_value_size(), 0);
    for (uint32_t cpu = 0; cpu < map.ncpus(); cpu++) {
        const JsonValue* item = v.is_array() ? v.at(cpu) : &v;
        if (!item) break;  // CPUs the case does not mention stay zero
        auto b = unhex(item->as_string());
        if (!item->is_string() || !b || b->size() != map.value_size()) return std::nullopt;
        std::copy(b->begin(), b->end(), out.begin() + ptrdiff_t(size_t(cpu) * map.value_stride()));
    }
    return out;
}

// libbpf sets global data (.data, .rodata, .bss) before the load (bpf_map__set_initial_value),
// so .rodata, which it freezes, can be set too. The emulator's equivalent: write the bytes into
// the object's section before opening it. Returns the maps it wrote (the rest are updated after
// the load) or an error message.
std::optional<std::string> patch_global_data(std::vector<uint8_t>& elf, const ExampleCase& c,
                                             std::vector<std::string>& patched) {
    if (!c.map_init.is_object() || c.map_init.size() == 0) return std::nullopt;
    Host host;
    host.cpu = 0;
    auto probe = ObjectSession::open(elf, object_base_name(c.object), host);
    if (!probe) return std::nullopt;  // the real open reports it
    LoadedObject& obj = probe.value()->object();
    auto file = ElfFile::open(elf);
    if (!file) return "map_init: cannot read the object: " + file.error().to_string();
    for (size_t m = 0; m < c.map_init.size(); m++) {
        const std::string& name = c.map_init.keys()[m];
        const Map* map = obj.maps ? obj.maps->find(name) : nullptr;
        if (!map || map->id() >= obj.map_info.size() || obj.map_info[map->id()].origin != MapOrigin::GlobalData)
            continue;
        const LoadedMapInfo& info = obj.map_info[map->id()];
        const ElfSection* sec = file->find_section(info.elf_section);
        if (!sec || sec->nobits()) continue;  // .bss: no bytes in the file; updated after the load
        if (info.section_offset > sec->size || sec->size - info.section_offset < map->value_size() ||
            sec->offset > elf.size() || elf.size() - sec->offset < sec->size)
            return "map_init: the bytes of \"" + name + "\" are not in section " + info.elf_section;
        for (const JsonValue& e : c.map_init.items()[m].items()) {
            auto key = unhex(e.get("key").as_string());
            auto value = unhex(e.get("value").as_string());
            if (!key || key->size() != map->key_size() || std::any_of(key->begin(), key->end(), [](uint8_t b) { return b; }))
                return "map_init: \"" + name + "\": global data has only key 00000000";
            if (!value || value->size() != map->value_size())
                return "map_init: \"" + name + "\": the value must be " + std::to_string(map->value_size()) + " bytes of hex";
            std::copy(value->begin(), value->end(), elf.begin() + ptrdiff_t(sec->offset + info.section_offset));
        }
        patched.push_back(name);
    }
    return std::nullopt;
}

std::optional<std::string> apply_map_init(ObjectSession& s, const ExampleCase& c, const std::vector<std::string>& skip) {
    if (!c.map_init.is_object()) return std::nullopt;
    for (size_t m = 0; m < c.map_init.size(); m++) {
        const std::string& name = c.map_init.keys()[m];
        if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
        Map* map = s.object().maps ? s.object().maps->find(name) : nullptr;
        if (!map) return "map_init: the emulator has no map \"" + name + "\"";
        size_t i = 0;
        for (const JsonValue& e : c.map_init.items()[m].items()) {
            if (map->type() == MapType::UserRingbuf) {  // records of any length, in order
                auto record = unhex(e.get("value").as_string());
                if (!record || static_cast<UserRingbufMap*>(map)->produce(*record) < 0)
                    return "map_init: \"" + name + "\" record " + std::to_string(i) + " does not fit";
                i++;
                continue;
            }
            auto key = unhex(e.get("key").as_string());
            auto value = init_value(*map, e.get("value"));
            if (!key || key->size() != map->key_size() || !value)
                return "map_init: \"" + name + "\" entry " + std::to_string(i) + " does not fit the map";
            int64_t rc = map->update_user(*key, *value, map_update::kAny);
            if (rc < 0) return "map_init: \"" + name + "\" entry " + std::to_string(i) + ": " + errno_name(rc);
            i++;
        }
    }
    return std::nullopt;
}

// Empties every perf event array slot ObjectSession filled with a reader.
void remove_perf_readers(ObjectSession& s) {
    MapSet& maps = *s.object().maps;
    for (uint32_t id = 0; id < maps.size(); id++) {
        Map& map = *maps.get(id);
        if (map.type() != MapType::PerfEventArray) continue;
        for (uint32_t i = 0; i < map.max_entries(); i++) {
            uint8_t key[4];
            std::memcpy(key, &i, 4);
            map.delete_user(key);
        }
    }
}

// A queue or stack dumped as kernel_run dumps one: every value popped in turn
// (BPF_MAP_LOOKUP_AND_DELETE_ELEM), keyed by its position (4 bytes, big-endian). The map is put
// back afterwards, so the dump changes nothing.
std::vector<MapEntryText> popped_entries(Map& map) {
    std::vector<uint8_t> saved;
    map.save_state(saved);
    std::vector<MapEntryText> entries;
    std::vector<uint8_t> value(map.value_size());
    for (uint32_t i = 0; map.lookup_and_delete_user({}, value) == 0; i++) {
        const uint8_t pos[4] = {uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
        entries.push_back({hex(pos), hex(value)});
    }
    map.restore_state(saved);
    return entries;
}

void dump_emulator_maps(ObjectSession& s, Outcome& o) {
    LoadedObject& obj = s.object();
    if (!obj.maps) return;
    // The object's own maps, as the kernel runner dumps them: not the ones a syscall program
    // created with bpf_sys_bpf during the runs (ids past the object's).
    for (uint32_t id = 0; id < obj.maps->size() && id < obj.map_info.size(); id++) {
        Map& map = *obj.maps->get(id);
        if (map.type() == MapType::Ringbuf) {
            // What a user-space consumer reads: the submitted records, oldest first.
            std::vector<std::string> records;
            for (const auto& r : static_cast<const RingbufMap&>(map).submitted()) records.push_back(hex(r));
            o.ringbuf[map.name()] = std::move(records);
            continue;
        }
        if (map.type() == MapType::PerfEventArray) o.perf_events.try_emplace(map.name());
        if (map.type() == MapType::Queue || map.type() == MapType::Stack) {
            o.maps[map.name()] = popped_entries(map);
            continue;
        }
        // kernel_run walks keys with get_next_key, which local storage maps answer with
        // -ENOTSUPP: the kernel's dump of one is empty. A cgroup storage is empty too under
        // BPF_PROG_TEST_RUN, whose runs get a storage of their own the map does not list.
        if (map.type() == MapType::TaskStorage || map.type() == MapType::SkStorage ||
            map.type() == MapType::InodeStorage || map.type() == MapType::CgrpStorage ||
            map.type() == MapType::CgroupStorage || map.type() == MapType::PercpuCgroupStorage) {
            o.maps[map.name()] = {};
            continue;
        }
        std::vector<MapEntryText> entries;
        for (const MapEntry& e : map.entries()) {
            MapEntryText t;
            t.key = hex(e.key);
            // The kernel cannot read a perf event or a cgroup back (-ENOTSUPP): its dump lists
            // no entries.
            if (map.type() == MapType::PerfEventArray || map.type() == MapType::CgroupArray) continue;
            if (is_fd_map(map.type())) {
                std::vector<uint8_t> ref(map.user_value_size(), 0);
                int64_t rc = map.lookup_user(e.key, ref);
                uint32_t r = 0;
                if (ref.size() >= 4) std::memcpy(&r, ref.data(), 4);
                if (rc < 0) {
                    t.value = "(lookup failed: " + errno_name(rc) + ")";
                } else if (map.type() == MapType::ProgArray) {
                    t.value = r < obj.programs.size() ? "prog " + obj.programs[r].name
                                                      : "prog index " + std::to_string(r) + " (no such program)";
                } else {
                    const Map* inner = obj.maps->get(r);
                    t.value = inner ? "map " + inner->name() : "map id " + std::to_string(r) + " (no such map)";
                }
            } else if (map.is_percpu()) {
                std::vector<std::string> per_cpu;
                for (const auto& v : e.values) per_cpu.push_back(hex(v));
                t.value = percpu_text(per_cpu);
            } else {
                t.value = e.values.empty() ? "(no value)" : hex(e.values[0]);
            }
            entries.push_back(std::move(t));
        }
        sort_entries(entries);
        o.maps[map.name()] = std::move(entries);
    }
}

}  // namespace

std::unique_ptr<ObjectSession> open_emulator_session(const ExampleCase& c, std::string& error, bool& loaded) {
    loaded = false;
    auto elf = c.object_bytes.empty() ? read_binary(source_path(c.object)) : c.object_bytes;
    if (!elf) {
        error = "cannot read " + c.object;
        return nullptr;
    }
    std::vector<std::string> patched;
    if (auto err = patch_global_data(*elf, c, patched)) {
        error = *err;
        return nullptr;
    }
    Host host;
    host.cpu = 0;  // the kernel's runs were pinned to CPU 0
    if (c.host.is_object()) {
        if (auto applied = apply_host_json(host, c.host.dump()); !applied) {
            error = "host: " + applied.error().to_string();
            return nullptr;
        }
    }
    auto opened = ObjectSession::open(*elf, object_base_name(c.object), host);
    if (!opened) {
        error = "load: " + opened.error().to_string();
        return nullptr;
    }
    loaded = true;
    std::unique_ptr<ObjectSession> s = std::move(opened).value();
    if (!c.perf_readers) remove_perf_readers(*s);
    if (auto err = apply_map_init(*s, c, patched)) error = *err;
    return s;
}

Outcome emulator_outcome(const ExampleCase& c, ObjectSession::FastEngineFactory fast) {
    Outcome o;
    auto session = open_emulator_session(c, o.error, o.loaded);
    if (!session) return o;
    ObjectSession& s = *session;
    s.set_fast_run(fast);
    if (!o.error.empty()) {
        dump_emulator_maps(s, o);
        return o;
    }
    std::vector<std::string> lines;
    for (uint32_t r = 0; r < c.runs(); r++) {
        RunInput in;
        if (!c.packets.empty()) in.packet = c.packets[r % c.packets.size()];
        in.ctx = c.ctx;
        RunResult rr = s.run(c.program, in);
        for (std::string line : rr.printk) {
            if (!line.empty() && line.back() == '\n') line.pop_back();
            lines.push_back(std::move(line));
        }
        if (rr.status != RunStatus::Exited) {
            o.error = "run " + std::to_string(r + 1) + " of " + std::to_string(c.runs()) + ": " +
                      (rr.error ? rr.error->to_string() : std::string("did not exit"));
            break;
        }
        for (const PerfEventRecord& e : rr.perf_events) o.perf_events[e.map].push_back(perf_sample_text(e.cpu, hex(e.data)));
        o.returns.push_back(uint32_t(rr.r0));
        if (!c.packets.empty()) o.packet_out = rr.packet_out;
        o.ctx_out = rr.ctx_out;
    }
    o.trace = std::move(lines);
    dump_emulator_maps(s, o);
    return o;
}

// ---------------------------------------------------------------------------------------------
// Comparison

namespace {

std::string clip(std::string s, size_t max = 600) {
    if (s.size() <= max) return s;
    size_t n = s.size();
    s.resize(max);
    return s + "... (" + std::to_string(n) + " characters)";
}

std::string returns_text(const std::vector<uint32_t>& r) {
    std::string out = "[";
    for (size_t i = 0; i < r.size(); i++) out += (i ? ", " : "") + std::to_string(r[i]);
    return out + "]";
}

std::string bytes_detail(const std::vector<uint8_t>& k, const std::vector<uint8_t>& e) {
    size_t n = std::min(k.size(), e.size());
    for (size_t i = 0; i < n; i++) {
        if (k[i] != e[i]) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "byte %zu (of %zu): kernel %02x, emulator %02x", i, k.size(), k[i], e[i]);
            return buf;
        }
    }
    if (k.size() != e.size())
        return "length: kernel " + std::to_string(k.size()) + " bytes, emulator " + std::to_string(e.size()) + " bytes";
    return "";
}

FieldResult field(std::string name, std::string kernel, std::string emulator, std::string detail = {}) {
    FieldResult f;
    f.field = std::move(name);
    f.equal = kernel == emulator;
    if (!f.equal) f.detail = detail.empty() ? "kernel " + clip(kernel, 200) + ", emulator " + clip(emulator, 200) : detail;
    f.kernel = clip(std::move(kernel));
    f.emulator = clip(std::move(emulator));
    return f;
}

FieldResult bytes_field(std::string name, const std::optional<std::vector<uint8_t>>& k,
                        const std::optional<std::vector<uint8_t>>& e) {
    std::string ks = k ? hex(*k) : "(none)", es = e ? hex(*e) : "(none)";
    std::string detail = k && e ? bytes_detail(*k, *e) : std::string{};
    return field(std::move(name), ks, es, detail);
}

std::string entries_text(const std::vector<MapEntryText>& entries) {
    if (entries.empty()) return "(empty)";
    std::string out;
    for (const auto& e : entries) out += (out.empty() ? "" : "; ") + e.key + ": " + e.value;
    return out;
}

std::string entries_detail(const std::vector<MapEntryText>& k, const std::vector<MapEntryText>& e) {
    std::map<std::string, std::string> km, em;
    for (const auto& x : k) km[x.key] = x.value;
    for (const auto& x : e) em[x.key] = x.value;
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
    for (const auto& [key, value] : km) {
        auto it = em.find(key);
        if (it == em.end()) add("key " + key + " only in the kernel (value " + value + ")");
        else if (it->second != value) add("key " + key + ": kernel " + value + ", emulator " + it->second);
    }
    for (const auto& [key, value] : em)
        if (!km.count(key)) add("key " + key + " only in the emulator (value " + value + ")");
    return clip(out, 800);
}

std::string lines_text(const std::vector<std::string>& lines) {
    std::string out = "[";
    for (size_t i = 0; i < lines.size(); i++) out += (i ? ", " : "") + ("\"" + printable(lines[i]) + "\"");
    return out + "]";
}

std::string lines_detail(const std::vector<std::string>& k, const std::vector<std::string>& e) {
    for (size_t i = 0; i < std::min(k.size(), e.size()); i++)
        if (k[i] != e[i])
            return "line " + std::to_string(i + 1) + ": kernel \"" + printable(k[i]) + "\", emulator \"" + printable(e[i]) + "\"";
    if (k.size() != e.size())
        return "kernel " + std::to_string(k.size()) + " lines, emulator " + std::to_string(e.size());
    return "";
}

std::string names_text(const Outcome& o) {
    std::vector<std::string> names;
    for (const auto& [n, v] : o.maps) names.push_back(n);
    for (const auto& [n, v] : o.ringbuf) names.push_back(n);
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

bool is_skb_prog_type(const std::string& t) {
    return t == "sched_cls" || t == "sched_act" || t == "socket_filter" || t == "cgroup_skb" || t == "lwt_in" ||
           t == "lwt_out" || t == "lwt_xmit";
}

// The __sk_buff fields BPF_PROG_TEST_RUN reports in ctx_out (convert_skb_to___skb in
// net/bpf/test_run.c), plus gso_size, which goes in and comes back unchanged.
struct CtxField {
    const char* name;
    uint32_t offset;
    uint32_t size;
};
constexpr CtxField kSkbOutFields[] = {
    {"mark", 8, 4},       {"priority", 32, 4}, {"ingress_ifindex", 36, 4}, {"ifindex", 40, 4},
    {"cb[0]", 48, 4},     {"cb[1]", 52, 4},    {"cb[2]", 56, 4},           {"cb[3]", 60, 4},
    {"cb[4]", 64, 4},     {"tstamp", 152, 8},  {"wire_len", 160, 4},       {"gso_segs", 164, 4},
    {"gso_size", 176, 4}, {"hwtstamp", 184, 8},
};

std::string ctx_field_text(const std::optional<std::vector<uint8_t>>& b, const CtxField& f) {
    if (!b) return "(no ctx_out)";
    if (b->size() < f.offset + f.size) return "(ctx_out has " + std::to_string(b->size()) + " bytes)";
    uint64_t v = 0;
    for (uint32_t i = 0; i < f.size; i++) v |= uint64_t((*b)[f.offset + i]) << (8 * i);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%llu (0x%llx)", static_cast<unsigned long long>(v), static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace

std::vector<FieldResult> compare_outcomes(const ExampleCase& c, const Outcome& k, const Outcome& e) {
    std::vector<FieldResult> out;
    out.push_back(field("load", k.loaded ? "loaded" : "not loaded: " + k.error,
                        e.loaded ? "loaded" : "not loaded: " + e.error));
    if (!e.loaded) return out;
    if (!c.has_kernel_result) {
        // The kernel cannot test-run this type: the emulator must run it cleanly and return 0.
        out.push_back(field("error", "(none)", e.error.empty() ? "(none)" : e.error));
        out.push_back(field("returns", returns_text(std::vector<uint32_t>(c.runs(), 0)), returns_text(e.returns)));
        // The kernel dumped the maps right after the load: the same maps must exist, and the
        // read-only ones (.rodata*: no run can change them) must hold the same bytes.
        out.push_back(field("maps (names)", names_text(k), names_text(e)));
        for (const auto& [name, kentries] : k.maps) {
            if (name.find(".rodata") == std::string::npos) continue;
            auto it = e.maps.find(name);
            std::vector<MapEntryText> none;
            const auto& eentries = it == e.maps.end() ? none : it->second;
            out.push_back(field("maps." + name, entries_text(kentries), it == e.maps.end() ? "(no such map)" : entries_text(eentries),
                                entries_detail(kentries, eentries)));
        }
        return out;
    }
    out.push_back(field("error", k.error.empty() ? "(none)" : k.error, e.error.empty() ? "(none)" : e.error));
    {
        std::string detail;
        for (size_t i = 0; i < std::min(k.returns.size(), e.returns.size()) && detail.empty(); i++)
            if (k.returns[i] != e.returns[i])
                detail = "run " + std::to_string(i + 1) + ": kernel " + std::to_string(k.returns[i]) + ", emulator " +
                         std::to_string(e.returns[i]);
        if (detail.empty() && k.returns.size() != e.returns.size())
            detail = "kernel " + std::to_string(k.returns.size()) + " runs, emulator " + std::to_string(e.returns.size());
        out.push_back(field("returns", returns_text(k.returns), returns_text(e.returns), detail));
    }
    if (k.packet_out) out.push_back(bytes_field("packet_out", k.packet_out, e.packet_out));
    if (k.ctx_out) {
        if (is_skb_prog_type(c.kernel.get("prog_type").as_string())) {
            for (const CtxField& f : kSkbOutFields)
                out.push_back(field(std::string("ctx_out.") + f.name, ctx_field_text(k.ctx_out, f), ctx_field_text(e.ctx_out, f)));
        } else {
            out.push_back(bytes_field("ctx_out", k.ctx_out, e.ctx_out));
        }
    }
    out.push_back(field("maps (names)", names_text(k), names_text(e)));
    for (const auto& [name, kentries] : k.maps) {
        auto it = e.maps.find(name);
        if (it == e.maps.end()) {
            out.push_back(field("maps." + name, entries_text(kentries), "(no such map)"));
            continue;
        }
        out.push_back(field("maps." + name, entries_text(kentries), entries_text(it->second),
                            entries_detail(kentries, it->second)));
    }
    for (const auto& [name, krecords] : k.ringbuf) {
        auto it = e.ringbuf.find(name);
        std::vector<std::string> erecords = it == e.ringbuf.end() ? std::vector<std::string>{"(no such ring buffer)"} : it->second;
        out.push_back(field("ringbuf." + name, lines_text(krecords), lines_text(erecords), lines_detail(krecords, erecords)));
    }
    for (const auto& [name, ksamples] : k.perf_events) {
        auto it = e.perf_events.find(name);
        std::vector<std::string> esamples = it == e.perf_events.end() ? std::vector<std::string>{"(no such perf event array)"} : it->second;
        out.push_back(field("perf_events." + name, lines_text(ksamples), lines_text(esamples), lines_detail(ksamples, esamples)));
    }
    if (c.trace && k.trace) {
        std::vector<std::string> etrace = e.trace.value_or(std::vector<std::string>{});
        out.push_back(field("trace", lines_text(*k.trace), lines_text(etrace), lines_detail(*k.trace, etrace)));
    }
    return out;
}

bool all_equal(const std::vector<FieldResult>& fields) {
    return std::all_of(fields.begin(), fields.end(), [](const FieldResult& f) { return f.equal; });
}

std::string first_difference(const std::vector<FieldResult>& fields) {
    for (const FieldResult& f : fields)
        if (!f.equal) return f.field + ": " + f.detail;
    return "";
}

// ---------------------------------------------------------------------------------------------
// What bpfplay cannot run yet. Each entry must still fail (with its symptom); remove an entry
// when the case starts matching the kernel.

std::span<const KnownUnsupported> known_unsupported() {
    // A vector, so the list may become empty.
    static const std::vector<KnownUnsupported> list = {
    };
    return list;
}

const KnownUnsupported* find_known_unsupported(const ExampleCase& c) {
    for (const auto& k : known_unsupported())
        if (c.example == k.example && (std::string_view(k.case_name) == "*" || c.name == k.case_name)) return &k;
    return nullptr;
}

}  // namespace bpfplay::examples
