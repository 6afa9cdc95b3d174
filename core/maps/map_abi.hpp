#pragma once
// The numbers of the kernel's BPF map ABI that the map model uses: map types, flags and errno
// values. They are spelled out here (not taken from <linux/bpf.h>) because the browser build
// has no Linux headers; tests/maps checks them against the uapi header on Linux.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfplay {

// enum bpf_map_type, with the kernel's numbers.
enum class MapType : uint32_t {
    Unspec = 0,
    Hash = 1,
    Array = 2,
    ProgArray = 3,
    PerfEventArray = 4,
    PercpuHash = 5,
    PercpuArray = 6,
    StackTrace = 7,
    CgroupArray = 8,
    LruHash = 9,
    LruPercpuHash = 10,
    LpmTrie = 11,
    ArrayOfMaps = 12,
    HashOfMaps = 13,
    Devmap = 14,
    Sockmap = 15,
    Cpumap = 16,
    Xskmap = 17,
    Sockhash = 18,
    CgroupStorage = 19,
    ReuseportSockarray = 20,
    PercpuCgroupStorage = 21,
    Queue = 22,
    Stack = 23,
    SkStorage = 24,
    DevmapHash = 25,
    StructOps = 26,
    Ringbuf = 27,
    InodeStorage = 28,
    TaskStorage = 29,
    BloomFilter = 30,
    UserRingbuf = 31,
    CgrpStorage = 32,
    Arena = 33,
};

// libbpf's / bpftool's name ("hash", "lru_percpu_hash", ...); "unknown" past the last type.
// These three read the map type table (map_types.hpp).
const char* map_type_name(MapType t);
std::optional<MapType> map_type_from_name(std::string_view name);
// True for the types bpfplay implements.
bool map_type_supported(MapType t);

// Update flags (BPF_MAP_UPDATE_ELEM / bpf_map_update_elem).
namespace map_update {
constexpr uint64_t kAny = 0;      // BPF_ANY: create or replace
constexpr uint64_t kNoExist = 1;  // BPF_NOEXIST: create only
constexpr uint64_t kExist = 2;    // BPF_EXIST: replace only
constexpr uint64_t kLock = 4;     // BPF_F_LOCK: copy under the value's bpf_spin_lock
}  // namespace map_update

// A ring buffer record's 8-byte header (kernel/bpf/ringbuf.c): its length, with these two bits.
namespace ringbuf_hdr {
constexpr uint32_t kHeaderSize = 8;         // BPF_RINGBUF_HDR_SZ
constexpr uint32_t kBusyBit = 1u << 31;     // BPF_RINGBUF_BUSY_BIT
constexpr uint32_t kDiscardBit = 1u << 30;  // BPF_RINGBUF_DISCARD_BIT
}  // namespace ringbuf_hdr

// map_flags at creation (BPF_MAP_CREATE).
namespace map_flag {
constexpr uint32_t kNoPrealloc = 1u << 0;     // BPF_F_NO_PREALLOC
constexpr uint32_t kNoCommonLru = 1u << 1;    // BPF_F_NO_COMMON_LRU
constexpr uint32_t kNumaNode = 1u << 2;       // BPF_F_NUMA_NODE
constexpr uint32_t kRdonly = 1u << 3;         // BPF_F_RDONLY: userspace may not write
constexpr uint32_t kWronly = 1u << 4;         // BPF_F_WRONLY: userspace may not read
constexpr uint32_t kStackBuildId = 1u << 5;   // BPF_F_STACK_BUILD_ID
constexpr uint32_t kZeroSeed = 1u << 6;       // BPF_F_ZERO_SEED
constexpr uint32_t kRdonlyProg = 1u << 7;     // BPF_F_RDONLY_PROG: programs may not write
constexpr uint32_t kWronlyProg = 1u << 8;     // BPF_F_WRONLY_PROG: programs may not read
constexpr uint32_t kClone = 1u << 9;          // BPF_F_CLONE
constexpr uint32_t kMmapable = 1u << 10;      // BPF_F_MMAPABLE
constexpr uint32_t kPreserveElems = 1u << 11; // BPF_F_PRESERVE_ELEMS
constexpr uint32_t kInnerMap = 1u << 12;      // BPF_F_INNER_MAP
constexpr uint32_t kAccessMask = kRdonly | kRdonlyProg | kWronly | kWronlyProg;  // BPF_F_ACCESS_MASK
}  // namespace map_flag

// Kernel errno values (positive; operations return them negated). ENOTSUPP is the kernel's
// internal 524, which the BPF syscall does leak to userspace.
namespace kerrno {
constexpr int64_t kEPERM = 1;
constexpr int64_t kENOENT = 2;
constexpr int64_t kE2BIG = 7;
constexpr int64_t kEBADF = 9;
constexpr int64_t kEAGAIN = 11;
constexpr int64_t kENOMEM = 12;
constexpr int64_t kEACCES = 13;
constexpr int64_t kEFAULT = 14;
constexpr int64_t kEBUSY = 16;
constexpr int64_t kEEXIST = 17;
constexpr int64_t kENODEV = 19;
constexpr int64_t kEINVAL = 22;
constexpr int64_t kENOSPC = 28;
constexpr int64_t kERANGE = 34;
constexpr int64_t kEDEADLK = 35;
constexpr int64_t kENOMSG = 42;
constexpr int64_t kEPROTO = 71;
constexpr int64_t kEBADMSG = 74;
constexpr int64_t kEOVERFLOW = 75;
constexpr int64_t kEBADFD = 77;
constexpr int64_t kEPROTOTYPE = 91;
constexpr int64_t kENOPROTOOPT = 92;
constexpr int64_t kEPROTONOSUPPORT = 93;
constexpr int64_t kEOPNOTSUPP = 95;
constexpr int64_t kEAFNOSUPPORT = 97;
constexpr int64_t kEADDRNOTAVAIL = 99;
constexpr int64_t kENETUNREACH = 101;
constexpr int64_t kEHOSTUNREACH = 113;
constexpr int64_t kEINPROGRESS = 115;
constexpr int64_t kENOTSUPP = 524;
}  // namespace kerrno

// "-ENOENT" for -2, "-22" for an errno without a name here.
std::string errno_name(int64_t negative_errno);

}  // namespace bpfplay
