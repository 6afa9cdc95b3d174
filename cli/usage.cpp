#include <cstdio>
#include <string>
#include <string_view>

#include "cli/commands.hpp"

namespace bpfplay::cli {

namespace {

const char kUsage[] =
        "usage: bpfvm COMMAND [ARGS]\n"
        "\n"
        "Commands:\n"
        "  run FILE [--mem HEX] [--budget N] [--time-limit SECONDS] [--trace] [--plugin-helpers]\n"
        "      Run a program with r1 = the memory, r2 = its length; print r0 and the\n"
        "      number of instructions executed. --trace prints each instruction first.\n"
        "      --budget (instructions, default 1000000, at most 10^9) and --time-limit\n"
        "      (wall-clock seconds for the whole command, default 60) stop a runaway run.\n"
        "  run OBJECT.o [--program NAME] [--packet HEXFILE | --packet-hex HEX |\n"
        "               --pcap FILE] [--ctx HEX] [--arg NAME=VALUE] [--cpu N]\n"
        "               [--repeat N] [--map-init FILE.json] [--map-size NAME=N]\n"
        "               [--host FILE.json] [--prog-type PROGRAM=TYPE] [--budget N]\n"
        "               [--time-limit SECONDS] [--advance-ns N] [--json] [--trace]\n"
        "               [--iter-map NAME] [--traced PROGRAM|TYPE]\n"
        "               [--scenario default|FILE.json]\n"
        "      Load a compiled BPF object and run one of its programs on a packet, as\n"
        "      BPF_PROG_TEST_RUN does; print the return value, printk output and every\n"
        "      map. --pcap runs each packet of the capture in turn (a line lists every\n"
        "      run's return value, then the last run is reported in full).\n"
        "      --repeat runs it N times on the same maps; --map-init fills maps\n"
        "      first ({\"map\": [{\"key\": HEX, \"value\": HEX}]}); --host sets the emulated\n"
        "      host (devices, sockets, ingress device, task); --map-size sets a map's\n"
        "      max_entries before load, --prog-type a program's type (as tc or xdp-loader\n"
        "      set it for a section of any name); --json prints one object.\n"
        "      BPF timers that come due fire after each run (\"fired:\" lines);\n"
        "      --advance-ns moves the virtual clock on by N ns afterwards, firing the rest.\n"
        "      --trace prints each instruction before it runs.\n"
        "      A host with a \"tcp_flow\" script and an object with a tcp_congestion_ops\n"
        "      struct_ops map: the run plays the script (ACK rounds, losses, ECE marks)\n"
        "      through its members in the kernel's order, printing snd_cwnd, snd_ssthresh\n"
        "      and the CA state per step (examples/tcp_ca_flow.json).\n"
        "      fentry/fexit/fmod_ret/lsm/tp_btf/raw_tp programs get their attach point's\n"
        "      arguments by name (the \"context\" lines), kprobes in the pt_regs registers\n"
        "      the prototype puts them in, tracepoints (SEC(\"tp/sched/sched_switch\")) the\n"
        "      event's record by field (its tracefs format); --arg NAME=VALUE sets one\n"
        "      (a record's string in double quotes: --arg 'filename=\"/usr/bin/curl\"').\n"
        "      An fentry/fexit on a BPF program (xdpdump's SEC(\"fentry/func\")) gets its\n"
        "      kernel context (struct xdp_buff *, struct sk_buff *) over the packet: --traced\n"
        "      names that program in the object (an fexit then gets its verdict as ret)\n"
        "      or a type (xdp, tc); by default the type the object's BTF suggests.\n"
        "      An iterator (SEC(\"iter/task\"), iter/task_file, iter/task_vma, iter/tcp,\n"
        "      iter/bpf_map_elem) runs as reading its file would: each call (seq_num,\n"
        "      element) and the seq_printf/seq_write output are printed; --iter-map names\n"
        "      bpf_map_elem's map; the host JSON's open_files, vmas and sockets are what\n"
        "      task_file, task_vma and tcp walk.\n"
        "      --scenario plays host events (a process execs, opens a file, is switched\n"
        "      out and woken, exits) through every program attached to them\n"
        "      (tp/sched/sched_process_exec, tp/syscalls/sys_enter_openat,\n"
        "      kprobe/do_sys_openat2, tp_btf/sched_switch ...: README.md lists them),\n"
        "      in order, printing each run and the ring buffer records it sent, as\n"
        "      the tool's user space would see them ({\"events\": [{\"exec\":\n"
        "      \"/usr/bin/ls\"}, {\"open\": \"/etc/passwd\"}, {\"exit\": 4243}]}).\n"
        "  debug OBJECT.o [--program NAME] [--packet HEXFILE | --packet-hex HEX |\n"
        "                 --pcap FILE] [--ctx HEX] [--arg NAME=VALUE] [--cpu N]\n"
        "                 [--map-init FILE.json] [--map-size NAME=N]\n"
        "                 [--prog-type PROGRAM=TYPE] [--host FILE.json] [--budget N]\n"
        "                 [--traced PROGRAM|TYPE] [--batch FILE] [--json]\n"
        "      Debug one run as gdb would: si/ni/s/n/finish/c, reverse-stepi/-step/-continue,\n"
        "      break, watch, info registers, bt, x/16xb r10-16, print, maps, list, disas.\n"
        "      Commands come from --batch FILE or stdin (\"help\" lists them); --json\n"
        "      answers each with one JSON line.\n"
        "  info OBJECT.o [--map-size NAME=N] [--prog-type PROGRAM=TYPE] [--json]\n"
        "      List an object's programs (each runnable, or why it cannot run), maps and\n"
        "      sections; --json prints one object even when the object does not load.\n"
        "  helpers [NAME|ID] [--json]\n"
        "      The kernel's 211 helpers: id, name, arguments, return, GPL only, the program\n"
        "      types that may call each, and whether bpfplay implements it; with NAME\n"
        "      (bpf_map_lookup_elem, map_lookup_elem) or ID, one helper with its documentation.\n"
        "  kfuncs [NAME]\n"
        "      The kernel's 209 kfuncs (Linux 6.18, tcp_dctcp's too): declaration, flags, and\n"
        "      whether bpfplay runs each; with NAME, one kfunc and the program types that\n"
        "      may call it.\n"
        "  verify OBJECT.o [--program NAME] [--json] [--bench]\n"
        "      Whether the kernel's verifier would accept each program: accept, refuse\n"
        "      (the instruction, the kernel's message, why, a fix, the C line, the path\n"
        "      and the registers the checker inferred before its last instructions)\n"
        "      or cannot tell. Exit 0: all accepted; 1: one refused; 2: cannot tell or\n"
        "      bad input. --bench prints the checker's time per program on stderr.\n"
        "  disasm FILE [--bytes] [--program NAME]\n"
        "      Print the program as llvm-objdump would; for an ELF object, each of its\n"
        "      programs (or the one --program names) as linked, under its name.\n"
        "  asm FILE [-o OUT.bin]\n"
        "      Assemble; print the bytes as hex (one instruction a line) or write OUT.bin.\n"
        "  plugin [MEM] [--program HEX]\n"
        "      The bpf_conformance plugin interface: program as hex in --program or on\n"
        "      the first line of stdin; prints r0 in hex.\n"
        "\n"
        "FILE is assembly text, hex bytes, or raw bytecode (a .bin file); the content decides.\n"
        "OBJECT.o is an ELF file from clang -O2 -g -target bpf -c prog.c.\n"
        "HEX is bytes as hex digits, spaces optional: \"01 02 ff\" or \"0102ff\".\n";

}  // namespace

void print_usage(bool to_stderr) {
    std::fputs(kUsage, to_stderr ? stderr : stdout);
}

bool print_command_usage(std::string_view command) {
    // The command's entries of the whole usage ("  run FILE ..." and the lines indented under
    // it; run has two), then the notes on FILE, OBJECT.o and HEX that close the usage.
    const std::string_view all = kUsage;
    std::string out;
    bool inside = false;
    for (size_t pos = 0; pos < all.size();) {
        const size_t end = all.find('\n', pos);
        const std::string_view line = all.substr(pos, end - pos + 1);
        pos = end + 1;
        const bool entry = line.starts_with("  ") && !line.starts_with("   ");
        if (entry) inside = line.substr(2).starts_with(std::string(command) + " ") || line.substr(2) == std::string(command) + "\n";
        else if (!line.starts_with("   ")) inside = false;
        if (inside) out += line;
    }
    if (out.empty()) return false;
    std::fputs(("usage: bpfvm " + std::string(command) + " ...\n" + out + "\n" +
                std::string(all.substr(all.find("FILE is assembly")))).c_str(), stdout);
    return true;
}

} // namespace bpfplay::cli
