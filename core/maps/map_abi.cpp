#include "core/maps/map_abi.hpp"

namespace bpfplay {

std::string errno_name(int64_t e) {
    switch (e) {
    case -kerrno::kEPERM: return "-EPERM";
    case -kerrno::kENOENT: return "-ENOENT";
    case -kerrno::kE2BIG: return "-E2BIG";
    case -kerrno::kEBADF: return "-EBADF";
    case -kerrno::kEAGAIN: return "-EAGAIN";
    case -kerrno::kENOMEM: return "-ENOMEM";
    case -kerrno::kEACCES: return "-EACCES";
    case -kerrno::kEFAULT: return "-EFAULT";
    case -kerrno::kEBUSY: return "-EBUSY";
    case -kerrno::kEEXIST: return "-EEXIST";
    case -kerrno::kEINVAL: return "-EINVAL";
    case -kerrno::kENOSPC: return "-ENOSPC";
    case -kerrno::kERANGE: return "-ERANGE";
    case -kerrno::kEOVERFLOW: return "-EOVERFLOW";
    case -kerrno::kEDEADLK: return "-EDEADLK";
    case -kerrno::kEOPNOTSUPP: return "-EOPNOTSUPP";
    case -kerrno::kENOTSUPP: return "-ENOTSUPP";
    case -kerrno::kEBADMSG: return "-EBADMSG";
    case -kerrno::kENETUNREACH: return "-ENETUNREACH";
    case -kerrno::kEHOSTUNREACH: return "-EHOSTUNREACH";
    default: return std::to_string(e);
    }
}

}  // namespace bpfplay
