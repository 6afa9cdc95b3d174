// kload -- does the running kernel accept each program of a BPF object?
//
//   kload OBJ.o
//
// Prints one line per program: "NAME ok", "NAME refused: <the verifier's last message>",
// "NAME libbpf: <libbpf's first warning>" when libbpf stops before the kernel sees the program,
// or "NAME not-allowed: EPERM" when this machine does not let root load that program type. Each program is loaded alone (a fresh bpf_object with every other program's autoload
// off), so one refused program does not hide its siblings' verdicts, as bpfplay lists them.
// Nothing is pinned or attached. Exit status: 0 done; 1 the object does not open; 77 bpf(2) is
// refused (no privilege), the skip code survey.sh reads as "kernel: not asked".
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char g_libbpf_log[8192];

// libbpf's own warnings (a missing attach target, an unsupported section): keep the last lines.
static int collect(enum libbpf_print_level level, const char* fmt, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    size_t used = strlen(g_libbpf_log);
    if (used + 512 > sizeof(g_libbpf_log)) used = 0, g_libbpf_log[0] = 0;
    vsnprintf(g_libbpf_log + used, sizeof(g_libbpf_log) - used, fmt, args);
    return 0;
}

// The last line of a log that says something, without its newline, into out. The verifier ends
// every log, accepted or not, with its statistics ("processed N insns ..."): the reason is above.
static void last_line(const char* log, char* out, size_t size) {
    const char* end = log + strlen(log);
    const char* start;
    for (;;) {
        while (end > log && (end[-1] == '\n' || end[-1] == ' ')) --end;
        start = end;
        while (start > log && start[-1] != '\n') --start;
        if (start == log || (strncmp(start, "processed ", 10) != 0 && strncmp(start, "verification time", 17) != 0 &&
                             strncmp(start, "stack depth", 11) != 0 && strncmp(start, "libbpf: failed to load object", 30) != 0))
            break;
        end = start;
    }
    size_t n = (size_t)(end - start) < size - 1 ? (size_t)(end - start) : size - 1;
    memcpy(out, start, n);
    out[n] = 0;
}

static int verdict(const char* path, const char* wanted) {
    static char vlog[1 << 20];
    struct bpf_object* obj = bpf_object__open_file(path, NULL);
    if (!obj) return -1;
    struct bpf_program* prog;
    bpf_object__for_each_program(prog, obj) {
        bool mine = strcmp(bpf_program__name(prog), wanted) == 0;
        bpf_program__set_autoload(prog, mine);
        if (mine) {
            vlog[0] = 0;
            bpf_program__set_log_buf(prog, vlog, sizeof(vlog));
            bpf_program__set_log_level(prog, 1);
        }
    }
    g_libbpf_log[0] = 0;
    int err = bpf_object__load(obj);
    char line[512];
    if (!err) {
        printf("%s ok\n", wanted);
    } else if (err == -EPERM && geteuid() != 0) {
        bpf_object__close(obj);
        return 77;
    } else if (err == -EPERM && !vlog[0]) {
        // Root and still EPERM with no verifier log: this machine does not allow the program's
        // type (fentry/lsm attach points under lockdown or a sandbox), no verdict on the code.
        printf("%s not-allowed: EPERM\n", wanted);
    } else if (vlog[0]) {
        last_line(vlog, line, sizeof(line));
        printf("%s refused: %s\n", wanted, line);
    } else {
        // libbpf stopped before the kernel saw the program (a section name it does not know, an
        // attach target or a map size its user space sets first): its first warning says why.
        const char* nl = strchr(g_libbpf_log, '\n');
        size_t n = nl ? (size_t)(nl - g_libbpf_log) : strlen(g_libbpf_log);
        printf("%s libbpf: %.*s (%s)\n", wanted, (int)n, g_libbpf_log, strerror(-err));
    }
    bpf_object__close(obj);
    return 0;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: kload OBJ.o\n");
        return 1;
    }
    libbpf_set_print(collect);
    struct bpf_object* obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        last_line(g_libbpf_log, g_libbpf_log, sizeof(g_libbpf_log));
        printf("* refused: open: %s\n", g_libbpf_log);
        return 1;
    }
    char names[256][128];
    int count = 0;
    struct bpf_program* prog;
    bpf_object__for_each_program(prog, obj) {
        if (count < 256) snprintf(names[count++], sizeof(names[0]), "%s", bpf_program__name(prog));
    }
    bpf_object__close(obj);
    for (int i = 0; i < count; ++i) {
        int rc = verdict(argv[1], names[i]);
        if (rc == 77) return 77;
    }
    return 0;
}
