// Between bpf_object__open and bpf_object__load user space may still change map definitions,
// and many real loaders do: xdp-tools and katran size their maps (bpf_map__set_max_entries),
// leaving max_entries 0 in the object; cilium/ebpf (ebpf-go) fixes up ring buffers and perf event
// arrays that were declared with __type(key/value, ...) so bpf2go can generate Go types for the
// records; bcc's libbpf-tools (profile, offcputime, memleak, capable, wakeuptime, futexctn) leave
// a stack trace map's value_size out and set it to perf_max_stack_depth (127) u64 frames
// (bpf_map__set_value_size). bpfplay applies the same changes here, each with a load note, so
// such objects load instead of failing BPF_MAP_CREATE with -EINVAL.
#include "core/loader/object_state.hpp"
#include "core/maps/stack_trace_map.hpp"

namespace bpfplay::loader {

namespace {

bool is_ringbuf(MapType t) { return t == MapType::Ringbuf || t == MapType::UserRingbuf; }

// Local storage maps hold one value per owner (cgroup, socket, inode, task): the kernel wants
// max_entries 0 for them, so 0 is their right size, not a missing one.
bool sized_by_owners(MapType t) {
    return t == MapType::CgroupStorage || t == MapType::PercpuCgroupStorage || t == MapType::SkStorage ||
           t == MapType::InodeStorage || t == MapType::TaskStorage || t == MapType::CgrpStorage;
}

// ebpf-go's elf reader drops the value size of types that cannot have one (MapType.canHaveValueSize:
// ring buffers and perf event arrays), and MapSpec.fixupMagicFields then gives a perf event
// array the key and value size 4 when they are 0 or 4. libbpf 1.1 does neither (the kernel
// refuses such maps with -EINVAL); bpfplay loads them as ebpf-go does.
void fix_typed_event_maps(ObjectState& st, MapDef& def) {
    MapSpec& s = def.spec;
    const std::string q = "map \"" + s.name + "\": ";
    if (is_ringbuf(s.type) && s.value_size != 0 && s.btf_value_type_id != 0) {
        st.notes.push_back(q + "a ring buffer declared with __type(value, ...) (" + std::to_string(s.value_size) +
                           " bytes); the value type only documents the records (ebpf-go drops it, libbpf 1.1 "
                           "passes it on and the kernel refuses it): created with value_size 0");
        s.value_size = 0;
        s.btf_value_type_id = 0;
    }
    if (s.type != MapType::PerfEventArray) return;
    if (s.value_size != 0 && s.value_size != 4 && s.btf_value_type_id != 0) {
        st.notes.push_back(q + "a perf event array declared with __type(value, ...) (" +
                           std::to_string(s.value_size) +
                           " bytes); its values are perf event fds, so it is created with value_size 4 as "
                           "ebpf-go does (the type describes the samples)");
        s.value_size = 4;
        s.btf_value_type_id = 0;
    }
    if (s.key_size == 0 || s.value_size == 0) {
        st.notes.push_back(q + "a perf event array without key or value size: created with key_size 4 and "
                               "value_size 4 (CPU index -> perf event fd), as ebpf-go does");
        if (s.key_size == 0) s.key_size = 4;
        if (s.value_size == 0) s.value_size = 4;
    }
}

// A stack trace map's values are the frames bpf_get_stackid stores: without a value_size the
// tools' loaders give it room for the deepest stack the kernel records (kernel.perf_event_max_stack
// frames, their default --perf-max-stack-depth), BPF_F_STACK_BUILD_ID entries when so flagged.
void size_stack_values(ObjectState& st, MapSpec& s) {
    if (s.type != MapType::StackTrace || s.value_size != 0) return;
    const uint32_t frame = (s.map_flags & map_flag::kStackBuildId) ? kStackBuildIdSize : 8;
    s.value_size = kPerfEventMaxStack * frame;
    st.notes.push_back("map \"" + s.name + "\": a stack trace map without value_size (its loader sets it before "
                       "loading, as bcc's tools do): created with value_size " + std::to_string(s.value_size) +
                       " (" + std::to_string(kPerfEventMaxStack) + " frames, kernel.perf_event_max_stack)");
}

std::string sized_by_hint(const std::string& name) {
    return "set it with --map-size " + name + "=N or the host JSON's \"map_sizes\"";
}

} // namespace

Result<Unit> size_maps(ObjectState& st) {
    for (MapDef& def : st.maps) {
        if (def.origin == MapOrigin::GlobalData) continue;
        MapSpec& s = def.spec;
        fix_typed_event_maps(st, def);
        size_stack_values(st, s);
        if (auto it = st.options.map_sizes.find(s.name); it != st.options.map_sizes.end()) {
            st.notes.push_back("map \"" + s.name + "\": max_entries " + std::to_string(it->second) +
                               " set by the user (the object says " + std::to_string(s.max_entries) + ")");
            s.max_entries = it->second;
            continue;
        }
        if (s.max_entries != 0 || s.type == MapType::PerfEventArray || sized_by_owners(s.type)) continue;
        // A perf event array without max_entries already got one entry per CPU (libbpf's rule).
        // A cpumap holds one entry per CPU, and its loaders size it so (xdp-bench:
        // bpf_map__set_max_entries(cpu_map, libbpf_num_possible_cpus())): more than NR_CPUS is -E2BIG.
        const bool per_cpu = s.type == MapType::Cpumap;
        s.max_entries = is_ringbuf(s.type) ? LoadOptions::kDefaultRingbufBytes
                        : per_cpu          ? st.options.ncpus
                                           : st.options.default_max_entries;
        st.notes.push_back("map \"" + s.name + "\" has max_entries 0 in the object (its loader sizes it before "
                           "loading): created with " + std::to_string(s.max_entries) +
                           (is_ringbuf(s.type) ? " bytes" : per_cpu ? " entries, one per CPU" : " entries") + "; " +
                           sized_by_hint(s.name));
    }
    for (const auto& [name, size] : st.options.map_sizes) {
        bool found = false;
        for (const MapDef& def : st.maps) found = found || (def.spec.name == name && def.origin != MapOrigin::GlobalData);
        if (!found)
            st.notes.push_back("a size was given for map \"" + name + "\" (" + std::to_string(size) +
                               "), but the object has no such map");
    }
    return Unit{};
}

} // namespace bpfplay::loader
