#include "core/run/kernel_refs.hpp"

#include <algorithm>

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/conntrack_objects.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/vm.hpp"

namespace bpfplay {

const char* kernel_object_type(KernelObjectKind kind) {
    switch (kind) {
    case KernelObjectKind::Task: return "task_struct";
    case KernelObjectKind::Cgroup: return "cgroup";
    case KernelObjectKind::NfConn: return "nf_conn";
    case KernelObjectKind::NfConnInit: return "nf_conn___init";
    case KernelObjectKind::Allocated: return "allocated object";
    }
    return "";
}

namespace {

// The kfunc that gives a reference of that kind back.
const char* releasing_kfunc(KernelObjectKind kind) {
    switch (kind) {
    case KernelObjectKind::Task: return "bpf_task_release";
    case KernelObjectKind::Cgroup: return "bpf_cgroup_release";
    case KernelObjectKind::NfConn: return "bpf_ct_release";
    case KernelObjectKind::NfConnInit: return "bpf_ct_insert_entry";
    case KernelObjectKind::Allocated: return "bpf_obj_drop (or by pushing it into a list or adding it to a tree)";
    }
    return "";
}

}  // namespace

std::optional<KernelObjectKind> kernel_object_at(const Host& host, uint64_t addr) {
    if (task_index(addr)) return KernelObjectKind::Task;
    if (cgroup_index(host, addr)) return KernelObjectKind::Cgroup;
    return std::nullopt;
}

std::string describe_kernel_object(const Host& host, uint64_t addr) {
    if (const std::optional<uint32_t> t = task_index(addr)) {
        static constexpr const char* kOthers[] = {"", "1 (systemd)", "0 (swapper/0)"};
        return "task " + (*t == 0 ? std::to_string(host.task.pid) + " (" + std::string(host.task.comm_view()) + ")"
                                  : std::string(kOthers[*t]));
    }
    if (const std::optional<uint32_t> c = cgroup_index(host, addr))
        return "cgroup " + std::to_string(host.cgroups[*c].id) + " (" + host.cgroups[*c].path + ")";
    const std::vector<CtObject>& cts = host.net.run.ct_objects;
    if (const std::optional<uint32_t> c = conntrack_object_index(addr, uint32_t(cts.size()))) {
        const CtObject& o = cts[*c];
        const bool in_table = o.state == CtObject::State::InTable;
        return std::string(o.state == CtObject::State::Allocated ? "new conntrack entry " : "conntrack entry ") +
               ct_tuple_text(in_table ? host.net.conntrack[size_t(o.table_index)].orig : o.entry.orig);
    }
    if (const std::optional<uint32_t> a = host.heap ? host.heap->object_at(addr) : std::nullopt)
        return host.heap->object(*a).type_name + " at " + hex(addr);
    return "the object at " + hex(addr);
}

void acquire_reference(Vm& vm, Host& host, uint64_t addr, KernelObjectKind kind, const char* by) {
    host.dynptrs.objects.push_back({addr, kind, vm.current_pc(), by});
}

bool holds_reference(const Host& host, uint64_t addr) {
    return std::any_of(host.dynptrs.objects.begin(), host.dynptrs.objects.end(),
                       [&](const HeldObject& o) { return o.addr == addr && !o.released; });
}

bool gave_back_reference(const Host& host, uint64_t addr) {
    return std::any_of(host.dynptrs.objects.begin(), host.dynptrs.objects.end(),
                       [&](const HeldObject& o) { return o.addr == addr && o.released; });
}

bool drop_reference(Host& host, uint64_t addr) {
    std::vector<HeldObject>& held = host.dynptrs.objects;
    const auto it = std::find_if(held.rbegin(), held.rend(),
                                 [&](const HeldObject& o) { return o.addr == addr && !o.released; });
    if (it == held.rend()) return false;
    it->released = true;
    return true;
}

std::string not_held_words(const Host& host, uint64_t addr, const char* reg, KernelObjectKind kind) {
    // After a release or a kptr store the verifier has made the register a scalar; a pointer
    // that never was a reference (one loaded from a kptr field) is neither referenced nor trusted.
    if (gave_back_reference(host, addr))
        return std::string("\"arg#") + (reg[1] == '1' ? "0" : "1") + " pointer type STRUCT " +
               kernel_object_type(kind) + " must point to scalar, or struct with scalar\"";
    return std::string("\"R") + (reg + 1) + " must be referenced or trusted\"";
}

std::optional<Error> held_object_error(Vm& vm, bool tail_call) {
    Host* host = vm.env ? vm.env->host : nullptr;
    if (!host) return std::nullopt;
    const auto held = std::find_if(host->dynptrs.objects.begin(), host->dynptrs.objects.end(),
                                   [](const HeldObject& o) { return !o.released; });
    if (held == host->dynptrs.objects.end()) return std::nullopt;
    const HeldObject& o = *held;
    // The verifier's id counts its own objects, which bpfplay does not number.
    const std::string unreleased = "\"Unreleased reference ... alloc_insn=" + std::to_string(o.acquired_pc) + "\"";
    const std::string what = "the reference to " + describe_kernel_object(*host, o.addr) + " that " + o.by +
                             " acquired at insn " + std::to_string(o.acquired_pc);
    const std::string release = releasing_kfunc(o.kind);
    if (tail_call)
        return make_error(ErrorKind::Helper,
                          "bpf_tail_call: the program still holds " + what +
                              ": the kernel's verifier refuses the call (" + unreleased +
                              ", \"tail_call would lead to reference leak\")",
                          vm.current_pc(), "Release it with " + release + " before the tail call.");
    return make_error(ErrorKind::Verify,
                      "the program exits still holding " + what + ": the kernel's verifier refuses this program (" +
                          unreleased + ", \"BPF_EXIT instruction in main prog would lead to reference leak\")",
                      vm.current_pc(),
                      "Give it back with " + release + " on every path where it is not NULL" +
                          (o.kind == KernelObjectKind::Task || o.kind == KernelObjectKind::Cgroup
                               ? ", or move it into a map's __kptr field with bpf_kptr_xchg."
                               : "."));
}

} // namespace bpfplay
