import { execFileSync } from "node:child_process";
import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 in every npm
// call; the Makefile installs the chromium package when it is missing).
function chromium(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium is not installed: apt-get install chromium (make test does it as root)");
  }
}

export default defineConfig({
  testDir: "tests",
  outputDir: "test-results/artifacts",
  globalSetup: "./tests/global-setup.ts",
  // One platform, flows that build on each other's residents: one worker keeps the 2-core
  // machine (and the whole `make test`) calm.
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    locale: "en-GB",
    viewport: { width: 390, height: 844 },
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: chromium(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
