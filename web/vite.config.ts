// The playground: web/ is the Vite root, public/ (the bundled example objects) is copied as is,
// the site is built into dist/ at the repository root. The Emscripten module (bpfplay.mjs +
// bpfplay.wasm) is built by wasm-bindings/ into build-wasm/wasm-bindings/ and imported through
// the "@bpfplay/wasm" alias, so generated files never land in the source tree.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const wasmDir = process.env['BPFPLAY_WASM_DIR'] ?? here('../build-wasm/wasm-bindings');
// The C editor's compile service (tools/compile_service/server.mjs, started by
// tools/playground.sh): the page asks ./api/compile, vite preview (and the dev server) pass it on.
// The Host header is passed as the browser sent it (no changeOrigin): the service checks it.
const compileService = `http://127.0.0.1:${process.env['BPFPLAY_COMPILE_PORT'] ?? '8089'}`;
const apiProxy = { '/api': { target: compileService, changeOrigin: false } };

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: here('../public'),
  cacheDir: here('../node_modules/.vite'),  // not web/node_modules: keep web/ source only
  resolve: { alias: { '@bpfplay/wasm': wasmDir } },
  build: { outDir: here('../dist'), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { fs: { allow: [here('..'), wasmDir] }, proxy: apiProxy },
  preview: { proxy: apiProxy },
  test: { include: ['src/**/*.test.ts'], root: here('.') },
});
