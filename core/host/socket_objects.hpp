#pragma once
// The host's sockets as the kernel's own objects, laid out by the built-in vmlinux BTF (Linux
// 6.18's offsets): what the bpf_skc_to_* casts return. In the kernel the cast returns the
// same pointer it was given, typed by BTF; here socket i's struct bpf_sock view and its kernel
// object are different addresses in window::kSockets, after the n struct bpf_sock and the n
// struct bpf_tcp_sock (kernel_objects.hpp), one fixed-size slot per socket:
//
//   TCP, full, IPv4       struct tcp_sock           TCP in TIME_WAIT     struct tcp_timewait_sock
//   TCP, full, IPv6       struct tcp6_sock          TCP in NEW_SYN_RECV  struct tcp_request_sock
//   UDP, IPv4             struct udp_sock           UDP, IPv6            struct udp6_sock
//
// Written: struct sock_common (family, state, ports, addresses, bound device, cookie), for full
// sockets struct sock (protocol, type, mark, priority, uid), inet_sock's source address and port
// and pinet6 (pointing at the object's own ipv6_pinfo), and tcp_sock's counters (HostSocket::tcp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfplay {

struct HostSocket;

// sk_state as the kernel has it: a TCP socket's state; a UDP one is TCP_ESTABLISHED once
// connected (ip4_datagram_connect / ip6_datagram_connect), else TCP_CLOSE. The host lists UDP
// sockets without a state, so one with a remote port counts as connected.
uint8_t kernel_sk_state(const HostSocket& s);
// The BTF struct socket `s` is in the kernel ("tcp6_sock", "udp_sock", ...).
const char* socket_object_type(const HostSocket& s);
// The distance between two sockets' objects: sizeof(struct tcp6_sock), the largest, rounded to 8.
uint32_t socket_object_stride();
// Where socket i's object is, of `count` sockets.
uint64_t socket_object_address(uint32_t index, uint32_t count);
// The socket whose object starts at `addr`, if one does.
std::optional<uint32_t> socket_object_index(uint64_t addr, uint32_t count);
// After the n objects, each socket's struct socket and the struct file it is open as (the
// file a socket(2) descriptor refers to): socket->sk is the object above, socket->file the
// file, file->private_data the struct socket and file->f_op &socket_file_ops; the object's
// sk_socket points back at the struct socket, so sk->sk_socket->file reaches the file.
// &socket_file_ops in the emulated kernel (a data symbol: kallsyms lists none, as the kernel
// without CONFIG_KALLSYMS_ALL): what bpf_sock_from_file compares file->f_op with.
inline constexpr uint64_t kSocketFileOps = 0xffffffff82c4d1c0ull;
// sizeof(struct socket) + sizeof(struct file), each rounded up to 8: one socket's pair.
uint32_t socket_file_pair_stride();
uint64_t socket_struct_address(uint32_t index, uint32_t count);
uint64_t socket_file_address(uint32_t index, uint32_t count);
// The objects of all sockets, from socket_object_address(0, n) on (paths the BTF lacks go to
// `errors`: a bug, which a test checks there is none of).
std::vector<uint8_t> build_socket_objects(const std::vector<HostSocket>& sockets,
                                          std::vector<std::string>* errors = nullptr);

}  // namespace bpfplay
