// Gzips the hashed assets next to themselves (x.js → x.js.gz) at build time, so the gateway can
// answer a browser that accepts gzip with the small file without compressing on every request.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";

const assets = resolve(dirname(fileURLToPath(import.meta.url)), "..", "dist", "assets");
let before = 0;
let after = 0;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg|json)$/.test(name)) continue;
  const data = readFileSync(resolve(assets, name));
  const packed = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(resolve(assets, `${name}.gz`), packed);
  before += data.length;
  after += packed.length;
}
console.log(`assets: gzipped ${(before / 1024).toFixed(1)} KiB to ${(after / 1024).toFixed(1)} KiB`);
