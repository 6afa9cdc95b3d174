"""One object of tools/survey/survey.sh: a tab-separated line per program (see survey.sh).

Reads its inputs from the environment survey.sh sets: LABEL, REL (the source's path), OBJ, BPFVM,
PACKET (hex, for the packet program types), KERNEL_OUT (kload's lines: "NAME ok [r0=N]",
"NAME refused: ...", "NAME libbpf: ...", "NAME not-allowed: EPERM") and KERNEL_ASKED ("1" when
kload ran). Where the kernel ran the program on the packet too, RUN says whether r0 agrees.
"""
import json
import os
import subprocess

# The program types that take a packet (BPF_PROG_TEST_RUN's data_in); the others run on their
# default context.
PACKET_TYPES = {"xdp", "tc", "sched_cls", "sched_act", "socket_filter", "cgroup_skb", "lwt_in", "lwt_out",
                "lwt_xmit", "lwt_seg6local", "sk_skb", "flow_dissector"}


def bpfvm(*args):
    out = subprocess.run([os.environ["BPFVM"], *args], capture_output=True, text=True, timeout=60)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"error": {"message": (out.stderr.strip().splitlines() or ["no output"])[-1]}}


def one_line(text, limit=160):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main():
    label, rel, obj = os.environ["LABEL"], os.environ["REL"], os.environ["OBJ"]
    kernel = {}
    for line in os.environ.get("KERNEL_OUT", "").splitlines():
        name, _, verdict = line.partition(" ")
        kernel[name] = verdict
    kernel_asked = os.environ.get("KERNEL_ASKED") == "1"

    info = bpfvm("info", obj, "--json")
    programs = info.get("programs", [])
    if not programs:
        why = info.get("error", {}).get("message") or "; ".join(info.get("errors", [])) or "no programs"
        print(f"{label}/{rel}\t*\t-\t-\trefused: {one_line(why)}\t-\t-\t{kernel.get('*', '-')}")
        return
    checks = {p["program"]: p for p in bpfvm("verify", obj, "--json").get("programs", [])}
    object_error = info.get("error", {}).get("message") if info.get("loads") is False else None
    for p in programs:
        name = p["name"]
        why = object_error or p.get("status", "?")
        load = "ok" if p.get("runnable") else "refused: " + one_line(why.removeprefix("cannot run: "))
        run = "-"
        if p.get("runnable"):
            args = ["run", obj, "--program", name, "--json"]
            if p.get("type") in PACKET_TYPES:
                args += ["--packet-hex", os.environ["PACKET"]]
            r = bpfvm(*args)
            if "error" in r:
                run = "stop: " + one_line(r["error"].get("message", "?"))
            else:
                run = f"exit rc={r.get('return')} insns={r.get('instructions')}"
                k_r0 = kernel.get(name, "").partition("r0=")[2]
                if k_r0:
                    run += " (kernel: same r0)" if k_r0 == str(r.get("return")) else f" (kernel: r0={k_r0})"
        c = checks.get(name, {})
        check = c.get("verdict", "-")
        if check != "accept" and c.get("message"):
            check += f": insn {c.get('insn')}: {one_line(c['message'], 100)}"
        k = kernel.get(name, "-" if not kernel_asked else "?")
        print(f"{label}/{rel}\t{name}\t{p.get('section', '-')}\t{p.get('type', '-')}\t{load}\t{run}\t{check}\t{one_line(k)}")


main()
