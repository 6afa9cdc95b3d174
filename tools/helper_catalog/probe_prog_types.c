// Asks the running kernel which helpers each program type may call: for every variant in
// variants.txt and every helper id, loads "call <id>; r0 = 0; exit" with BPF_PROG_LOAD and reads
// the verifier's log. "program of this type cannot use helper" (or "invalid func") means the
// type's get_func_proto refused the id; any other outcome (an argument error, success) means the
// helper is allowed. Needs root where bpf(2) is permitted. Output, one line per variant:
//   <label> <prog_type> <attach_type> <sleepable>: <allowed ids...>
// Build: cc -O1 probe_prog_types.c -o probe_prog_types -lbpf
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { kMaxHelperProbe = 260 };
static char log_buf[1 << 16];

// 1: allowed, 0: refused by the type's get_func_proto, -1: the load failed before the verifier
// looked at the call (the variant cannot be probed on this kernel).
static int probe(int type, int attach, unsigned btf_id, unsigned flags, int helper) {
    struct bpf_insn insns[] = {
        {.code = BPF_JMP | BPF_CALL, .imm = helper},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = type;
    a.insns = (unsigned long)insns;
    a.insn_cnt = 3;
    a.license = (unsigned long)"GPL";
    a.log_buf = (unsigned long)log_buf;
    a.log_size = sizeof log_buf;
    a.log_level = 1;
    a.expected_attach_type = attach;
    a.attach_btf_id = btf_id;
    a.prog_flags = flags;
    log_buf[0] = 0;
    int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof a);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    if (strstr(log_buf, "cannot use helper") || strstr(log_buf, "invalid func")) return 0;
    return strstr(log_buf, "call ") ? 1 : -1;
}

int main(int argc, char** argv) {
    FILE* in = fopen(argc > 1 ? argv[1] : "variants.txt", "r");
    if (!in) {
        perror("variants.txt");
        return 2;
    }
    struct btf* vmlinux = btf__load_vmlinux_btf();
    char line[512];
    while (fgets(line, sizeof line, in)) {
        char label[64], target[128];
        int type, attach, kind, sleepable;
        if (line[0] == '#' || sscanf(line, "%63s %d %d %127s %d %d", label, &type, &attach, target, &kind, &sleepable) != 6)
            continue;
        unsigned btf_id = 0;
        if (strcmp(target, "-") != 0) {
            int id = vmlinux ? btf__find_by_name_kind(vmlinux, target, kind) : -1;
            if (id < 0) {
                printf("%s %d %d %d: unprobed (no BTF for %s)\n", label, type, attach, sleepable, target);
                continue;
            }
            btf_id = (unsigned)id;
        }
        char ids[4096] = "";
        int usable = 0;
        for (int h = 1; h < kMaxHelperProbe; h++) {
            int r = probe(type, attach, btf_id, sleepable ? BPF_F_SLEEPABLE : 0, h);
            if (r < 0) continue;
            usable = 1;
            if (r > 0) snprintf(ids + strlen(ids), sizeof ids - strlen(ids), " %d", h);
        }
        if (usable) printf("%s %d %d %d:%s\n", label, type, attach, sleepable, ids);
        else printf("%s %d %d %d: unprobed (load fails before the verifier: %s)\n", label, type, attach, sleepable,
                    strerror(errno));
        fflush(stdout);
    }
    return 0;
}
