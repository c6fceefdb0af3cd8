/**
 * Renders a plot's SVG to PNG in headless Chromium and checks that the image shows something:
 * a good share of non-white pixels, and the two energy colours. Runs only where Chromium is
 * installed at /usr/bin/chromium or $CHROMIUM_PATH (CI has none, so it skips there).
 */
import { describe, expect, it } from "vitest";
import { plot } from "../../src/io/plot/index.js";
import { hasChromium, withChromium } from "../browser/chromium.js";
import { ar1Run } from "./fixture.js";

const chromium = hasChromium("tests/io/plot-png.test.ts");

describe("plot rendered by a browser", () => {
  it.skipIf(!chromium)("the energy plot renders to a non-blank PNG", async () => {
    const { svg } = await plot.energy(ar1Run({ numChains: 2, numDraws: 200 }));
    await withChromium(async (context) => {
      const page = await context.newPage();
      await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
      const png = await (await page.$("svg"))!.screenshot({ type: "png" });
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      // Decode the PNG in the page itself and count its pixels.
      const stats = await page.evaluate(async (base64: string) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.width;
        canvas.height = image.height;
        const context2d = canvas.getContext("2d")!;
        context2d.drawImage(image, 0, 0);
        const { data } = context2d.getImageData(0, 0, image.width, image.height);
        let nonWhite = 0;
        let blueish = 0;
        let orangeish = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
          if (r < 240 || g < 240 || b < 240) nonWhite++;
          if (b > r + 40 && b > g) blueish++;
          if (r > b + 60 && r > g) orangeish++;
        }
        return { width: image.width, height: image.height, nonWhite, blueish, orangeish };
      }, png.toString("base64"));
      expect(stats.width).toBeGreaterThan(300);
      expect(stats.height).toBeGreaterThan(200);
      expect(stats.nonWhite / (stats.width * stats.height)).toBeGreaterThan(0.05);
      expect(stats.blueish).toBeGreaterThan(500);
      expect(stats.orangeish).toBeGreaterThan(500);
    });
  });
});
