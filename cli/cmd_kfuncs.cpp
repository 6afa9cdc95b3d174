// bpfvm kfuncs [NAME]
//
// The kernel's kfuncs as the kfunc catalog knows them (core/helpers/kfunc_catalog.hpp) and
// whether bpfplay implements each: all of them one per line, or one in full with the program
// types that may call it.
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/kfunc_catalog.hpp"
#include "core/run/kernel_kfuncs.hpp"

namespace bpfplay::cli {

namespace {

bool implemented(const KfuncProto& k) { return kernel_kfunc_registry().find(k.name) != nullptr; }

std::string flags_of(const KfuncProto& k) {
    char buffer[160];
    const std::string_view f = kfunc_flags_text(k.flags, buffer);
    return f.empty() ? "-" : std::string(f);
}

std::string details(const KfuncProto& k) {
    std::string out = std::string(k.name) + "\n  " + k.decl + "\n  flags: " + flags_of(k) +
                      "\n  bpfplay: " + (implemented(k) ? "implemented" : "not implemented") + "\n  callable from:";
    size_t n = 0;
    for (size_t row = 0; row < helper_rules().size(); ++row)
        if ((k.allowed >> row) & 1) out += std::string(n++ ? ", " : " ") + helper_rules()[row].label;
    return out + (n ? "\n" : " no program type of this kernel (a device-bound or module-only kfunc)\n");
}

} // namespace

int cmd_kfuncs(Args args) {
    std::string wanted;
    for (std::string_view arg : args) {
        if (arg.starts_with("-")) return usage_error("kfuncs: unknown option '" + std::string(arg) + "'");
        if (!wanted.empty()) return usage_error("kfuncs: give one NAME");
        wanted = arg;
    }
    std::string out;
    if (wanted.empty()) {
        size_t runs = 0;
        for (const KfuncProto& k : kfunc_protos()) runs += implemented(k);
        out = std::to_string(kfunc_protos().size()) + " kfuncs of Linux 6.18; bpfplay runs " + std::to_string(runs) +
              " (*)\n";
        for (const KfuncProto& k : kfunc_protos())
            out += std::string(implemented(k) ? "* " : "  ") + k.decl + "  [" + flags_of(k) + "]\n";
    } else {
        const KfuncProto* k = kfunc_proto(wanted);
        if (!k) k = kfunc_proto("bpf_" + wanted);
        if (!k)
            return report_error(make_error(ErrorKind::Helper, "kfuncs: Linux 6.18 has no kfunc named '" + wanted + "'",
                                           std::nullopt, "`bpfvm kfuncs` lists them all."));
        out = details(*k);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

} // namespace bpfplay::cli
