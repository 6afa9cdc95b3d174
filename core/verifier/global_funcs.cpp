#include "core/verifier/global_funcs.hpp"

namespace bpfplay::verifier {

namespace {

bool btf_is_scalar(const Btf& btf, uint32_t id) {
    const BtfType* t = btf.type(btf.skip_modifiers(id));
    return t && (t->kind == BtfKind::Int || t->is_enum());
}

// Decl tags "arg:..." on the function or one of its arguments change what the kernel derives
// (__arg_ctx, __arg_nonnull, __arg_trusted ...): not modelled.
bool has_arg_tags(const Btf& btf, uint32_t func_id) {
    for (uint32_t id = 1; id < btf.type_count(); ++id) {
        const BtfType* t = btf.type(id);
        if (t->kind == BtfKind::DeclTag && t->ref == func_id && btf.name(id).starts_with("arg:")) return true;
    }
    return false;
}

GlobalFunction signature(const Btf& btf, const LoadedProgram& program, uint32_t func_id) {
    GlobalFunction g;
    const BtfType* fn = btf.type(func_id);
    const BtfType* proto = fn ? btf.type(fn->ref) : nullptr;
    if (!proto || proto->kind != BtfKind::FuncProto) {
        g.unmodelled = "its BTF has no FUNC_PROTO";
        return g;
    }
    if (has_arg_tags(btf, func_id)) {
        g.unmodelled = "arguments tagged with __arg_*";
        return g;
    }
    const std::span<const BtfParam> params = btf.params(fn->ref);
    if (params.size() > 5) {
        g.unmodelled = "more than 5 arguments";
        return g;
    }
    // Only functions returning a number (Linux 6.18: not void either).
    if (!btf_is_scalar(btf, proto->ref)) {
        g.refusal = "Global function " + std::string(btf.name(func_id)) + "() doesn't return scalar. Only those are supported.";
        return g;
    }
    const std::string_view ctx_struct = context_kind_name(program.context);
    for (const BtfParam& p : params) {
        const uint32_t id = btf.skip_modifiers(p.type);
        const BtfType* t = btf.type(id);
        if (btf_is_scalar(btf, id)) {
            g.args.push_back({GlobalArgKind::Scalar, 0});
            continue;
        }
        if (!t || t->kind != BtfKind::Ptr) {
            g.unmodelled = "an argument that is neither a number nor a pointer";
            return g;
        }
        // A pointer to the program type's context struct is the context; any other pointer is
        // memory of the pointee's size (NULL allowed).
        const uint32_t pointee = btf.skip_modifiers(t->ref);
        const BtfType* pt = btf.type(pointee);
        if (pt && pt->is_struct_or_union() && !ctx_struct.empty() && btf.name(pointee) == ctx_struct) {
            g.args.push_back({GlobalArgKind::Ctx, 0});
            continue;
        }
        const auto size = btf.resolve_size(t->ref);
        if (!size || pointee == 0) {
            g.unmodelled = "a pointer argument whose pointee has no size";
            return g;
        }
        g.args.push_back({GlobalArgKind::Mem, *size});
    }
    return g;
}

}  // namespace

std::vector<GlobalFunction> global_function_sigs(const LoadedObject& object, const LoadedProgram& program) {
    std::vector<GlobalFunction> out;
    for (const LinkedFunction& f : program.functions) {
        if (!f.global || f.first_insn == 0) continue;
        GlobalFunction g;
        const FunctionInfo* info = nullptr;
        for (const FunctionInfo& fi : program.func_info)
            if (fi.insn == f.first_insn) info = &fi;
        if (object.btf && info) g = signature(*object.btf, program, info->btf_type_id);
        else g.unmodelled = "no BTF func info";
        g.insn = f.first_insn;
        g.name = f.name;
        // The kernel numbers functions by address, the program itself func#0.
        for (const LinkedFunction& other : program.functions) g.subprog += other.first_insn < f.first_insn;
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace bpfplay::verifier
