/**
 * The renderer's build: one static bundle in dist/renderer that loads over HTTP (serve mode) and
 * from file:// (Electron), hence relative asset URLs. The page's CSP is `script-src 'self'`, so
 * nothing may be inlined as a script; Svelte's inline styles are allowed.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    // Vite inlines small assets as data: URLs; a module preload polyfill would be an inline script.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1000,
  },
});
