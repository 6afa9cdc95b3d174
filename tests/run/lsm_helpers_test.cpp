// bpf_bprm_opts_set, bpf_ima_inode_hash, bpf_ima_file_hash and bpf_sock_from_file (core/run/
// lsm_helpers.cpp) on the default host's kernel objects. Expected values follow
// kernel/bpf/bpf_lsm.c, security/integrity/ima/ima_main.c (__ima_inode_hash) and net/socket.c
// (sock_from_file) of Linux 6.18; digests are those of Python's hashlib for the same bytes.
#include <doctest/doctest.h>

#include <cstring>

#include "core/btf/builtin_target_btf.hpp"
#include "core/hex.hpp"
#include "core/host/host_json.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "run/asm_session.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {
namespace {

constexpr int64_t kEINVAL = -22, kEOPNOTSUPP = -95;
constexpr uint64_t kHashAlgoSha1 = 2, kHashAlgoSha256 = 4;  // enum hash_algo
// SHA-256 and SHA-1 of the default executable content (HostIma::default_exe_content).
constexpr std::string_view kExeSha256 = "a39d25cb7a121d4dd3dfe48784a3545bb05bc0e9f083ef91d24dcf810625064d";
constexpr std::string_view kExeSha1 = "18421c15a8527838203905458459f7b436adcfa8";

uint64_t off(std::string_view type, std::string_view path) {
    KernelObjectWriter w(builtin_target_btf(), 0x1000);
    const uint64_t a = w.allocate(type);
    const auto f = w.field_address(a, type, path);
    REQUIRE(f);
    return *f - a;
}

std::string n(uint64_t v) { return std::to_string(v); }

RunResult run_ok(ObjectSession& s) {
    RunInput in;
    const RunResult r = s.run("asm", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r;
}

// An LSM program on a bprm hook: r1 = bprm->file (or its f_inode with `inode`), the helper
// `id` writes `size` bytes at out[0..], its r0 goes to out[40]. out starts all 0xff.
std::unique_ptr<ObjectSession> hash_prog(int id, uint32_t size, bool inode,
                                         std::string_view section = "lsm.s/bprm_committed_creds") {
    std::string text = "r7 = *(u64 *)(r1 + 0)\nr6 = {out.value} ll\n"
                       "r2 = -1\n*(u64 *)(r6 + 0) = r2\n*(u64 *)(r6 + 8) = r2\n*(u64 *)(r6 + 16) = r2\n"
                       "*(u64 *)(r6 + 24) = r2\n"
                       "r1 = *(u64 *)(r7 + " + n(off("linux_binprm", "file")) + ")\n";
    if (inode) text += "r1 = *(u64 *)(r1 + " + n(off("file", "f_inode")) + ")\n";
    text += "r2 = r6\nr3 = " + n(size) + "\ncall " + n(uint64_t(id)) + "\n*(u64 *)(r6 + 40) = r0\nr0 = 0\nexit\n";
    return open_asm(text, {array_spec("out", 48)}, section);
}

std::string digest_hex(const std::vector<uint8_t>& v, size_t len) {
    return hex_bytes(std::span<const uint8_t>(v.data(), len));
}

}  // namespace

TEST_CASE("bpf_ima_file_hash: the SHA-256 of the executable's content, algorithm 4, without any IMA policy") {
    auto s = hash_prog(193, 32, false);
    run_ok(*s);
    const auto v = out_value(*s);
    CHECK(u64_at(v, 40) == kHashAlgoSha256);
    CHECK(digest_hex(v, 32) == kExeSha256);
}

TEST_CASE("bpf_ima_file_hash copies min(32, size) bytes: the rest of dst is left as it was") {
    auto s = hash_prog(193, 10, false);
    run_ok(*s);
    const auto v = out_value(*s);
    CHECK(u64_at(v, 40) == kHashAlgoSha256);
    CHECK(digest_hex(v, 10) == kExeSha256.substr(0, 20));
    CHECK(v[10] == 0xff);
    CHECK(u64_at(v, 24) == ~0ull);
}

TEST_CASE("bpf_ima_file_hash with ima_hash=sha1 and other content (host JSON ima)") {
    auto s = hash_prog(193, 32, false);
    s->host().ima.hash_algo = HostIma::Algo::Sha1;
    run_ok(*s);
    auto v = out_value(*s);
    CHECK(u64_at(v, 40) == kHashAlgoSha1);
    CHECK(digest_hex(v, 20) == kExeSha1);
    CHECK(v[20] == 0xff);  // a SHA-1 digest is 20 bytes: the rest stays
    s->host().ima.hash_algo = HostIma::Algo::Sha256;
    s->host().ima.exe_content = {'h', 'e', 'l', 'l', 'o'};
    run_ok(*s);
    v = out_value(*s);
    CHECK(digest_hex(v, 32) == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

TEST_CASE("bpf_ima_inode_hash: -EOPNOTSUPP until a policy measured the executable, then its digest") {
    auto s = hash_prog(161, 32, true);
    run_ok(*s);
    auto v = out_value(*s);
    CHECK(int64_t(u64_at(v, 40)) == kEOPNOTSUPP);
    CHECK(u64_at(v, 0) == ~0ull);  // nothing copied
    s->host().ima.measured = true;
    run_ok(*s);
    v = out_value(*s);
    CHECK(u64_at(v, 40) == kHashAlgoSha256);
    CHECK(digest_hex(v, 32) == kExeSha256);
    // The executable's dentry has the same inode (d_inode and f_inode agree): its digest.
    const std::string exe_file = "call 158\nr1 = *(u64 *)(r0 + " + n(off("task_struct", "mm")) +
                                 ")\nr1 = *(u64 *)(r1 + " + n(off("mm_struct", "exe_file")) + ")\n";
    const std::string tail = "r2 = r6\nr3 = 8\ncall 161\n*(u64 *)(r6 + 40) = r0\nr0 = 0\nexit\n";
    auto dentry = open_asm("r6 = {out.value} ll\n" + exe_file + "r1 = *(u64 *)(r1 + " +
                               n(off("file", "f_path.dentry")) + ")\nr1 = *(u64 *)(r1 + " +
                               n(off("dentry", "d_inode")) + ")\n" + tail,
                           {array_spec("out", 48)}, "lsm.s/file_open");
    dentry->host().ima.measured = true;
    run_ok(*dentry);
    v = out_value(*dentry);
    CHECK(u64_at(v, 40) == kHashAlgoSha256);
    CHECK(digest_hex(v, 8) == kExeSha256.substr(0, 16));
    // libc's inode (a mapped file's vm_file->f_inode) was measured by no rule.
    const Host host;
    uint32_t libc = 0;
    while (libc < host.vmas.size() && host.vmas[libc].file.find("libc") == std::string::npos) ++libc;
    REQUIRE(libc < host.vmas.size());
    auto other = open_asm("r6 = {out.value} ll\nr1 = " + n(vma_address(libc)) + " ll\nr1 = *(u64 *)(r1 + " +
                              n(off("vm_area_struct", "vm_file")) + ")\nr1 = *(u64 *)(r1 + " +
                              n(off("file", "f_inode")) + ")\n" + tail,
                          {array_spec("out", 48)}, "lsm.s/file_open");
    other->host().ima.measured = true;
    run_ok(*other);
    CHECK(int64_t(u64_at(out_value(*other), 40)) == kEOPNOTSUPP);
}

TEST_CASE("IMA helpers at load: not allowed outside a sleepable hook, might sleep outside a sleepable program") {
    for (int id : {161, 193}) {
        CAPTURE(id);
        const std::string text = "r1 = 0\nr2 = r10\nr2 += -8\nr3 = 8\ncall " + n(uint64_t(id)) + "\nexit\n";
        auto not_sleepable = ObjectSession::open_assembly(text, "lsm/file_open");
        REQUIRE_FALSE(not_sleepable.ok());
        CHECK(not_sleepable.error().kind == ErrorKind::Verify);
        CHECK(not_sleepable.error().what == "helper call might sleep in a non-sleepable prog");
        CHECK(not_sleepable.error().where.pc == 4);
        // socket_sock_rcv_skb is not in sleepable_lsm_hooks: allowed() refuses first.
        auto hook = ObjectSession::open_assembly(text, "lsm/socket_sock_rcv_skb");
        REQUIRE_FALSE(hook.ok());
        CHECK(hook.error().what == "helper call is not allowed in probe");
        CHECK(ObjectSession::open_assembly(text, "lsm.s/file_open").ok());
        // Other program types may not call them at all.
        auto tracing = ObjectSession::open_assembly(text, "fentry.s/security_file_open");
        REQUIRE_FALSE(tracing.ok());
        CHECK(tracing.error().what.starts_with("program of type tracing cannot use helper bpf_ima_"));
    }
}

TEST_CASE("bpf_bprm_opts_set sets and clears bprm->secureexec in the emulated linux_binprm") {
    // secureexec's byte and bit, from the BTF's member bit offset.
    const Btf& btf = builtin_target_btf();
    uint32_t bit_offset = 0;
    for (const BtfMember& m : btf.members(*btf.find_by_name("linux_binprm", BtfKind::Struct)))
        if (btf.string_at(m.name_off) == "secureexec") bit_offset = m.bit_offset;
    REQUIRE(bit_offset != 0);
    const std::string byte = n(bit_offset / 8);
    // out[0] = r0 of flags 1, out[8] = the byte after; out[16] = r0 of flags 0, out[24] the byte;
    // out[32] = r0 of flags 3 (-EINVAL), out[40] the byte (unchanged by the refused call).
    auto s = open_asm("r7 = *(u64 *)(r1 + 0)\nr6 = {out.value} ll\n"
                      "r1 = r7\nr2 = 1\ncall 159\n*(u64 *)(r6 + 0) = r0\n"
                      "r1 = *(u8 *)(r7 + " + byte + ")\n*(u64 *)(r6 + 8) = r1\n"
                      "r1 = r7\nr2 = 0\ncall 159\n*(u64 *)(r6 + 16) = r0\n"
                      "r1 = *(u8 *)(r7 + " + byte + ")\n*(u64 *)(r6 + 24) = r1\n"
                      "r1 = r7\nr2 = 1\ncall 159\nr1 = r7\nr2 = 3\ncall 159\n*(u64 *)(r6 + 32) = r0\n"
                      "r1 = *(u8 *)(r7 + " + byte + ")\n*(u64 *)(r6 + 40) = r1\nr0 = 0\nexit\n",
                      {array_spec("out", 48)}, "lsm/bprm_check_security");
    const RunResult r = run_ok(*s);
    const auto v = out_value(*s);
    const uint64_t mask = 1u << (bit_offset % 8);
    CHECK(u64_at(v, 0) == 0);
    CHECK(u64_at(v, 8) == mask);
    CHECK(u64_at(v, 16) == 0);
    CHECK(u64_at(v, 24) == 0);
    CHECK(int64_t(u64_at(v, 32)) == kEINVAL);
    CHECK(u64_at(v, 40) == mask);
    REQUIRE(r.host_events.size() == 3);
    CHECK(r.host_events[0].helper == "bpf_bprm_opts_set");
    CHECK(r.host_events[0].text.starts_with("bprm->secureexec = 1 for /usr/bin/bpfplay-demo: "));
    CHECK(r.host_events[1].text == "bprm->secureexec = 0 for /usr/bin/bpfplay-demo");
    // Each run starts from the kernel's objects afresh: the bit is clear again.
    const RunResult again = run_ok(*s);
    CHECK(again.host_events.size() == 3);
}

TEST_CASE("bpf_sock_from_file: a socket's file gives its struct socket, whose sk is the socket; a regular file NULL") {
    const Host host;
    const uint32_t count = uint32_t(host.net.sockets.size());
    REQUIRE(count == 3);
    const uint64_t sk = socket_object_address(1, count);  // the established TCP connection
    // out[0] = sock_from_file(sk->sk_socket->file), out[8] = its ->sk, out[16] = its ->state,
    // out[24] = its ->type, out[32] = sock_from_file(current->mm->exe_file).
    auto s = open_asm("r6 = {out.value} ll\nr1 = " + n(sk) + " ll\nr1 = *(u64 *)(r1 + " + n(off("sock", "sk_socket")) +
                          ")\nr1 = *(u64 *)(r1 + " + n(off("socket", "file")) + ")\ncall 162\n*(u64 *)(r6 + 0) = r0\n"
                          "if r0 == 0 goto +6\nr1 = *(u64 *)(r0 + " + n(off("socket", "sk")) + ")\n*(u64 *)(r6 + 8) = r1\n"
                          "r1 = *(u32 *)(r0 + " + n(off("socket", "state")) + ")\n*(u64 *)(r6 + 16) = r1\n"
                          "r1 = *(u16 *)(r0 + " + n(off("socket", "type")) + ")\n*(u64 *)(r6 + 24) = r1\n"
                          "call 158\nr1 = *(u64 *)(r0 + " + n(off("task_struct", "mm")) + ")\nr1 = *(u64 *)(r1 + " +
                          n(off("mm_struct", "exe_file")) + ")\ncall 162\n*(u64 *)(r6 + 32) = r0\nr0 = 0\nexit\n",
                      {array_spec("out", 48)}, "fentry/sock_sendmsg");
    run_ok(*s);
    const auto v = out_value(*s);
    CHECK(u64_at(v, 0) == socket_struct_address(1, count));
    CHECK(u64_at(v, 8) == sk);
    CHECK(u64_at(v, 16) == 3);  // SS_CONNECTED
    CHECK(u64_at(v, 24) == 1);  // SOCK_STREAM
    CHECK(u64_at(v, 32) == 0);
}

TEST_CASE("hook arguments: a struct socket * and a struct inode * point at the emulated kernel's objects") {
    const Host host;
    // socket_connect(struct socket *sock, struct sockaddr *address, int addrlen): socket 0's
    // struct socket, whose file gives it back through bpf_sock_from_file.
    auto s = open_asm("r6 = {out.value} ll\nr1 = *(u64 *)(r1 + 0)\n*(u64 *)(r6 + 0) = r1\nr1 = *(u64 *)(r1 + " +
                          n(off("socket", "file")) + ")\ncall 162\n*(u64 *)(r6 + 8) = r0\nr0 = 0\nexit\n",
                      {array_spec("out", 16)}, "lsm/socket_connect");
    run_ok(*s);
    auto v = out_value(*s);
    CHECK(u64_at(v, 0) == socket_struct_address(0, 3));
    CHECK(u64_at(v, 8) == socket_struct_address(0, 3));
    // inode_unlink(struct inode *dir, struct dentry *dentry): the executable's inode.
    auto i = open_asm("r6 = {out.value} ll\nr1 = *(u64 *)(r1 + 0)\n*(u64 *)(r6 + 0) = r1\nr0 = 0\nexit\n",
                      {array_spec("out", 16)}, "lsm/inode_unlink");
    run_ok(*i);
    CHECK(u64_at(out_value(*i), 0) == kernel_object_addresses(host).exe_inode);
    CHECK(kernel_object_addresses(host).exe_inode != 0);
}

TEST_CASE("bpf_ima_file_hash of a file whose content bpfplay does not model, bpf_sock_from_file of a non-file: errors") {
    const Host host;
    uint32_t libc = 0;
    while (libc < host.vmas.size() && host.vmas[libc].file.find("libc") == std::string::npos) ++libc;
    REQUIRE(libc < host.vmas.size());
    auto s = open_asm("r6 = {out.value} ll\nr1 = " + n(vma_address(libc)) + " ll\nr1 = *(u64 *)(r1 + " +
                          n(off("vm_area_struct", "vm_file")) + ")\nr2 = r6\nr3 = 32\ncall 193\nexit\n",
                      {array_spec("out", 48)}, "lsm.s/file_open");
    RunInput in;
    RunResult r = s->run("asm", in);
    REQUIRE(r.error);
    CHECK(r.error->what.starts_with("bpf_ima_file_hash: r1 = 0x"));
    CHECK(r.error->what.ends_with(" is not the current task's executable, the one file whose content bpfplay models "
                                  "(host JSON ima.exe_content)"));
    auto bad = open_asm("r1 = 0x7fff0000 ll\ncall 162\nexit\n", {array_spec("out", 8)}, "fentry/do_sys_openat2");
    r = bad->run("asm", in);
    REQUIRE(r.error);
    CHECK(r.error->what == "bpf_sock_from_file: r1 = 0x7fff0000 is not a struct file the emulated kernel has");
}

TEST_CASE("kernel objects: sockets' struct socket and file are laid out without BTF errors") {
    const Host host;
    std::vector<std::string> errors;
    build_socket_objects(host.net.sockets, &errors);
    CHECK(errors.empty());
    build_kernel_objects(host, &errors);
    CHECK(errors.empty());
}

TEST_CASE("host JSON ima: read, written back only when changed, and checked") {
    Host h;
    CHECK(host_json(h).find("\"ima\"") == std::string::npos);
    REQUIRE(apply_host_json(h, R"({"ima": {"hash_algo": "sha1", "measured": true, "exe_content": "68656c6c6f"}})").ok());
    CHECK(h.ima.hash_algo == HostIma::Algo::Sha1);
    CHECK(h.ima.measured);
    CHECK(h.ima.exe_content == std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o'});
    CHECK(host_json(h).find(R"("ima": {"hash_algo": "sha1", "measured": true, "exe_content": "68656c6c6f"})") !=
          std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)).ok());
    CHECK(back.ima == h.ima);
    auto error_of = [](std::string_view json) {
        Host x;
        auto r = apply_host_json(x, json);
        REQUIRE_FALSE(r.ok());
        CHECK(x.ima == HostIma{});
        return r.error().what;
    };
    CHECK(error_of(R"({"ima": {"hash_algo": "md5"}})") ==
          "host JSON: ima.hash_algo: expected \"sha256\" or \"sha1\" (the ima_hash= algorithms bpfplay computes)");
    CHECK(error_of(R"({"ima": {"exe_content": "7f4"}})") == "host JSON: ima.exe_content: expected the executable's bytes in hex");
    CHECK(error_of(R"({"ima": {"policy": 1}})") ==
          "host JSON: ima: unknown member \"policy\" (known: hash_algo, measured, exe_content)");
}

namespace {

std::vector<uint8_t> map_entry0(ObjectSession& s, const char* name) {
    Map* m = s.object().maps->find(name);
    REQUIRE(m);
    std::vector<uint8_t> key(4, 0), value(m->value_size());
    REQUIRE(m->lookup_user(key, value) == 0);
    return value;
}

RunResult run_program(ObjectSession& s, const char* program) {
    RunInput in;
    const RunResult r = s.run(program, in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0);
    return r;
}

}  // namespace

TEST_CASE("examples/lsm_exec_guard.c: the executable's digest, then a secure exec") {
    auto s = test::open_object("public/examples/lsm_exec_guard.o");
    run_program(*s, "measure_exec");
    auto h = map_entry0(*s, "exec_hashes");  // struct exec_hash { u8 digest[32]; long algo; }
    REQUIRE(h.size() == 40);
    CHECK(digest_hex(h, 32) == kExeSha256);
    CHECK(u64_at(h, 32) == kHashAlgoSha256);
    s->host().ima.hash_algo = HostIma::Algo::Sha1;
    run_program(*s, "measure_exec");
    h = map_entry0(*s, "exec_hashes");
    CHECK(digest_hex(h, 20) == kExeSha1);
    CHECK(u64_at(h, 32) == kHashAlgoSha1);
    // struct exec_flags { u32 before; u32 after; long opts_ret; }: the digest is not the trusted
    // one (de ad be ef ...), so the exec is made secure.
    const RunResult r = run_program(*s, "secure_exec");
    const auto f = map_entry0(*s, "exec_flags");
    CHECK(u64_at(f, 0) == (uint64_t(1) << 32));  // before 0, after 1
    CHECK(u64_at(f, 8) == 0);
    REQUIRE(r.host_events.size() == 1);
    CHECK(r.host_events[0].text.starts_with("bprm->secureexec = 1 for /usr/bin/bpfplay-demo"));
}

}  // namespace bpfplay::testing
