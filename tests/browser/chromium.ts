/**
 * Headless Chromium for the tests that need a browser. It is looked for at /usr/bin/chromium or
 * $CHROMIUM_PATH; where there is none (CI has none), those tests skip.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium tries connections that this closed
// network refuses.
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Whether Chromium is installed; when it is not, logs that `testFile` is skipped. */
export function hasChromium(testFile: string): boolean {
  const found = existsSync(chromiumPath);
  if (!found) console.log(`${testFile} skipped: no Chromium at ${chromiumPath}`);
  return found;
}

/** Runs `use` in a fresh headless Chromium with a profile of its own, removed afterwards. */
export async function withChromium<T>(use: (context: BrowserContext) => Promise<T>): Promise<T> {
  const { chromium } = await import("playwright-core");
  const userDataDir = await mkdtemp(join(tmpdir(), "tyche-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    args: chromiumArgs,
  });
  try {
    return await use(context);
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}
