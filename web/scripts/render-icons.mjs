// Renders the app's PNG icons (192 and 512 px, and a 512 px maskable one) from public/favicon.svg
// with Debian's Chromium, for the web manifest: install prompts want PNGs of those sizes. Run
// `node scripts/render-icons.mjs` after changing the SVG and commit the PNGs in public/.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const PUBLIC = resolve(import.meta.dirname, "..", "public");
const svg = readFileSync(resolve(PUBLIC, "favicon.svg"), "utf8");
const executablePath = process.env.CHROMIUM_PATH || execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();

// A maskable icon may be cropped to a circle: the glyph keeps to the central 80 % (the safe
// zone) on a full-bleed background of the brand colour.
const ICONS = [
  { name: "icon-192.png", size: 192, maskable: false },
  { name: "icon-512.png", size: 512, maskable: false },
  { name: "icon-maskable-512.png", size: 512, maskable: true },
];

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
try {
  for (const { name, size, maskable } of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const inner = maskable ? Math.round(size * 0.7) : size;
    const glyph = maskable ? svg.replace(/<rect [^>]*\/>/, "") : svg;
    await page.setContent(
      `<html><body style="margin:0;display:grid;place-items:center;width:${size}px;height:${size}px;` +
        `background:${maskable ? "#1d4f91" : "transparent"}">` +
        `<div style="width:${inner}px;height:${inner}px">${glyph.replace("<svg ", `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
    );
    await page.screenshot({ path: resolve(PUBLIC, name), omitBackground: !maskable });
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`icons: ${ICONS.map((icon) => icon.name).join(", ")} in public/`);
