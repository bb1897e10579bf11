// Copies Swagger UI (npm swagger-ui-dist) into dist/api-reference/, the self-hosted interactive
// API reference the gateway serves at /api/v1/docs: no CDN, no inline script (the page loads
// its initialiser from a file, so the page's Content-Security-Policy needs no 'unsafe-inline'
// for scripts).
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const swagger = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const out = resolve(here, "..", "dist", "api-reference");
mkdirSync(out, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  copyFileSync(resolve(swagger, file), resolve(out, file));
}
for (const file of ["index.html", "init.js"]) {
  copyFileSync(resolve(here, "..", "api-reference", file), resolve(out, file));
}
console.log("api reference: copied Swagger UI into dist/api-reference");
