// kernel_run -- run one program of a BPF object in the real kernel and print what it did.
//
// The reference that bpfplay's results are checked against: the object is loaded with
// libbpf (so relocations, global data, BTF-initialized prog arrays and maps of maps are set up
// exactly as libbpf does it), the kernel's verifier checks it, and BPF_PROG_TEST_RUN runs it.
//
//   kernel_run OBJ PROGRAM [--packet HEX]... [--ctx HEX] [--repeat N] [--map-init JSON]
//              [--trace] [--cpu N]
//
//   --packet HEX    data_in of one run (hex, spaces and colons ignored). Give it several times
//                   for a sequence of runs on the same loaded object.
//   --ctx HEX       ctx_in (struct xdp_md, struct __sk_buff, ...), the same for every run.
//   --repeat N      do the whole packet sequence N times (default 1). Every run is its own
//                   BPF_PROG_TEST_RUN call with opts.repeat = 1, on the one loaded object, so
//                   maps carry over from run to run and each run starts from the input packet.
//   --map-init JSON {"map": [{"key": "hex", "value": "hex" or ["hex per CPU", ...]}, ...]}.
//                   Global-data maps (.data, .rodata, .bss...) are set before the load (key
//                   00000000, the whole value); the others are updated after the load.
//   --trace         clear the trace buffer before the runs and report bpf_printk lines after.
//   --cpu N         the CPU to run on (default 0): the process is pinned to it.
//   --no-perf-readers  leave perf event arrays empty. By default every perf event array gets
//                   libbpf's perf_buffer (perf_buffer__new: a PERF_COUNT_SW_BPF_OUTPUT event
//                   per CPU, in the slot of its CPU) before the runs, read after them.
//   --host JSON     the part of bpfplay's host JSON this process can make real:
//                   {"cgroups": [{"id": 1, "path": "/"}, {"id": 2, "path": "/a"}, ...],
//                    "task": {"cgroup": 2}}. Each cgroup is made (mkdir) under the cgroup v2
//                   mount if it is missing, this process moves into the task's cgroup for the
//                   runs (a test run's socket is created in it), and --map-init values of
//                   CGROUP_ARRAY maps, which name those ids, become fds of the directories.
//                   Afterwards the process moves back and the cgroups it made are removed.
//
// Prints one JSON object on stdout:
//   {"program", "section", "prog_type", "cpu", "runs", "repeat_mode", "loaded",
//    "return" (r0 of the last run, unsigned), "returns" (r0 of every run),
//    "packet_out" (hex, last run), "ctx_out" (hex, last run; skb programs always, others when
//    --ctx was given, netfilter ones never; for syscall programs, which take no ctx_out, the
//    ctx_in buffer the kernel wrote back into), "maps": {name: [{"key": hex, "value": hex}]} sorted by key bytes (per-CPU
//    maps: "value" is an array with one hex string per possible CPU; prog arrays and maps of
//    maps: "prog"/"map" names what the slot holds, as the kernel's ids are not reproducible),
//    "ringbuf": {name: [record hex, ...]}, "perf_events": {name: [{"cpu", "data": hex}, ...]}
//    (every perf event array, samples in the order the readers got them),
//    "trace": [message, ...] (with --trace),
//    "error": null or a message, and "log": libbpf's and the verifier's messages on failure}
//
// Exit status: 0 ran; 1 bad usage or the object failed to open or load (verifier refusal);
// 2 loaded but BPF_PROG_TEST_RUN failed (e.g. kprobes: not supported); 77 bpf(2) refused
// (EPERM/ENOSYS: no privilege, or a sandbox) -- the "skip" code of automake and ctest.
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PACKETS 256
#define KERNEL_ENOTSUPP 524 // the kernel's ENOTSUPP, which user-space headers lack
#define DATA_OUT_MAX (1 << 17)
#define CTX_OUT_MAX 4096

// ---------------------------------------------------------------------------------------------
// Small utilities: a growing string, hex, JSON output.

struct buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = realloc(b->s, cap);
		if (!b->s) {
			perror("realloc");
			exit(1);
		}
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < (int)sizeof(tmp)) {
		buf_add(b, tmp, n);
		return;
	}
	char *big = malloc(n + 1);
	va_start(ap, fmt);
	vsnprintf(big, n + 1, fmt, ap);
	va_end(ap);
	buf_add(b, big, n);
	free(big);
}

static void buf_json_str(struct buf *b, const char *s)
{
	buf_add(b, "\"", 1);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			buf_add(b, e, 2);
		} else if (c == '\n') {
			buf_add(b, "\\n", 2);
		} else if (c == '\t') {
			buf_add(b, "\\t", 2);
		} else if (c < 0x20 || c >= 0x7f) {
			buf_printf(b, "\\u%04x", c);
		} else {
			buf_add(b, (const char *)&c, 1);
		}
	}
	buf_add(b, "\"", 1);
}

static void buf_hex(struct buf *b, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *q = p;
	buf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char h[2] = {digits[q[i] >> 4], digits[q[i] & 15]};
		buf_add(b, h, 2);
	}
	buf_add(b, "\"", 1);
}

// Parses hex, ignoring whitespace, ':' '-' '_' and an optional 0x prefix. Returns the length,
// or -1 on a bad digit or an odd count.
static long parse_hex(const char *s, unsigned char **out)
{
	size_t n = strlen(s);
	unsigned char *p = malloc(n / 2 + 1);
	long len = 0;
	int hi = -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		int v;
		if (isspace((unsigned char)*s) || *s == ':' || *s == '-' || *s == '_')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else {
			free(p);
			return -1;
		}
		if (hi < 0) {
			hi = v;
		} else {
			p[len++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		free(p);
		return -1;
	}
	*out = p;
	return len;
}

// ---------------------------------------------------------------------------------------------
// A minimal JSON reader, enough for --map-init.

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	char *str;           // J_STR
	double num;          // J_NUM, J_BOOL
	size_t n;            // J_ARR, J_OBJ: element count
	struct jval *items;  // J_ARR, J_OBJ
	char **keys;         // J_OBJ
};

struct jparser {
	const char *p;
	const char *err;
};

static void jskip(struct jparser *jp)
{
	while (isspace((unsigned char)*jp->p))
		jp->p++;
}

static bool jparse(struct jparser *jp, struct jval *v);

static bool jparse_string(struct jparser *jp, char **out)
{
	struct buf b = {0};
	if (*jp->p != '"') {
		jp->err = "expected a string";
		return false;
	}
	jp->p++;
	while (*jp->p && *jp->p != '"') {
		char c = *jp->p++;
		if (c == '\\') {
			c = *jp->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4 && isxdigit((unsigned char)*jp->p); i++, jp->p++)
					v = v * 16 + (isdigit((unsigned char)*jp->p) ? *jp->p - '0'
										 : (tolower(*jp->p) - 'a' + 10));
				c = (char)(v < 0x80 ? v : '?');
				break;
			}
			case 0: jp->err = "unterminated string"; return false;
			default: break; // \" \\ \/
			}
		}
		buf_add(&b, &c, 1);
	}
	if (*jp->p != '"') {
		jp->err = "unterminated string";
		free(b.s);
		return false;
	}
	jp->p++;
	*out = b.s ? b.s : strdup("");
	return true;
}

static bool jparse(struct jparser *jp, struct jval *v)
{
	memset(v, 0, sizeof(*v));
	jskip(jp);
	char c = *jp->p;
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		char close = obj ? '}' : ']';
		v->type = obj ? J_OBJ : J_ARR;
		jp->p++;
		jskip(jp);
		if (*jp->p == close) {
			jp->p++;
			return true;
		}
		for (;;) {
			char *key = NULL;
			jskip(jp);
			if (obj) {
				if (!jparse_string(jp, &key))
					return false;
				jskip(jp);
				if (*jp->p != ':') {
					jp->err = "expected ':'";
					return false;
				}
				jp->p++;
			}
			v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
			v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
			v->keys[v->n] = key;
			if (!jparse(jp, &v->items[v->n]))
				return false;
			v->n++;
			jskip(jp);
			if (*jp->p == ',') {
				jp->p++;
				continue;
			}
			if (*jp->p == close) {
				jp->p++;
				return true;
			}
			jp->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
			return false;
		}
	}
	if (c == '"') {
		v->type = J_STR;
		return jparse_string(jp, &v->str);
	}
	if (!strncmp(jp->p, "true", 4) || !strncmp(jp->p, "false", 5)) {
		v->type = J_BOOL;
		v->num = c == 't';
		jp->p += c == 't' ? 4 : 5;
		return true;
	}
	if (!strncmp(jp->p, "null", 4)) {
		v->type = J_NULL;
		jp->p += 4;
		return true;
	}
	char *end;
	v->num = strtod(jp->p, &end);
	if (end == jp->p) {
		jp->err = "unexpected character";
		return false;
	}
	v->type = J_NUM;
	jp->p = end;
	return true;
}

static const struct jval *jget(const struct jval *obj, const char *key)
{
	if (obj->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

// ---------------------------------------------------------------------------------------------
// libbpf's messages are kept (the verifier log among them) and printed only on failure.

static struct buf libbpf_log;

static int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	// libbpf prints the whole verifier log in one message, its reason at the end: keep all of it.
	char *tmp = NULL;
	if (level == LIBBPF_DEBUG)
		return 0;
	int n = vasprintf(&tmp, fmt, ap);
	if (n > 0)
		buf_add(&libbpf_log, tmp, (size_t)n);
	free(tmp);
	return 0;
}

// ---------------------------------------------------------------------------------------------
// The report.

static struct {
	const char *program;
	const char *section;
	const char *prog_type;
	int cpu;
	bool loaded;
	bool ran;
	int runs;
	__u32 *returns;
	unsigned char *packet_out;
	__u32 packet_out_len;
	bool have_packet_out;
	unsigned char *ctx_out;
	__u32 ctx_out_len;
	bool have_ctx_out;
	struct buf maps;     // the body of "maps": {...}
	struct buf ringbuf;  // the body of "ringbuf": {...}
	struct buf perf;     // the body of "perf_events": {...}
	bool trace_wanted;
	bool trace_ok;
	struct buf trace;    // the body of "trace": [...]
	char *error;
} rep;

static void set_error(const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	free(rep.error);
	rep.error = strdup(tmp);
}

static int finish(int status)
{
	struct buf o = {0};
	buf_add(&o, "{\"program\": ", 12);
	buf_json_str(&o, rep.program);
	if (rep.section) {
		buf_add(&o, ", \"section\": ", 13);
		buf_json_str(&o, rep.section);
	}
	if (rep.prog_type) {
		buf_add(&o, ", \"prog_type\": ", 15);
		buf_json_str(&o, rep.prog_type);
	}
	buf_printf(&o, ", \"cpu\": %d, \"loaded\": %s", rep.cpu, rep.loaded ? "true" : "false");
	buf_printf(&o, ", \"runs\": %d, \"repeat_mode\": \"loop\"", rep.runs);
	if (rep.ran) {
		buf_printf(&o, ", \"return\": %u, \"returns\": [", rep.returns[rep.runs - 1]);
		for (int i = 0; i < rep.runs; i++)
			buf_printf(&o, "%s%u", i ? ", " : "", rep.returns[i]);
		buf_add(&o, "]", 1);
		if (rep.have_packet_out) {
			buf_add(&o, ", \"packet_out\": ", 16);
			buf_hex(&o, rep.packet_out, rep.packet_out_len);
		}
		if (rep.have_ctx_out) {
			buf_add(&o, ", \"ctx_out\": ", 13);
			buf_hex(&o, rep.ctx_out, rep.ctx_out_len);
		}
	}
	if (rep.loaded) {
		buf_add(&o, ", \"maps\": {", 11);
		if (rep.maps.s)
			buf_add(&o, rep.maps.s, rep.maps.len);
		buf_add(&o, "}", 1);
		if (rep.ringbuf.s) {
			buf_add(&o, ", \"ringbuf\": {", 14);
			buf_add(&o, rep.ringbuf.s, rep.ringbuf.len);
			buf_add(&o, "}", 1);
		}
		if (rep.perf.s) {
			buf_add(&o, ", \"perf_events\": {", 18);
			buf_add(&o, rep.perf.s, rep.perf.len);
			buf_add(&o, "}", 1);
		}
	}
	if (rep.trace_wanted) {
		if (rep.trace_ok) {
			buf_add(&o, ", \"trace\": [", 12);
			if (rep.trace.s)
				buf_add(&o, rep.trace.s, rep.trace.len);
			buf_add(&o, "]", 1);
		} else {
			buf_add(&o, ", \"trace\": null", 15);
		}
	}
	buf_add(&o, ", \"error\": ", 11);
	if (rep.error)
		buf_json_str(&o, rep.error);
	else
		buf_add(&o, "null", 4);
	if (status != 0 && libbpf_log.s) {
		// The verifier log can be long: keep its end, where the reason is.
		const char *l = libbpf_log.s;
		if (libbpf_log.len > 16000)
			l += libbpf_log.len - 16000;
		buf_add(&o, ", \"log\": ", 9);
		buf_json_str(&o, l);
	}
	buf_add(&o, "}\n", 2);
	fputs(o.s, stdout);
	fflush(stdout);
	return status;
}

static bool refused(int err)
{
	err = err < 0 ? -err : err;
	return err == EPERM || err == ENOSYS;
}

// ---------------------------------------------------------------------------------------------
// Map dump.

struct entry {
	unsigned char *key;
	unsigned char *value;
	char *ref; // prog array / map of maps: the name of the program or map in the slot
};

static size_t sort_key_size;

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key, sort_key_size);
}

static bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static bool is_fd_map(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PROG_ARRAY || t == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       t == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static char *name_of_id(enum bpf_map_type t, __u32 id)
{
	char name[64];
	int fd;
	if (t == BPF_MAP_TYPE_PROG_ARRAY) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(name, sizeof(name), "prog id %u", id);
		} else {
			snprintf(name, sizeof(name), "%s", info.name);
		}
	} else {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(name, sizeof(name), "map id %u", id);
		} else {
			snprintf(name, sizeof(name), "%s", info.name);
		}
	}
	if (fd >= 0)
		close(fd);
	return strdup(name);
}

struct ringbuf_ctx {
	struct buf *out;
	int count;
};

static int on_ringbuf_record(void *ctx, void *data, size_t size)
{
	struct ringbuf_ctx *rc = ctx;
	if (rc->count++)
		buf_add(rc->out, ", ", 2);
	buf_hex(rc->out, data, size);
	return 0;
}

static void dump_ringbuf(struct bpf_map *map)
{
	struct buf *o = &rep.ringbuf;
	struct ringbuf_ctx rc = {.out = o};
	if (o->len)
		buf_add(o, ", ", 2);
	buf_json_str(o, bpf_map__name(map));
	buf_add(o, ": [", 3);
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(map), on_ringbuf_record, &rc, NULL);
	if (rb) {
		ring_buffer__consume(rb);
		ring_buffer__free(rb);
	}
	buf_add(o, "]", 1);
}

// Queues and stacks have no keys, and get_next_key answers -EINVAL: the only way to read past
// the next value is to pop. Every value is popped (BPF_MAP_LOOKUP_AND_DELETE_ELEM) in the order
// the map gives them, keyed by its position as a 4-byte big-endian number, so sorting by key
// keeps the pop order. (Bloom filters cannot be read at all: their dump stays empty.)
static void dump_queue(struct bpf_map *map, struct buf *o)
{
	size_t vsize = bpf_map__value_size(map);
	unsigned char *value = calloc(1, vsize);
	for (__u32 i = 0; i < 1000000; i++) {
		if (bpf_map_lookup_and_delete_elem(bpf_map__fd(map), NULL, value))
			break;
		unsigned char pos[4] = {i >> 24, i >> 16, i >> 8, i};
		buf_add(o, i ? ", {\"key\": " : "{\"key\": ", i ? 10 : 8);
		buf_hex(o, pos, 4);
		buf_add(o, ", \"value\": ", 11);
		buf_hex(o, value, vsize);
		buf_add(o, "}", 1);
	}
	buf_add(o, "]", 1);
	free(value);
}

static void dump_map(struct bpf_map *map, int ncpus)
{
	enum bpf_map_type type = bpf_map__type(map);
	int fd = bpf_map__fd(map);
	size_t ksize = bpf_map__key_size(map), vsize = bpf_map__value_size(map);
	size_t stride = (vsize + 7) / 8 * 8;
	bool percpu = is_percpu(type), fdmap = is_fd_map(type);
	size_t vbuf_size = percpu ? stride * ncpus : vsize;
	struct entry *entries = NULL;
	size_t n = 0, cap = 0;
	struct buf *o = &rep.maps;

	if (type == BPF_MAP_TYPE_RINGBUF) {
		dump_ringbuf(map);
		return;
	}
	if (o->len)
		buf_add(o, ", ", 2);
	buf_json_str(o, bpf_map__name(map));
	buf_add(o, ": [", 3);
	if (type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK) {
		dump_queue(map, o);
		return;
	}

	unsigned char *prev = NULL, *key = calloc(1, ksize ? ksize : 1);
	for (;;) {
		if (bpf_map_get_next_key(fd, prev, key))
			break;
		unsigned char *value = calloc(1, vbuf_size ? vbuf_size : 1);
		if (bpf_map_lookup_elem(fd, key, value) == 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				entries = realloc(entries, cap * sizeof(*entries));
			}
			entries[n].key = malloc(ksize ? ksize : 1);
			memcpy(entries[n].key, key, ksize);
			entries[n].value = value;
			entries[n].ref = fdmap ? name_of_id(type, *(__u32 *)value) : NULL;
			n++;
		} else {
			free(value); // an empty slot of a prog array / map of maps, or a racing delete
		}
		if (!prev)
			prev = malloc(ksize ? ksize : 1);
		memcpy(prev, key, ksize);
	}
	sort_key_size = ksize;
	qsort(entries, n, sizeof(*entries), cmp_entry);
	for (size_t i = 0; i < n; i++) {
		buf_add(o, i ? ", {\"key\": " : "{\"key\": ", i ? 10 : 8);
		buf_hex(o, entries[i].key, ksize);
		if (fdmap) {
			const char *field = type == BPF_MAP_TYPE_PROG_ARRAY ? ", \"prog\": " : ", \"map\": ";
			buf_add(o, field, strlen(field));
			buf_json_str(o, entries[i].ref);
		} else if (percpu) {
			buf_add(o, ", \"value\": [", 12);
			for (int c = 0; c < ncpus; c++) {
				if (c)
					buf_add(o, ", ", 2);
				buf_hex(o, entries[i].value + c * stride, vsize);
			}
			buf_add(o, "]", 1);
		} else {
			buf_add(o, ", \"value\": ", 11);
			buf_hex(o, entries[i].value, vsize);
		}
		buf_add(o, "}", 1);
		free(entries[i].key);
		free(entries[i].value);
		free(entries[i].ref);
	}
	buf_add(o, "]", 1);
	free(entries);
	free(prev);
	free(key);
}

// ---------------------------------------------------------------------------------------------
// Perf event readers: libbpf's perf_buffer on every perf event array.

#define MAX_PERF_MAPS 16

struct perf_reader {
	struct perf_buffer *pb;
	struct buf samples; // the body of the map's list
	int count;
	const char *name;
};

static struct perf_reader perf_readers[MAX_PERF_MAPS];
static int nperf_readers;

static void on_perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct perf_reader *r = ctx;
	if (r->count++)
		buf_add(&r->samples, ", ", 2);
	buf_printf(&r->samples, "{\"cpu\": %d, \"data\": ", cpu);
	buf_hex(&r->samples, data, size);
	buf_add(&r->samples, "}", 1);
}

static void on_perf_lost(void *ctx, int cpu, __u64 count)
{
	struct perf_reader *r = ctx;
	if (r->count++)
		buf_add(&r->samples, ", ", 2);
	buf_printf(&r->samples, "{\"cpu\": %d, \"lost\": %llu}", cpu, (unsigned long long)count);
}

// Every perf event array gets a reader slot in the report; with `open`, also its perf buffer.
static int open_perf_readers(struct bpf_object *obj, bool open)
{
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		if (nperf_readers == MAX_PERF_MAPS) {
			set_error("more than %d perf event arrays", MAX_PERF_MAPS);
			return -1;
		}
		struct perf_reader *r = &perf_readers[nperf_readers++];
		r->name = bpf_map__name(map);
		if (!open)
			continue;
		r->pb = perf_buffer__new(bpf_map__fd(map), 8, on_perf_sample, on_perf_lost, r, NULL);
		if (!r->pb) {
			set_error("perf_buffer__new(%s): %s", r->name, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void collect_perf_readers(void)
{
	for (int i = 0; i < nperf_readers; i++) {
		struct perf_reader *r = &perf_readers[i];
		if (r->pb) {
			perf_buffer__consume(r->pb);
			perf_buffer__free(r->pb);
		}
		if (i)
			buf_add(&rep.perf, ", ", 2);
		buf_json_str(&rep.perf, r->name);
		buf_add(&rep.perf, ": [", 3);
		if (r->samples.s)
			buf_add(&rep.perf, r->samples.s, r->samples.len);
		buf_add(&rep.perf, "]", 1);
	}
}

// ---------------------------------------------------------------------------------------------
// --host: cgroups made real under the cgroup v2 mount.

#define MAX_HOST_CGROUPS 64

static struct {
	char root[512];      // where cgroup2 is mounted
	struct {
		unsigned long id;
		char *path;  // "/" or "/a/b", as in the host JSON
		bool made;   // mkdir'ed here: removed at the end
	} cgroups[MAX_HOST_CGROUPS];
	int n;
	char home[512];  // this process's cgroup before the move ("" if it did not move)
} host_cg;

static bool find_cgroup2_root(void)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[256], dir[512], type[64];
	bool found = false;
	if (!f)
		return false;
	while (!found && fscanf(f, "%255s %511s %63s %*[^\n]", dev, dir, type) == 3)
		found = !strcmp(type, "cgroup2");
	fclose(f);
	if (found)
		snprintf(host_cg.root, sizeof(host_cg.root), "%s", dir);
	return found;
}

static const char *host_cgroup_path(unsigned long id)
{
	for (int i = 0; i < host_cg.n; i++)
		if (host_cg.cgroups[i].id == id)
			return host_cg.cgroups[i].path;
	return NULL;
}

// Writes "0" (the writing process) into the cgroup.procs of `path` (relative to the mount).
static int move_self(const char *path)
{
	char file[1100];
	snprintf(file, sizeof(file), "%s%s/cgroup.procs", host_cg.root, strcmp(path, "/") ? path : "");
	int fd = open(file, O_WRONLY);
	if (fd < 0)
		return -errno;
	int err = write(fd, "0", 1) == 1 ? 0 : -errno;
	close(fd);
	return err;
}

static int setup_host(const struct jval *host)
{
	if (host->type != J_OBJ) {
		set_error("--host: not a JSON object");
		return -1;
	}
	for (size_t i = 0; i < host->n; i++) {
		if (strcmp(host->keys[i], "cgroups") && strcmp(host->keys[i], "task")) {
			set_error("--host: \"%s\": only \"cgroups\" and \"task\" (its \"cgroup\") can be made "
				  "real here", host->keys[i]);
			return -1;
		}
	}
	const struct jval *list = jget(host, "cgroups"), *task = jget(host, "task");
	const struct jval *task_cg = task ? jget(task, "cgroup") : NULL;
	if (task && (task->type != J_OBJ || task->n != 1 || !task_cg || task_cg->type != J_NUM)) {
		set_error("--host: \"task\" may only give \"cgroup\" (an id)");
		return -1;
	}
	if (!list)
		return task_cg ? (set_error("--host: \"task.cgroup\" needs the \"cgroups\" list"), -1) : 0;
	if (list->type != J_ARR || list->n > MAX_HOST_CGROUPS) {
		set_error("--host: \"cgroups\" must be a list of at most %d", MAX_HOST_CGROUPS);
		return -1;
	}
	if (!find_cgroup2_root()) {
		set_error("--host: no cgroup2 file system is mounted, so the case's cgroups cannot be made");
		return -1;
	}
	for (size_t i = 0; i < list->n; i++) {
		const struct jval *id = jget(&list->items[i], "id"), *path = jget(&list->items[i], "path");
		if (!id || id->type != J_NUM || !path || path->type != J_STR || path->str[0] != '/' ||
		    strstr(path->str, "..")) {
			set_error("--host: cgroups[%zu] needs an \"id\" and an absolute \"path\"", i);
			return -1;
		}
		host_cg.cgroups[host_cg.n].id = (unsigned long)id->num;
		host_cg.cgroups[host_cg.n].path = path->str;
		host_cg.n++;
		if (!strcmp(path->str, "/"))
			continue;
		char dir[1100];
		snprintf(dir, sizeof(dir), "%s%s", host_cg.root, path->str);
		if (mkdir(dir, 0755) == 0)
			host_cg.cgroups[host_cg.n - 1].made = true;
		else if (errno != EEXIST) {
			set_error("--host: mkdir %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	if (!task_cg)
		return 0;
	const char *to = host_cgroup_path((unsigned long)task_cg->num);
	if (!to) {
		set_error("--host: task.cgroup %lu is not in \"cgroups\"", (unsigned long)task_cg->num);
		return -1;
	}
	// "0::/path" in /proc/self/cgroup: where to come back to.
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(host_cg.home, sizeof(host_cg.home), "%s", line + 3);
	}
	if (f)
		fclose(f);
	if (!host_cg.home[0]) {
		set_error("--host: this process's cgroup v2 is not in /proc/self/cgroup");
		return -1;
	}
	int err = move_self(to);
	if (err) {
		host_cg.home[0] = 0;
		set_error("--host: cannot move into %s: %s", to, strerror(-err));
		return -1;
	}
	return 0;
}

// Moves back and removes the cgroups setup_host made, children first.
static void teardown_host(void)
{
	if (host_cg.home[0])
		move_self(host_cg.home);
	for (int i = host_cg.n - 1; i >= 0; i--) {
		if (!host_cg.cgroups[i].made)
			continue;
		char dir[1100];
		snprintf(dir, sizeof(dir), "%s%s", host_cg.root, host_cg.cgroups[i].path);
		rmdir(dir);
	}
}

// A CGROUP_ARRAY value from --map-init: a host cgroup id (u32) -> an fd of its directory, for
// the update (the map keeps a reference to the cgroup; the fd is closed after it).
static int cgroup_value_fd(const unsigned char *value, size_t len)
{
	__u32 id;
	if (len != sizeof(id))
		return -EINVAL;
	memcpy(&id, value, sizeof(id));
	const char *path = host_cgroup_path(id);
	if (!path)
		return -ENOENT;
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s%s", host_cg.root, strcmp(path, "/") ? path : "");
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	return fd < 0 ? -errno : fd;
}

// ---------------------------------------------------------------------------------------------
// --map-init

static bool is_global_data(struct bpf_map *map)
{
	return bpf_map__is_internal(map);
}

// Fills *out with the value bytes for map, from a hex string or (per-CPU maps) an array of
// hex strings, one per CPU; a single string for a per-CPU map is copied to every CPU.
static bool map_init_value(struct bpf_map *map, const struct jval *v, int ncpus,
			   unsigned char **out, size_t *out_len)
{
	size_t vsize = bpf_map__value_size(map), stride = (vsize + 7) / 8 * 8;
	bool percpu = is_percpu(bpf_map__type(map));
	size_t total = percpu ? stride * ncpus : vsize;
	unsigned char *buf = calloc(1, total), *bytes;
	long len;

	for (int c = 0; c < (percpu ? ncpus : 1); c++) {
		const struct jval *item = v;
		if (v->type == J_ARR) {
			if (!percpu || (size_t)c >= v->n) {
				free(buf);
				return false;
			}
			item = &v->items[c];
		}
		if (item->type != J_STR || (len = parse_hex(item->str, &bytes)) < 0 ||
		    (size_t)len != vsize) {
			free(buf);
			return false;
		}
		memcpy(buf + (percpu ? c * stride : 0), bytes, vsize);
		free(bytes);
	}
	*out = buf;
	*out_len = total;
	return true;
}

// before_load: apply the global-data maps' entries; otherwise the others'.
// A user ring buffer's records, written in order as user space writes them (the "key" is
// ignored; the "value" is the record, of any length). The ring stays in the kernel after
// user_ring_buffer__free, which only unmaps this process's view.
static int write_user_ringbuf(struct bpf_map *map, const char *name, const struct jval *list)
{
	struct user_ring_buffer *rb = user_ring_buffer__new(bpf_map__fd(map), NULL);
	if (!rb) {
		set_error("--map-init: '%s': user_ring_buffer__new: %s", name, strerror(errno));
		return -1;
	}
	for (size_t j = 0; j < list->n; j++) {
		const struct jval *v = jget(&list->items[j], "value");
		unsigned char *record;
		long len;
		if (!v || v->type != J_STR || (len = parse_hex(v->str, &record)) < 0) {
			set_error("--map-init: '%s' record %zu: value must be hex", name, j);
			user_ring_buffer__free(rb);
			return -1;
		}
		void *sample = user_ring_buffer__reserve(rb, (__u32)len);
		if (!sample) {
			set_error("--map-init: '%s' record %zu: %s", name, j, strerror(errno));
			free(record);
			user_ring_buffer__free(rb);
			return -1;
		}
		memcpy(sample, record, len);
		user_ring_buffer__submit(rb, sample);
		free(record);
	}
	user_ring_buffer__free(rb);
	return 0;
}

static int apply_map_init(struct bpf_object *obj, const struct jval *init, bool before_load,
			  int ncpus)
{
	for (size_t i = 0; i < init->n; i++) {
		const char *name = init->keys[i];
		const struct jval *list = &init->items[i];
		struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
		if (!map) {
			set_error("--map-init: no map named '%s' in the object", name);
			return -1;
		}
		if (is_global_data(map) != before_load)
			continue;
		if (list->type != J_ARR) {
			set_error("--map-init: '%s' must be a list of {\"key\", \"value\"}", name);
			return -1;
		}
		if (bpf_map__type(map) == BPF_MAP_TYPE_USER_RINGBUF) {
			if (write_user_ringbuf(map, name, list))
				return -1;
			continue;
		}
		for (size_t j = 0; j < list->n; j++) {
			const struct jval *k = jget(&list->items[j], "key");
			const struct jval *v = jget(&list->items[j], "value");
			unsigned char *key, *value;
			size_t vlen;
			long klen;
			if (!k || !v || k->type != J_STR || (klen = parse_hex(k->str, &key)) < 0 ||
			    (size_t)klen != bpf_map__key_size(map)) {
				set_error("--map-init: '%s' entry %zu: key must be %u bytes of hex", name,
					  j, bpf_map__key_size(map));
				return -1;
			}
			if (!map_init_value(map, v, ncpus, &value, &vlen)) {
				set_error("--map-init: '%s' entry %zu: value must be %u bytes of hex%s",
					  name, j, bpf_map__value_size(map),
					  is_percpu(bpf_map__type(map)) ? " (or one such per CPU)" : "");
				return -1;
			}
			int err;
			if (before_load) {
				if (*(__u32 *)key != 0) {
					set_error("--map-init: '%s' has only key 00000000", name);
					return -1;
				}
				err = bpf_map__set_initial_value(map, value, vlen);
			} else if (bpf_map__type(map) == BPF_MAP_TYPE_CGROUP_ARRAY) {
				int fd = cgroup_value_fd(value, vlen);
				if (fd == -ENOENT) {
					set_error("--map-init: '%s' entry %zu: no cgroup with that id in --host",
						  name, j);
					return -1;
				}
				err = fd < 0 ? fd
					: bpf_map_update_elem(bpf_map__fd(map), key, &fd, BPF_ANY) ? -errno : 0;
				if (fd >= 0)
					close(fd);
			} else {
				// Keyless maps (queue, stack, bloom filter) take a NULL key: the
				// kernel refuses a key pointer for a key_size of 0.
				err = bpf_map_update_elem(bpf_map__fd(map), klen ? key : NULL, value,
							  BPF_ANY)
					      ? -errno
					      : 0;
			}
			free(key);
			free(value);
			if (err) {
				set_error("--map-init: '%s' entry %zu: %s", name, j, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

// ---------------------------------------------------------------------------------------------
// The trace buffer (for bpf_printk).

static const char *trace_dir(void)
{
	static const char *dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (access(path, R_OK | W_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

static bool trace_clear(void)
{
	const char *dir = trace_dir();
	char path[128];
	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/trace", dir);
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void trace_collect(void)
{
	const char *dir = trace_dir();
	char path[128], line[4096];
	static const char tag[] = "bpf_trace_printk: ";
	int count = 0;
	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/trace", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		char *m = strstr(line, tag);
		if (!m)
			continue;
		m += sizeof(tag) - 1;
		size_t l = strlen(m);
		if (l && m[l - 1] == '\n')
			m[--l] = 0;
		if (count++)
			buf_add(&rep.trace, ", ", 2);
		buf_json_str(&rep.trace, m);
	}
	fclose(f);
	rep.trace_ok = true;
}

// ---------------------------------------------------------------------------------------------

static int usage(void)
{
	fprintf(stderr,
		"usage: kernel_run OBJ PROGRAM [--packet HEX]... [--ctx HEX] [--repeat N]\n"
		"                  [--map-init JSON] [--trace] [--cpu N] [--no-perf-readers]\n"
		"                  [--host JSON]\n");
	return 1;
}

static bool skb_type(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT ||
	       t == BPF_PROG_TYPE_SOCKET_FILTER || t == BPF_PROG_TYPE_CGROUP_SKB ||
	       t == BPF_PROG_TYPE_LWT_IN || t == BPF_PROG_TYPE_LWT_OUT ||
	       t == BPF_PROG_TYPE_LWT_XMIT;
}

int main(int argc, char **argv)
{
	const char *obj_path, *prog_name, *map_init_text = NULL, *host_text = NULL;
	unsigned char *packets[MAX_PACKETS], *ctx = NULL;
	long packet_len[MAX_PACKETS], ctx_len = 0;
	int npackets = 0, repeat = 1, cpu = 0;
	bool perf_wanted = true;
	struct jval map_init = {.type = J_OBJ}, host = {.type = J_OBJ};

	if (argc < 3)
		return usage();
	obj_path = argv[1];
	prog_name = argv[2];
	rep.program = prog_name;
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--trace")) {
			rep.trace_wanted = true;
			continue;
		}
		if (!strcmp(a, "--no-perf-readers")) {
			perf_wanted = false;
			continue;
		}
		if (i + 1 >= argc)
			return usage();
		const char *v = argv[++i];
		if (!strcmp(a, "--packet")) {
			if (npackets == MAX_PACKETS) {
				set_error("too many --packet (at most %d)", MAX_PACKETS);
				return finish(1);
			}
			if ((packet_len[npackets] = parse_hex(v, &packets[npackets])) < 0) {
				set_error("--packet: not hex: %s", v);
				return finish(1);
			}
			npackets++;
		} else if (!strcmp(a, "--ctx")) {
			if ((ctx_len = parse_hex(v, &ctx)) < 0) {
				set_error("--ctx: not hex: %s", v);
				return finish(1);
			}
		} else if (!strcmp(a, "--repeat")) {
			repeat = atoi(v);
			if (repeat < 1 || repeat > 1000000) {
				set_error("--repeat: must be 1..1000000");
				return finish(1);
			}
		} else if (!strcmp(a, "--cpu")) {
			cpu = atoi(v);
		} else if (!strcmp(a, "--map-init")) {
			map_init_text = v;
		} else if (!strcmp(a, "--host")) {
			host_text = v;
		} else {
			return usage();
		}
	}
	rep.cpu = cpu;

	if (host_text) {
		struct jparser jp = {.p = host_text};
		if (!jparse(&jp, &host)) {
			set_error("--host: bad JSON (%s) near: %.30s", jp.err, jp.p);
			return finish(1);
		}
	}
	// Before the load, so the object's fds are numbered as in a fresh process; undone at exit.
	if (setup_host(&host)) {
		teardown_host();
		return finish(1);
	}
	atexit(teardown_host);

	if (map_init_text) {
		struct jparser jp = {.p = map_init_text};
		if (!jparse(&jp, &map_init) || map_init.type != J_OBJ) {
			set_error("--map-init: bad JSON (%s) near: %.30s",
				  jp.err ? jp.err : "expected an object", jp.p);
			return finish(1);
		}
	}

	// Per-CPU maps and bpf_get_smp_processor_id() depend on the CPU a test run is on:
	// BPF_PROG_TEST_RUN runs the program on the calling thread's CPU.
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		set_error("sched_setaffinity(CPU %d): %s", cpu, strerror(errno));
		return finish(1);
	}

	libbpf_set_print(log_libbpf);

	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	long err;
	if (!obj) {
		set_error("cannot open %s: %s", obj_path, strerror(errno));
		return finish(1);
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, prog_name);
	if (!prog) {
		struct buf names = {0};
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj) {
			if (names.len)
				buf_add(&names, ", ", 2);
			buf_add(&names, bpf_program__name(p), strlen(bpf_program__name(p)));
		}
		set_error("no program '%s' in %s (it has: %s)", prog_name, obj_path,
			  names.s ? names.s : "none");
		return finish(1);
	}
	enum bpf_prog_type ptype = bpf_program__type(prog);
	rep.section = bpf_program__section_name(prog);
	rep.prog_type = libbpf_bpf_prog_type_str(ptype);
	// Debian 12's libbpf (1.1) predates SEC("netfilter") (libbpf 1.2) and its 6.1 headers the
	// type's numbers: set what a newer libbpf sets.
	if (ptype == BPF_PROG_TYPE_UNSPEC && strcmp(rep.section, "netfilter") == 0) {
		const enum bpf_prog_type netfilter = (enum bpf_prog_type)32;      // BPF_PROG_TYPE_NETFILTER
		const enum bpf_attach_type nf_attach = (enum bpf_attach_type)45;  // BPF_NETFILTER
		bpf_program__set_type(prog, netfilter);
		bpf_program__set_expected_attach_type(prog, nf_attach);
		ptype = netfilter;
		rep.prog_type = "netfilter";
	}

	int ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		set_error("cannot count the possible CPUs");
		return finish(1);
	}
	if (apply_map_init(obj, &map_init, true, ncpus))
		return finish(1);

	err = bpf_object__load(obj);
	if (err) {
		if (refused((int)err)) {
			set_error("bpf(2) refused: %s", strerror((int)-err));
			return finish(77);
		}
		set_error("the kernel refused to load %s: %s", obj_path, strerror((int)-err));
		return finish(1);
	}
	rep.loaded = true;
	if (apply_map_init(obj, &map_init, false, ncpus))
		return finish(1);
	if (open_perf_readers(obj, perf_wanted))
		return finish(1);

	// The runs: the packet sequence, `repeat` times, each one BPF_PROG_TEST_RUN call.
	int prog_fd = bpf_program__fd(prog);
	int total = (npackets ? npackets : 1) * repeat;
	unsigned char *data_out = malloc(DATA_OUT_MAX), *ctx_out = calloc(1, CTX_OUT_MAX);
	// bpf_prog_test_run_nf copies no ctx_out back (and a ctx_out alone would make it read a
	// zeroed nf_hook_state: -EINVAL): ask for none.
	bool want_ctx_out = (ctx || skb_type(ptype)) && ptype != (enum bpf_prog_type)32;
	// BPF_PROG_TEST_RUN of a syscall program (bpf_prog_test_run_syscall) refuses repeat,
	// ctx_out, data_in and data_out with -EINVAL: the program changes ctx_in in place, and
	// the kernel copies it back there. Each run gets a fresh copy of --ctx, as other types do.
	bool syscall_prog = ptype == BPF_PROG_TYPE_SYSCALL;
	unsigned char *ctx_io = syscall_prog && ctx_len ? malloc(ctx_len) : NULL;
	int status = 0;

	bool trace_ready = rep.trace_wanted && trace_clear(); // if not: "trace": null
	rep.returns = calloc(total, sizeof(*rep.returns));
	for (int r = 0; r < total; r++) {
		int pi = npackets ? r % npackets : -1;
		LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = syscall_prog ? 0 : 1);
		if (pi >= 0) {
			opts.data_in = packets[pi];
			opts.data_size_in = (__u32)packet_len[pi];
			opts.data_out = data_out;
			opts.data_size_out = DATA_OUT_MAX;
		}
		if (ctx) {
			opts.ctx_in = ctx;
			opts.ctx_size_in = (__u32)ctx_len;
		}
		if (ctx_io) {
			memcpy(ctx_io, ctx, ctx_len);
			opts.ctx_in = ctx_io;
		}
		if (want_ctx_out && !syscall_prog) {
			memset(ctx_out, 0, CTX_OUT_MAX);
			opts.ctx_out = ctx_out;
			opts.ctx_size_out = ctx ? (__u32)ctx_len
				: (skb_type(ptype) ? sizeof(struct __sk_buff) : CTX_OUT_MAX);
		}
		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			int e = errno;
			if (refused(e)) {
				set_error("bpf(2) refused: BPF_PROG_TEST_RUN: %s", strerror(e));
				status = 77;
			} else if (e == KERNEL_ENOTSUPP || e == EOPNOTSUPP) {
				set_error("BPF_PROG_TEST_RUN is not supported for %s programs (errno %d)",
					  rep.prog_type, e);
				status = 2;
			} else {
				set_error("BPF_PROG_TEST_RUN failed on run %d: %s (errno %d)", r + 1,
					  strerror(e), e);
				status = 2;
			}
			rep.runs = r;
			break;
		}
		rep.returns[r] = opts.retval;
		rep.runs = r + 1;
		/* A BPF timer a run armed for "now" fires in softirq right after the run returns:
		 * give it that moment, so its callback's effects belong to this run (bpfplay fires
		 * due timers after each run). */
		usleep(2000);
		if (pi >= 0) {
			rep.have_packet_out = true;
			rep.packet_out = data_out;
			rep.packet_out_len = opts.data_size_out;
		}
		if (want_ctx_out && ctx_io) {
			rep.have_ctx_out = true;
			rep.ctx_out = ctx_io;
			rep.ctx_out_len = (__u32)ctx_len;
		} else if (want_ctx_out && !syscall_prog) {
			rep.have_ctx_out = true;
			rep.ctx_out = ctx_out;
			rep.ctx_out_len = opts.ctx_size_out;
		}
	}
	rep.ran = rep.runs > 0 && status == 0;
	if (trace_ready)
		trace_collect();
	collect_perf_readers();

	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) dump_map(map, ncpus);
	return finish(status);
}
