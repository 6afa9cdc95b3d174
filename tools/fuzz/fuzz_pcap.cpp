// libFuzzer target: pcap capture files (bpfvm run --pcap FILE) as arbitrary bytes. read_pcap
// treats the file as hostile: it must return the packets or an error saying why, and every
// packet it returns must be as long as its record said and no longer than kPcapMaxPacket.
// Seeds: small captures written by tools/fuzz/make_seeds.py (both byte orders, micro- and
// nanosecond magics, a snapped packet, a cut record).
#include <cstddef>
#include <cstdint>

#include "cli/pcap.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay::cli;
    auto file = read_pcap({data, size}, "fuzz.pcap");
    if (!file.ok()) {
        if (file.error().what.empty()) __builtin_trap();  // every refusal must say why
        return 0;
    }
    if (file->packets.empty()) __builtin_trap();  // "no packets" is an error, not an empty file
    for (const PcapPacket& p : file->packets)
        if (p.bytes.size() > kPcapMaxPacket) __builtin_trap();
    // Asking for the first packet only gives that packet.
    auto first = read_pcap({data, size}, "fuzz.pcap", 1);
    if (!first.ok() || first->packets.size() != 1 || first->packets[0].bytes != file->packets[0].bytes)
        __builtin_trap();
    return 0;
}
