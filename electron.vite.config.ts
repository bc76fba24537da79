import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Three bundles, as in the electron-vite templates, plus the engine process as a second main-side entry.
export default defineConfig({
  main: {
    build: {
      // `dependencies` stay external by default; the optional native ones must too: N-API addons (Dawn's
      // dawn.node, tfjs-node's binding) load from node_modules in Node and in Electron's utility process alike.
      externalizeDeps: { include: ['webgpu', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          // Started by the main process with utilityProcess.fork: all TF.js / sharp work happens there.
          engine: resolve('src/engine/process/entry.ts'),
          // worker_threads entries the engine starts by file name (decoding and blurring off its main thread)
          'loader-worker': resolve('src/engine/data/loader-worker.ts'),
          'prepare-worker': resolve('src/engine/data/prepare-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload can only be one CommonJS file that requires nothing but 'electron'.
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: { rollupOptions: { input: resolve('src/renderer/index.html') } },
    plugins: [svelte()],
  },
});
