import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Test files share a worker's module graph: importing tfjs and the library once per worker
    // rather than once per file cuts the suite's time by minutes on two cores.
    isolate: false,
  },
});
