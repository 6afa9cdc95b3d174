// bpfvm helpers [NAME|ID] [--json]
//
// The kernel's helpers as the catalog knows them (core/helpers/helper_catalog.hpp) and whether
// bpfplay implements each: all 211 one per line (or one JSON object each), or one in full.
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/run/helper_listing.hpp"

namespace bpfplay::cli {

int cmd_helpers(Args args) {
    std::string wanted;
    bool json = false;
    for (std::string_view arg : args) {
        if (arg == "--json")
            json = true;
        else if (arg.starts_with("-"))
            return usage_error("helpers: unknown option '" + std::string(arg) + "'");
        else if (!wanted.empty())
            return usage_error("helpers: give one NAME or ID ('" + wanted + "' and '" + std::string(arg) +
                               "' given)");
        else
            wanted = arg;
    }
    std::string out;
    if (wanted.empty()) {
        if (json) {
            out = helpers_json();
        } else {
            out = helper_lines_header();
            for (int32_t id = 1; id <= kHelperCount; ++id)
                out += helper_line(id);
        }
    } else {
        auto id = find_helper(wanted);
        if (!id) return report_error(id.error());
        out = json ? helper_json(*id, /*docs=*/true) + "\n" : helper_details(*id);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

} // namespace bpfplay::cli
