// Starts a real, seeded platform for the browser tests (a Python launcher reusing the e2e
// tests' stack) and stops it at the end. Its URL and demo credentials go to test-results/.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PLATFORM_FILE } from "./platform";

const REPO = resolve(import.meta.dirname, "..", "..");
const STARTUP_MS = 120_000;

export default async function globalSetup() {
  mkdirSync(dirname(PLATFORM_FILE), { recursive: true });
  rmSync(PLATFORM_FILE, { force: true });
  const venvPython = resolve(REPO, ".venv", "bin", "python");
  const python = existsSync(venvPython) ? venvPython : "python3";
  const child = spawn(python, [resolve(import.meta.dirname, "platform_for_browser_tests.py"), PLATFORM_FILE], {
    cwd: REPO,
    stdio: ["pipe", "inherit", "inherit"],
  });
  const exited = new Promise<number | null>((done) => child.on("exit", done));
  const deadline = Date.now() + STARTUP_MS;
  while (!existsSync(PLATFORM_FILE)) {
    const code = await Promise.race([exited, new Promise((done) => setTimeout(() => done("waiting"), 250))]);
    if (code !== "waiting") throw new Error(`the browser-test platform exited (${code}) before it was ready`);
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error("the browser-test platform was not ready within 120 s");
    }
  }
  return async () => {
    child.kill("SIGTERM");
    await exited;
  };
}
