/**
 * The global switch for distribution parameter validation, and the scope inside inference
 * where tensor-valued parameters are not read back (reading would stall the hot path, and is
 * not allowed while the compiled engine traces).
 */

let enabled = true;
let tensorChecksSuspended = 0;

/**
 * Turns parameter validation on or off for every distribution (on by default).
 *
 * @example
 * setValidation(false); // skip parameter checks, e.g. in a benchmark
 */
export function setValidation(on: boolean): void {
  enabled = on;
}

/** Whether parameter validation is on. */
export function validationEnabled(): boolean {
  return enabled;
}

/** Whether tensor-valued parameters may be read back to validate them now. */
export function tensorValidationActive(): boolean {
  return enabled && tensorChecksSuspended === 0;
}

/** Runs `fn` without reading tensor-valued parameters back (parameters given as numbers are still checked). */
export function withoutTensorValidation<T>(fn: () => T): T {
  tensorChecksSuspended++;
  try {
    return fn();
  } finally {
    tensorChecksSuspended--;
  }
}
