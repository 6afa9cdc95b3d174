// The one file of core/fastrun that knows Emscripten: instantiates a translated module in the
// page's WebAssembly runtime with the page's own memory, so the module reaches the Vm's
// regions and the state block by their addresses.
#include "core/fastrun/fast_run.hpp"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// Instances live in a JS array; a module's handle is its index there.
EM_JS(int, bpfplay_fastrun_instantiate, (const uint8_t* bytes, uint32_t len), {
    try {
        const mod = new WebAssembly.Module(HEAPU8.slice(bytes, bytes + len));
        const inst = new WebAssembly.Instance(mod, {env : {memory : wasmMemory}});
        if (!Module.bpfplayFastrun) Module.bpfplayFastrun = [];
        Module.bpfplayFastrun.push(inst.exports.run);
        return Module.bpfplayFastrun.length - 1;
    } catch (e) {
        return -1;
    }
});
EM_JS(uint32_t, bpfplay_fastrun_enter, (int handle, uint8_t* state, uint32_t block),
      { return Module.bpfplayFastrun[handle](state, block) >>> 0; });
EM_JS(void, bpfplay_fastrun_release, (int handle), { Module.bpfplayFastrun[handle] = null; });

namespace bpfplay {
namespace {
class WasmFastEngine final : public FastEngine {
public:
    explicit WasmFastEngine(int handle) : handle_(handle) {}
    ~WasmFastEngine() override { bpfplay_fastrun_release(handle_); }
    uint32_t enter(uint8_t* state, uint32_t block) override { return bpfplay_fastrun_enter(handle_, state, block); }

private:
    int handle_;
};
}  // namespace

std::unique_ptr<FastEngine> make_wasm_engine(const FastModule& module) {
    const int handle = bpfplay_fastrun_instantiate(module.bytes.data(), uint32_t(module.bytes.size()));
    if (handle < 0) return nullptr;
    return std::make_unique<WasmFastEngine>(handle);
}
}  // namespace bpfplay

#else

namespace bpfplay {
std::unique_ptr<FastEngine> make_wasm_engine(const FastModule&) { return nullptr; }
}  // namespace bpfplay

#endif
