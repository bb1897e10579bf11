import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The gateway serves dist/ at / (gateway/http/web_app.py): hashed files under /assets are cached
// for a year, so every emitted file must carry its content hash. `npm run dev` proxies the API to
// a running platform (make run).
export default defineConfig({
  plugins: [react()],
  build: {
    target: "es2022",
    assetsDir: "assets",
    // No inline <script> or data: module in the shell: the Content-Security-Policy forbids both.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/api": process.env.QUARTIER_URL ?? "http://127.0.0.1:8080" },
  },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
