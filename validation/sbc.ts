/**
 * Simulation-based calibration at full size (Talts et al. 2018): NUTS on three small models
 * whose inference is correct and on eight schools must pass, and eight schools with a
 * variance where a standard deviation belongs must fail. Each result's false-alarm
 * probability is at most alpha = 0.01 (Bonferroni over its tests, Säilynoja et al. 2022's
 * ECDF band and chi-square); seeds are fixed, so the outcome is reproducible.
 *
 *     npx tsx validation/sbc.ts            # full size (several minutes on 2 cores)
 *     npx tsx validation/sbc.ts --quick    # a tenth of the simulations
 *
 * Exits with status 1 when a correct model fails or the wrong one passes.
 */
import { eightSchools, eightSchoolsWithVariance, sigma, y } from "../examples/eight-schools-sbc.js";
import type { Model } from "../src/index.js";
import * as testing from "../src/testing/index.js";
import { smallModels } from "../tests/testing/sbc-models.js";

const quick = process.argv.includes("--quick");
const scale = (n: number) => (quick ? Math.max(20, Math.round(n / 10)) : n);

interface Case {
  readonly name: string;
  readonly expectPass: boolean;
  readonly run: () => Promise<testing.SbcResult>;
}

const nuts = { numWarmup: 500, numSamples: 1000 };

const cases: Case[] = [
  ...smallModels.map(
    ({ name, model, args }): Case => ({
      name,
      expectPass: true,
      run: () =>
        testing.sbc(model as Model<unknown[], unknown>, {
          args: args as unknown as unknown[],
          simulations: scale(1000),
          seed: 2018,
          ...nuts,
        }),
    }),
  ),
  {
    name: "eightSchools",
    expectPass: true,
    run: () =>
      testing.sbc(eightSchools, { args: [sigma, y], simulations: scale(500), seed: 2022, ...nuts }),
  },
  {
    name: "eightSchoolsWithVariance (generator: eightSchools)",
    expectPass: false,
    run: () =>
      testing.sbc(eightSchoolsWithVariance, {
        args: [sigma, y],
        generator: eightSchools,
        simulations: scale(200),
        seed: 2022,
        ...nuts,
      }),
  },
];

let failed = 0;
for (const c of cases) {
  const result = await c.run();
  const verdict = result.ok === c.expectPass ? "as expected" : "UNEXPECTED";
  if (result.ok !== c.expectPass) failed++;
  console.log(`\n== ${c.name}: ${result.ok ? "calibrated" : "not calibrated"} (${verdict})`);
  console.log(c.expectPass || result.ok ? result.report : result.report.split("\n\n")[0]);
}
console.log(
  failed === 0
    ? "\nsbc validation: every result as expected"
    : `\nsbc validation: ${failed} unexpected result(s)`,
);
process.exit(failed === 0 ? 0 : 1);
