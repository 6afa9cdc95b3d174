#include "core/run/btf_args_setup.hpp"

#include "core/run/btf_args_context.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/run/object_session.hpp"
#include "core/loader/loader.hpp"
#include "core/vm.hpp"

namespace bpfplay {

Result<bool> setup_btf_args_context(const LoadedProgram& prog, const RunInput& in, RunState& mem, Vm& vm) {
    if (!has_btf_args(prog)) {
        if (in.args.empty() && in.text_args.empty()) return false;
        return make_error(ErrorKind::Load, "program \"" + prog.name + "\" takes no arguments by name: only fentry, "
                                           "fexit, fmod_ret, lsm, tp_btf, raw_tp, kprobe, kretprobe and tracepoint "
                                           "programs do");
    }
    auto layout = btf_args_layout(prog);
    if (!layout) {
        // A tracepoint's event must exist: attaching to one the kernel lacks fails.
        if (in.args.empty() && in.text_args.empty() && prog.type != ProgType::Tracepoint) return false;
        return layout.error();
    }
    const Host* host = vm.env ? vm.env->host : nullptr;
    if (!host) return false;
    auto bytes = btf_args_bytes(*layout, mem.kernel.addresses, *host, in.ctx, in.args, in.text_args);
    if (!bytes) return bytes.error();
    mem.raw_ctx = std::move(*bytes);
    // Kprobes may read the registers but not change them; trampoline contexts and tracepoint
    // records are read-only too (tracepoint_prog_is_valid_access refuses writes).
    const std::string what = layout->tracepoint ? "context" : layout->fixed_size ? "pt_regs context" : "context";
    if (!mem.raw_ctx.empty())
        vm.memory().map(window::kContext, RegionKind::Context, kRead, mem.raw_ctx.data(), uint32_t(mem.raw_ctx.size()),
                        what + " (" + layout->what() + ": " + layout->names() + ")");
    if (layout->tracepoint && !mem.raw_ctx.empty())
        vm.memory().set_hint(window::kContext,
                             "The kernel's checker lets a tracepoint program read up to 8192 bytes of its context "
                             "(PERF_MAX_TRACE_SIZE); past the event's record those are stale bytes of the per-CPU "
                             "perf buffer, which bpfplay does not make up. Read the fields of the event's format "
                             "(/sys/kernel/tracing/events/" + layout->attach + "/format): its record is " +
                             std::to_string(mem.raw_ctx.size()) + " bytes here.");
    return true;
}

}  // namespace bpfplay
