/* uBPF's interpreter and x86-64 JIT on bpfplay's benchmark loops (written by bench_write_loops):
 * nanoseconds per executed BPF instruction, best of several runs, r0 checked against
 * bpfplay's. Built against a uBPF checkout by bench/ubpf/compare.sh; not part of bpfplay's build.
 * Usage: ubpf_loops DIR [repetitions] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ubpf.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void* read_file(const char* path, size_t* len) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    void* buf = malloc(size > 0 ? (size_t)size : 1);
    *len = fread(buf, 1, (size_t)size, f);
    fclose(f);
    return buf;
}

static int run_loop(const char* dir, const char* name, int reps) {
    char path[4096];
    size_t code_len = 0;
    snprintf(path, sizeof path, "%s/%s.bin", dir, name);
    void* code = read_file(path, &code_len);
    snprintf(path, sizeof path, "%s/%s.txt", dir, name);
    FILE* t = fopen(path, "r");
    uint64_t insns = 0, want_r0 = 0;
    size_t mem_len = 0;
    if (!code || !t || fscanf(t, "%" SCNu64 " %" SCNu64 " %zu", &insns, &want_r0, &mem_len) != 3) {
        fprintf(stderr, "ubpf_loops: cannot read %s/%s.{bin,txt}\n", dir, name);
        return 1;
    }
    fclose(t);
    uint8_t* mem = malloc(mem_len ? mem_len : 1);
    memset(mem, 0x5a, mem_len);
    for (int jit = 0; jit < 2; ++jit) {
        struct ubpf_vm* vm = ubpf_create();
        char* err = NULL;
        /* The loops run for billions of instructions: no instruction limit. */
        ubpf_set_instruction_limit(vm, 0, NULL);
        if (ubpf_load(vm, code, (uint32_t)code_len, &err) < 0) {
            fprintf(stderr, "ubpf_loops: %s: load: %s\n", name, err ? err : "?");
            return 1;
        }
        ubpf_jit_fn fn = NULL;
        if (jit && !(fn = ubpf_compile(vm, &err))) {
            fprintf(stderr, "ubpf_loops: %s: compile: %s\n", name, err ? err : "?");
            return 1;
        }
        double best = 0;
        uint64_t r0 = 0;
        for (int i = 0; i < reps; ++i) {
            const double start = now_ns();
            if (jit) {
                r0 = fn(mem, mem_len);
            } else if (ubpf_exec(vm, mem, mem_len, &r0) < 0) {
                fprintf(stderr, "ubpf_loops: %s: exec failed\n", name);
                return 1;
            }
            const double ns = now_ns() - start;
            if (i == 0 || ns < best) best = ns;
        }
        printf("%-12s %-6s %12" PRIu64 " insns  %9.1f ms  %6.3f ns/insn  r0 %s\n", name, jit ? "jit" : "interp",
               insns, best / 1e6, best / (double)insns, r0 == want_r0 ? "equal to bpfplay's" : "DIFFERS");
        ubpf_destroy(vm);
    }
    free(mem);
    free(code);
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ubpf_loops DIR [repetitions]\n");
        return 2;
    }
    const int reps = argc > 2 ? atoi(argv[2]) : 3;
    const char* loops[] = {"alu_loop", "stack_loop", "call_loop", "packet_loop"};
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; ++i)
        if (run_loop(argv[1], loops[i], reps)) return 1;
    return 0;
}
