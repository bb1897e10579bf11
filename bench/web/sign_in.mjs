// Signs a demo resident in, in the Chromium listening on CDP port argv[2], at base URL argv[3]
// with credentials file argv[4] (var/demo/credentials.json shape): the refresh cookie stays in
// that browser's profile for Lighthouse to restore the session with. Used by web_lighthouse.sh.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const [port, base, credentialsFile] = process.argv.slice(2);
const web = resolve(import.meta.dirname, "..", "..", "web");
const { chromium } = createRequire(resolve(web, "package.json"))("playwright-core");
const resident = JSON.parse(readFileSync(credentialsFile, "utf8")).residents[0];
const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`, { timeout: 30_000 });
const page = await browser.contexts()[0].newPage();
page.setDefaultTimeout(30_000);
await page.goto(`${base}/login`);
await page.getByLabel("E-mail").fill(resident.email);
await page.getByLabel("Password").fill(resident.password);
await page.getByRole("button", { name: "Log in" }).click();
await page.getByRole("region", { name: "Feed" }).waitFor();
await page.close();
process.exit(0);
