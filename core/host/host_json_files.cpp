#include "core/host/host_json_files.hpp"

#include <string>

#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay {

namespace {

constexpr size_t kMaxFilePath = 4095;  // PATH_MAX less its NUL

std::optional<HostJsonProblem> read_open_file(const JsonValue& e, const std::string& path, size_t sockets,
                                              HostOpenFile& file) {
    if (auto p = host_json_only(e, path, {"fd", "path", "socket"})) return p;
    const JsonValue* fd = e.find("fd");
    const auto n = fd ? fd->as_uint64() : std::nullopt;
    if (!n || *n > kMaxHostFd)
        return HostJsonProblem{path + ".fd", "expected a file descriptor from 0 to " + std::to_string(kMaxHostFd)};
    file.fd = uint32_t(*n);
    const JsonValue* name = e.find("path");
    const JsonValue* sock = e.find("socket");
    if ((name != nullptr) == (sock != nullptr))
        return HostJsonProblem{path, "expected either \"path\" (a file's absolute path) or \"socket\" (the index of one "
                                     "of the host's sockets)"};
    if (name) {
        if (!name->is_string() || !name->as_string().starts_with('/') || name->as_string().size() > kMaxFilePath ||
            name->as_string().find('\0') != std::string::npos || name->as_string().find("//") != std::string::npos ||
            (name->as_string().size() > 1 && name->as_string().back() == '/'))
            return HostJsonProblem{path + ".path",
                                   "expected a file's absolute path (\"/dev/pts/0\"): at most 4095 bytes, no empty "
                                   "component"};
        file.path = name->as_string();
        return std::nullopt;
    }
    const auto index = sock->as_uint64();
    if (!index || *index >= sockets)
        return HostJsonProblem{path + ".socket", "expected the index of one of the host's " + std::to_string(sockets) +
                                                     " sockets (\"sockets\", from 0)"};
    file.socket = uint32_t(*index);
    return std::nullopt;
}

}  // namespace

std::optional<HostJsonProblem> read_open_files_member(const JsonValue& doc, size_t sockets,
                                                      std::vector<HostOpenFile>& out) {
    const JsonValue* list = doc.find("open_files");
    if (!list) return std::nullopt;
    if (!list->is_array()) return HostJsonProblem{"open_files", "expected an array of open files"};
    if (list->size() > kMaxOpenFiles)
        return HostJsonProblem{"open_files", "at most " + std::to_string(kMaxOpenFiles) + " open files"};
    std::vector<HostOpenFile> files;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = "open_files[" + std::to_string(i) + "]";
        HostOpenFile file;
        if (auto p = read_open_file(*list->at(i), path, sockets, file)) return p;
        if (!files.empty() && file.fd <= files.back().fd)
            return HostJsonProblem{path + ".fd", "descriptors are listed in ascending order, each once: " +
                                                     std::to_string(file.fd) + " follows " +
                                                     std::to_string(files.back().fd)};
        files.push_back(std::move(file));
    }
    out = std::move(files);
    return std::nullopt;
}

void write_open_files_member(JsonWriter& w, const std::vector<HostOpenFile>& files) {
    if (files == default_open_files()) return;
    w.key("open_files").begin_array();
    for (const HostOpenFile& f : files) {
        w.begin_object().member("fd", f.fd);
        if (f.socket)
            w.member("socket", *f.socket);
        else
            w.member("path", f.path);
        w.end_object();
    }
    w.end_array();
}

}  // namespace bpfplay
