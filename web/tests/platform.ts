// What the browser tests know of the platform globalSetup started (platform_for_browser_tests.py).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

// QUARTIER_PLATFORM_FILE lets two Playwright runs on one checkout keep their platforms apart.
export const PLATFORM_FILE = process.env.QUARTIER_PLATFORM_FILE
  ?? resolve(import.meta.dirname, "..", "test-results", "platform.json");

export type Account = { email: string; password: string; neighbourhood_id?: string };
export type Platform = {
  url: string;
  municipality_id: string;
  residents: Account[];
  invitation_codes: { code: string; neighbourhood_id: string }[];
  staff: Account;
  moderator: Account;
};

export function platform(): Platform {
  return JSON.parse(readFileSync(PLATFORM_FILE, "utf8")) as Platform;
}
