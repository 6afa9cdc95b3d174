// kload -- does the running kernel accept each program of a BPF object?
//
//   kload OBJ.o [PACKET_HEX]
//
// Prints one line per program: "NAME ok" (with PACKET_HEX, "NAME ok r0=N" for the program
// types BPF_PROG_TEST_RUN runs on a packet: XDP, TC, socket filter, cgroup skb), "NAME refused: <the verifier's last message>",
// "NAME libbpf: <libbpf's first warning>" when libbpf stops before the kernel sees the program,
// or "NAME not-allowed: EPERM" when this machine does not let root load that program type. Each program is loaded alone (a fresh bpf_object with every other program's autoload
// off), so one refused program does not hide its siblings' verdicts, as bpfplay lists them.
// Nothing is pinned (not even LIBBPF_PIN_BY_NAME maps) or attached. Exit status: 0 done; 1 the object does not open; 77 bpf(2) is
// refused (no privilege), the skip code survey.sh reads as "kernel: not asked".
#include <bpf/bpf.h>
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

static unsigned char g_packet[4096];
static size_t g_packet_len;

static bool takes_packet(enum bpf_prog_type t) {
    return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT ||
           t == BPF_PROG_TYPE_SOCKET_FILTER || t == BPF_PROG_TYPE_CGROUP_SKB;
}

// One BPF_PROG_TEST_RUN of the loaded program on the packet: its r0, or -1 when it cannot run.
static long long test_run(struct bpf_program* prog) {
    unsigned char out[4096 + 256];
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g_packet, .data_size_in = (unsigned)g_packet_len,
                .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
    if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) != 0) return -1;
    return (long long)opts.retval;
}

static int verdict(const char* path, const char* wanted) {
    static char vlog[1 << 20];
    struct bpf_object* obj = bpf_object__open_file(path, NULL);
    if (!obj) return -1;
    // Maps declared with LIBBPF_PIN_BY_NAME would be pinned under /sys/fs/bpf (and a stale pin
    // of another object's map of that name would refuse this one): load without pinning.
    struct bpf_map* map;
    bpf_object__for_each_map(map, obj) bpf_map__set_pin_path(map, NULL);
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
        struct bpf_program* p = bpf_object__find_program_by_name(obj, wanted);
        long long r0 = g_packet_len && p && takes_packet(bpf_program__type(p)) ? test_run(p) : -1;
        if (r0 >= 0) printf("%s ok r0=%lld\n", wanted, r0);
        else printf("%s ok\n", wanted);
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
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: kload OBJ.o [PACKET_HEX]\n");
        return 1;
    }
    for (const char* h = argc == 3 ? argv[2] : ""; h[0] && h[1] && g_packet_len < sizeof(g_packet); h += 2) {
        unsigned byte;
        if (sscanf(h, "%2x", &byte) != 1) break;
        g_packet[g_packet_len++] = (unsigned char)byte;
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
