#pragma once
// Where the host's socket cookies start, for the default sockets, a socket in host JSON without
// a cookie and the page's new socket: never a value that looks like a small counter or index.
#include <cstdint>

namespace bpfplay {

constexpr uint64_t kFirstSocketCookie = 4097;

}  // namespace bpfplay
