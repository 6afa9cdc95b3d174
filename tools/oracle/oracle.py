#!/usr/bin/env python3
"""The kernel as a differential oracle for bpfplay.

  oracle.py campaign [--start S] [--count N] [--batch B] [--shrink K]
      Generate programs for seeds S..S+N-1 (tools/oracle/bpfgen.py), run each in this machine's
      kernel (BPF_PROG_LOAD + BPF_PROG_TEST_RUN through bpf(2): tools/oracle/kernel_bpf.py) and
      in bpfplay (build/tests/test_examples with BPFPLAY_ORACLE_CASES), compare r0, the packet
      out and both maps; shrink the first K differences to small programs and print them.
  oracle.py record [--count N] [--out FILE]
      The first N kernel-accepted seeds with the kernel's results: tests/examples/oracle_corpus.json,
      which test_examples replays in bpfplay without the kernel (CI).
  oracle.py show NAME
      Disassemble program NAME: seedN (a campaign's) or smallN (the corpus's).
campaign and record need root (bpf(2)) and exit 77 where it is refused. Build test_examples first.
(The generated objects have a legacy SEC("maps") map, which libbpf 1.x refuses, so the kernel side
loads the programs itself, linked as libbpf links them; before the hash map was added, 1,000
programs gave the same results through build/kernel_run.)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpfgen  # noqa: E402
import kernel_bpf  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# ORACLE_TEST_EXAMPLES: a copy of the binary, so a long campaign survives rebuilds.
TEST_EXAMPLES = os.environ.get("ORACLE_TEST_EXAMPLES", os.path.join(ROOT, "build", "tests", "test_examples"))
WORK = tempfile.mkdtemp(prefix="oracle_")


KERNEL = None  # the kernel_bpf.Kernel that loads and runs programs through bpf(2)


def kernel(prog):
    """The kernel's result for prog and its object, or (None, object) if the verifier refuses
    it (the log in kernel.refusal)."""
    result, kernel.refusal = KERNEL.run(prog)
    return result, bpfgen.elf_object(prog)


def case(name, prog, elf, result):
    return {"name": name, "program": "prog", "object_hex": elf.hex(), "packet": prog["packet"].hex(),
            "repeat": 1, "kernel": result}


def emulate(cases):
    """{name: (equal?, first difference)} from bpfplay's run of the cases."""
    path = os.path.join(WORK, "cases.json")
    with open(path, "w") as f:
        json.dump({"cases": cases}, f)
    env = dict(os.environ, BPFPLAY_ORACLE_CASES=path)
    proc = subprocess.run([TEST_EXAMPLES, "--test-case=oracle:*"], capture_output=True, text=True, env=env)
    out = {}
    for line in proc.stdout.splitlines():
        if line.startswith("ORACLE "):
            _, name, verdict, *why = line.split(" ", 3)
            out[name] = (verdict == "equal", why[0] if why else "")
    for c in cases:  # a crash leaves cases without a verdict: they differ
        out.setdefault(c["name"], (False, "no verdict (test_examples exit %d): %s" % (proc.returncode, proc.stderr[-300:])))
    return out


# ---- shrinking: delete items while the kernel accepts and bpfplay still differs ----
def variants(items):
    """Every items list with one item removed or one block replaced by its contents."""
    for i, it in enumerate(items):
        yield items[:i] + items[i + 1:]
        if it[0] == "if":
            yield items[:i] + it[2] + it[3] + items[i + 1:]
            for sub in variants(it[2]):
                yield items[:i] + [(it[0], it[1], sub, it[3])] + items[i + 1:]
            for sub in variants(it[3]):
                yield items[:i] + [(it[0], it[1], it[2], sub)] + items[i + 1:]
        elif it[0] == "loop":
            yield items[:i] + it[2] + items[i + 1:]
            for sub in variants(it[2]):
                yield items[:i] + [(it[0], it[1], sub)] + items[i + 1:]
        elif it[0] == "insns" and len(it[1]) > 1:
            pass


def candidates(prog):
    for body in variants(prog["body"]):
        yield dict(prog, body=body)
    for n, sub in enumerate(prog["subprogs"]):
        for v in variants(sub):
            subs = list(prog["subprogs"])
            subs[n] = v
            yield dict(prog, subprogs=subs)


def shrink(prog, budget_s=120):
    deadline = time.time() + budget_s
    why = ""
    while time.time() < deadline:
        batch = []
        for n, cand in enumerate(candidates(prog)):
            result, elf = kernel(cand)
            if result is not None:
                batch.append((cand, case(f"c{n}", cand, elf, result)))
            if len(batch) >= 40:
                break
        verdicts = emulate([c for _, c in batch])
        smaller = next(((p, verdicts[c["name"]][1]) for p, c in batch if not verdicts[c["name"]][0]), None)
        if smaller is None:
            break
        prog, why = smaller
    return prog, why


def describe(prog):
    elf = bpfgen.elf_object(prog)
    path = os.path.join(WORK, "repro.o")
    with open(path, "wb") as f:
        f.write(elf)
    dis = subprocess.run(["llvm-objdump", "-d", "-r", path], capture_output=True, text=True).stdout
    return dis + "packet: " + prog["packet"].hex() + "\n"


def campaign(args):
    stats = {"generated": 0, "refused": 0, "compared": 0, "equal": 0, "differs": 0}
    kinds, refusals, diffs = set(), {}, []
    t0 = time.time()
    for start in range(args.start, args.start + args.count, args.batch):
        progs, cases = {}, []
        for seed in range(start, min(start + args.batch, args.start + args.count)):
            prog = bpfgen.generate(seed)
            stats["generated"] += 1
            result, elf = kernel(prog)
            if result is None:
                stats["refused"] += 1
                first = next((ln for ln in kernel.refusal.splitlines()[::-1] if ln.strip()), "?")
                refusals.setdefault(first, seed)
                continue
            kinds |= bpfgen.kinds(prog)
            progs[f"seed{seed}"] = prog
            cases.append(case(f"seed{seed}", prog, elf, result))
        for name, (same, why) in emulate(cases).items():
            stats["compared"] += 1
            if same:
                stats["equal"] += 1
                continue
            stats["differs"] += 1
            print(f"DIFFERENCE {name}: {why}", flush=True)
            if len(diffs) < args.shrink:
                small, small_why = shrink(progs[name])
                diffs.append(name)
                print(f"--- {name} shrunk ({small_why}):\n{describe(small)}", flush=True)
        print(f"[{time.time() - t0:.0f}s] {stats}", flush=True)
    print("instruction kinds covered (%d): %s" % (len(kinds), " ".join(sorted(kinds))))
    if refusals:
        print("kernel refusals (last log line: first seed):")
        for line, seed in list(refusals.items())[:20]:
            print(f"  seed {seed}: {line}")
    print(json.dumps(stats))


def small(seed):
    """The corpus's programs: half the campaign's size, for a smaller file."""
    return bpfgen.generate(seed, size=bpfgen.Gen(seed).size // 2)


def by_name(name):
    """"seed12" (a campaign's program) or "small12" (the corpus's)."""
    if name.startswith("small"):
        return small(int(name[5:]))
    return bpfgen.generate(int(name.removeprefix("seed")))


def record(args):
    cases, seed = [], 0
    while len(cases) < args.count:
        prog = small(seed)
        result, elf = kernel(prog)
        if result is not None:
            for key in ("log", "cpu", "section", "runs", "repeat_mode", "error"):
                result.pop(key, None)
            cases.append(case(f"small{seed}", prog, elf, result))
        seed += 1
    with open(args.out, "w") as f:
        f.write('{"generated_by": "tools/oracle/oracle.py record", "kernel_release": "%s",\n "cases": [\n'
                % os.uname().release)
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {args.out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("campaign")
    c.add_argument("--start", type=int, default=0)
    c.add_argument("--count", type=int, default=1000)
    c.add_argument("--batch", type=int, default=500)
    c.add_argument("--shrink", type=int, default=10, help="shrink at most this many differences")
    r = sub.add_parser("record")
    r.add_argument("--count", type=int, default=100)
    r.add_argument("--out", default=os.path.join(ROOT, "tests", "examples", "oracle_corpus.json"))
    s = sub.add_parser("show")
    s.add_argument("name", help="seedN (campaign) or smallN (corpus)")
    args = ap.parse_args()
    if args.cmd in ("campaign", "record"):
        global KERNEL
        try:
            KERNEL = kernel_bpf.Kernel()
        except PermissionError as e:
            print(f"oracle: the kernel refuses bpf(2) here (root needed): {e}", file=sys.stderr)
            sys.exit(77)
    if args.cmd == "campaign":
        campaign(args)
    elif args.cmd == "record":
        record(args)
    else:
        print(describe(by_name(args.name)))


if __name__ == "__main__":
    main()
