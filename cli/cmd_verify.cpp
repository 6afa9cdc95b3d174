// bpfvm verify prog.o [--program NAME] [--json] [--bench]
//
// Whether the kernel's verifier would accept each program of an object, from bpfplay's static
// checker (core/verifier): accept, refuse (the instruction, the kernel's message, why, a fix,
// the C line and the path), or cannot tell. Exit 0 when every selected program would be
// accepted, 1 when one would be refused, 2 when the checker cannot tell or the input is bad.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_formats.hpp"
#include "cli/object_file.hpp"
#include "cli/report.hpp"
#include "core/loader/loader.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/verifier/object_check.hpp"
#include "core/verifier/verdict_text.hpp"

namespace bpfplay::cli {

namespace {

int bad_input(const std::string& message) {
    std::fprintf(stderr, "bpfvm: %s\n", message.c_str());
    return kExitUsage;
}

}  // namespace

int cmd_verify(Args args) {
    std::string file, program;
    bool json = false, bench = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        bool missing = false;
        if (arg == "--json") json = true;
        else if (arg == "--bench") bench = true;
        else if (auto v = option_value(args, i, "--program", &missing)) program = *v;
        else if (missing) return usage_error("verify: --program needs NAME");
        else if (arg.starts_with("-") && arg != "-") return usage_error("verify: unknown option '" + std::string(arg) + "'");
        else if (!file.empty()) return usage_error("verify: more than one FILE");
        else file = arg;
    }
    if (file.empty()) return usage_error("verify: missing FILE");
    auto content = read_file(file);
    if (!content) return bad_input(content.error().to_string());
    if (!is_elf_object(*content)) return bad_input("verify: " + file + " is not an ELF object (clang -O2 -g -target bpf -c prog.c)");
    LoadOptions options;
    options.object_name = object_base_name(file);
    options.helpers = &kernel_helper_registry();
    options.decode_programs = false;  // the checker reads the linked instructions itself
    auto object = load_object(std::span(reinterpret_cast<const uint8_t*>(content->data()), content->size()), options);
    if (!object) return bad_input(object_error(file, object.error()).what);

    std::vector<verifier::Verdict> verdicts;
    for (const LoadedProgram& p : object->programs) {
        if (!program.empty() ? p.name != program : !p.autoload) continue;
        const auto start = std::chrono::steady_clock::now();
        verdicts.push_back(verifier::check_program(*object, p));
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (bench)
            std::fprintf(stderr, "bench: %s: %zu insns, %llu processed, %.3f ms\n", p.name.c_str(), p.insns.size(),
                         (unsigned long long)verdicts.back().processed, ms);
    }
    if (!program.empty() && verdicts.empty()) return bad_input("verify: " + file + " has no program named '" + program + "'");

    int exit_code = 0;
    for (const auto& v : verdicts) {
        if (v.kind == verifier::VerdictKind::CannotTell) exit_code = kExitUsage;
        else if (v.kind == verifier::VerdictKind::Refuse && exit_code == 0) exit_code = kExitError;
    }
    if (json) {
        JsonWriter w;
        w.begin_object().member("object", object->name).key("programs").begin_array();
        for (const auto& v : verdicts) verifier::to_json(w, v);
        w.end_array().end_object();
        std::printf("%s\n", w.text().c_str());
        return exit_code;
    }
    for (const auto& v : verdicts) std::fputs(verifier::verdict_text(v).c_str(), stdout);
    return exit_code;
}

}  // namespace bpfplay::cli
