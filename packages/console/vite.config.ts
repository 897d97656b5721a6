/**
 * The console's Vite build (run by the project's `npm run build`, scripts/console-build.ts): src/ is
 * the root (index.html there), dist/ the output, served by `credless up` at /console/. No asset is
 * inlined as a data: URL (the server's CSP allows only 'self'). `npm run dev -w packages/console`
 * serves it with the API proxied to a running `credless up` (CREDLESS_URL, default https://localhost:8443).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env['CREDLESS_URL'] ?? 'https://localhost:8443';
const proxied = ['/v1.0', '/console/api', '/readyz', '/healthz'];

export default defineConfig({
  root: fileURLToPath(new URL('./src', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target, changeOrigin: true, secure: false }])),
  },
});
