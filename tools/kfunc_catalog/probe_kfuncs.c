// Asks the running kernel which kfuncs each program type may call: for every variant of
// ../helper_catalog/variants.txt and every kfunc of the vmlinux BTF (a FUNC with the decl tag
// "bpf_kfunc"), loads "call kfunc; r0 = 0; exit" with BPF_PROG_LOAD and reads the verifier's log.
// "calling kernel function X is not allowed" means no kfunc set registered for the type's hook
// holds X; any other outcome (an argument error, success) means the type may call it. Needs root
// where bpf(2) is permitted. Output: one line per kfunc, "<name>:" then the variant labels that may
// call it, a tab, its argument count, a tab, and its C declaration from the BTF; a first line lists the variants probed.
// Build: cc -O1 probe_kfuncs.c -o probe_kfuncs -lbpf
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char log_buf[1 << 16];

struct variant {
    char label[64];
    int type, attach, sleepable;
    unsigned btf_id;
};

// 1: allowed, 0: not allowed for the type, -1: the load failed before the verifier looked at the call.
static int probe(const struct variant* v, unsigned kfunc_id) {
    struct bpf_insn insns[] = {
        {.code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL, .imm = (int)kfunc_id},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = v->type;
    a.insns = (unsigned long)insns;
    a.insn_cnt = 3;
    a.license = (unsigned long)"GPL";
    a.log_buf = (unsigned long)log_buf;
    a.log_size = sizeof log_buf;
    a.log_level = 1;
    a.expected_attach_type = v->attach;
    a.attach_btf_id = v->btf_id;
    a.prog_flags = v->sleepable ? BPF_F_SLEEPABLE : 0;
    log_buf[0] = 0;
    int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof a);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    if (strstr(log_buf, "is not allowed")) return 0;
    return strstr(log_buf, "call ") || strstr(log_buf, "kernel function") || strstr(log_buf, "arg#") ? 1 : -1;
}

static char decl[1024];
static void append_decl(void* ctx, const char* fmt, va_list args) {
    (void)ctx;
    size_t used = strlen(decl);
    vsnprintf(decl + used, sizeof decl - used, fmt, args);
}

int main(int argc, char** argv) {
    FILE* in = fopen(argc > 1 ? argv[1] : "variants.txt", "r");
    struct btf* vmlinux = btf__load_vmlinux_btf();
    if (!in || !vmlinux) {
        fprintf(stderr, "need variants.txt and /sys/kernel/btf/vmlinux\n");
        return 2;
    }
    static struct variant vs[128];
    int nv = 0;
    char line[512];
    while (nv < 128 && fgets(line, sizeof line, in)) {
        char target[128];
        int kind;
        struct variant* v = &vs[nv];
        if (line[0] == '#' || sscanf(line, "%63s %d %d %127s %d %d", v->label, &v->type, &v->attach, target, &kind,
                                     &v->sleepable) != 6)
            continue;
        v->btf_id = 0;
        if (strcmp(target, "-") != 0) {
            int id = btf__find_by_name_kind(vmlinux, target, kind);
            if (id < 0) continue;
            v->btf_id = (unsigned)id;
        }
        nv++;
    }
    // A variant is probed when the kernel gets as far as the call for at least one kfunc.
    static signed char result[128][4096];
    static unsigned ids[4096];
    int nk = 0;
    const unsigned n = btf__type_cnt(vmlinux);
    for (unsigned id = 1; id < n && nk < 4096; id++) {
        const struct btf_type* t = btf__type_by_id(vmlinux, id);
        if (!btf_is_decl_tag(t) || strcmp(btf__name_by_offset(vmlinux, t->name_off), "bpf_kfunc") != 0) continue;
        ids[nk++] = t->type;
    }
    int usable[128] = {0};
    for (int i = 0; i < nv; i++)
        for (int k = 0; k < nk; k++) {
            result[i][k] = (signed char)probe(&vs[i], ids[k]);
            if (result[i][k] >= 0) usable[i] = 1;
        }
    printf("variants:");
    for (int i = 0; i < nv; i++)
        if (usable[i]) printf(" %s", vs[i].label);
    printf("\n");
    struct btf_dump* dump = btf_dump__new(vmlinux, append_decl, NULL, NULL);
    for (int k = 0; k < nk; k++) {
        const struct btf_type* func = btf__type_by_id(vmlinux, ids[k]);
        const char* name = btf__name_by_offset(vmlinux, func->name_off);
        printf("%s:", name);
        for (int i = 0; i < nv; i++)
            if (usable[i] && result[i][k] > 0) printf(" %s", vs[i].label);
        LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = name);
        decl[0] = 0;
        btf_dump__emit_type_decl(dump, func->type, &opts);
        printf("\t%u\t%s\n", btf_vlen(btf__type_by_id(vmlinux, func->type)), decl);
    }
    return 0;
}
