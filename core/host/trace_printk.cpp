// bpf_trace_printk (kernel/trace/bpf_trace.c): prepare, format, and append the message to
// Host::printk. The formatting rules are in bprintf.hpp.
#include <algorithm>

#include "core/host/bprintf.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

BprintfResult format_trace_printk(std::string_view fmt, std::span<const uint64_t> args, const Memory& mem) {
    // The format ends at its NUL, which must lie within fmt_size bytes (strnchr).
    const size_t nul = fmt.find('\0');
    if (nul == std::string_view::npos) return {-kEINVAL, {}};
    fmt = fmt.substr(0, nul);
    args = args.first(std::min<size_t>(args.size(), kTracePrintkMaxArgs));

    bprintf::Prepared prepared = bprintf::prepare(fmt, args, mem);
    if (prepared.err) return {prepared.err, {}};
    bprintf::Rendered rendered = bprintf::render(fmt, prepared.args, kBprintfBufSize);

    // The trace event copies the buffer as a C string, so a NUL byte ends the message.
    std::string text = std::move(rendered.text);
    text.resize(std::min(text.size(), text.find('\0')));
    // bstr_printf returns an int.
    return {int64_t(int32_t(uint32_t(rendered.length))), std::move(text)};
}

namespace {

uint64_t trace_printk(Vm& vm, uint64_t fmt, uint64_t fmt_size_arg, uint64_t arg1, uint64_t arg2, uint64_t arg3) {
    constexpr const char* kName = "bpf_trace_printk";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    // The verifier makes sure all fmt_size bytes are readable; a program that could not have
    // been loaded stops here. A size of 0 holds no NUL, hence -EINVAL below.
    const uint32_t fmt_size = uint32_t(fmt_size_arg);
    const uint8_t* bytes = fmt_size ? vm.memory().helper_ptr(fmt, fmt_size, /*write=*/false) : nullptr;
    if (fmt_size && !bytes) {
        fail_helper_access(vm, kName, fmt, fmt_size, Access::HelperRead);
        return 0;
    }
    const std::string_view fmt_bytes(reinterpret_cast<const char*>(bytes), fmt_size);
    const uint64_t args[kTracePrintkMaxArgs] = {arg1, arg2, arg3};
    BprintfResult result = format_trace_printk(fmt_bytes, args, vm.memory());
    if (result.ret >= 0) h->printk.push_back(std::move(result.text));
    return uint64_t(result.ret);  // a negative errno sign-extends, as the kernel's int does
}

// nargs 2: the verifier checks only fmt and fmt_size; r3-r5 are passed on whatever they hold.
constexpr HelperImpl kTracePrintkHelperImpls[] = {
    {helper_id::kTracePrintk, trace_printk},  // bpf_trace_printk
};

}  // namespace

std::span<const HelperImpl> trace_printk_helper_impls() { return kTracePrintkHelperImpls; }

}  // namespace bpfplay
