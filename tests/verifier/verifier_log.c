// verifier_log: loads every program of a BPF object into the running kernel (BPF_PROG_LOAD via
// libbpf, log_level 1) and prints the kernel's verdict per program as one JSON line:
//   {"program": "p", "accepted": false, "insn": 7, "message": "invalid access to packet, ..."}
// `insn` is the last instruction the verifier log printed before its error line; `message`
// is that error line. Used by tests/verifier/record_corpus.sh (root only) to write the corpus
// verdicts; the test itself never needs the kernel. Not part of the CMake build:
//   gcc -O2 -o build/verifier_log tests/verifier/verifier_log.c -lbpf -lelf -lz
#include <bpf/libbpf.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char log_buf[4 << 20];

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap) {
	(void)level; (void)fmt; (void)ap;
	return 0;
}

static void json_string(const char *s, size_t n) {
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c < 0x20) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

// An instruction line of a level-1 log: "12: (61) r2 = ..." (digits, ':', ' ', '(').
static int insn_line(const char *l, long *idx) {
	const char *p = l;
	if (!isdigit((unsigned char)*p)) return 0;
	while (isdigit((unsigned char)*p)) p++;
	if (p[0] != ':' || p[1] != ' ' || p[2] != '(') return 0;
	*idx = strtol(l, NULL, 10);
	return 1;
}

// "calling kernel function X is not allowed" is a refusal; other "calling kernel" lines are not.
static int not_allowed(const char *line, size_t n) {
	static const char tail[] = " is not allowed";
	return n >= sizeof(tail) - 1 && strncmp(line + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0;
}

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: verifier_log OBJECT.o\n");
		return 2;
	}
	libbpf_set_print(quiet);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 2;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		// Debian 12's libbpf (1.1) predates SEC("netfilter") (libbpf 1.2): set the type and
		// expected attach type a newer libbpf sets (BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER).
		if (bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC &&
		    strcmp(bpf_program__section_name(prog), "netfilter") == 0) {
			bpf_program__set_type(prog, (enum bpf_prog_type)32);
			bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)45);
		}
		log_buf[0] = 0;
		bpf_program__set_log_buf(prog, log_buf, sizeof(log_buf));
		bpf_program__set_log_level(prog, 1);
	}
	int err = bpf_object__load(obj);
	bpf_object__for_each_program(prog, obj) {
		int accepted = err == 0;
		long insn = -1;
		const char *msg = "";
		size_t msg_len = 0;
		if (!accepted) {
			// Walk the lines: remember the last instruction line; the first line after it
			// that is neither an instruction, a source comment nor a state line is the error.
			char *line = log_buf;
			while (*line) {
				char *end = strchr(line, '\n');
				size_t n = end ? (size_t)(end - line) : strlen(line);
				long idx;
				if (insn_line(line, &idx)) {
					insn = idx;
					msg_len = 0;
				} else if (n > 0 && line[0] != ';' && !isdigit((unsigned char)line[0]) && msg_len == 0 &&
				           strncmp(line, "processed ", 10) != 0 && strncmp(line, "from ", 5) != 0 &&
				           strncmp(line, "func#", 5) != 0 && strncmp(line, "last_idx", 8) != 0 &&
				           strncmp(line, "regs=", 5) != 0 && strncmp(line, "mark_precise", 12) != 0 &&
				           strncmp(line, "Func#", 5) != 0 && strncmp(line, "Validating", 10) != 0 &&
				           !(strncmp(line, "frame", 5) == 0 && isdigit((unsigned char)line[5])) && strncmp(line, "caller:", 7) != 0 &&
				           strncmp(line, "callee:", 7) != 0 && strncmp(line, "returning", 9) != 0 &&
				           strncmp(line, "to caller", 9) != 0 && strncmp(line, "R0=", 3) != 0 &&
				           strncmp(line, "-- BEGIN", 8) != 0 && strncmp(line, "-- END", 6) != 0 &&
				           (strncmp(line, "calling kernel", 14) != 0 || not_allowed(line, n)) &&
				           strncmp(line, "reg type", 8) != 0) {
					msg = line;
					msg_len = n;
				}
				if (!end) break;
				line = end + 1;
			}
		}
		printf("{\"program\": ");
		json_string(bpf_program__name(prog), strlen(bpf_program__name(prog)));
		printf(", \"accepted\": %s, \"insn\": %ld, \"message\": ", accepted ? "true" : "false", accepted ? -1 : insn);
		json_string(msg, msg_len);
		printf("}\n");
		break;  // corpus objects hold one program each
	}
	bpf_object__close(obj);
	return 0;
}
