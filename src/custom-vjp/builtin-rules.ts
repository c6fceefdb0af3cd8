/**
 * Registers the float64 rules of the library's own ops (lgamma, cholesky, ...) without tfjs:
 * what a chain worker imports so that a compiled potential calling them can be rebuilt.
 */
import "./special-bessel-rules.js";
import "./special-incomplete-rules.js";
import "./special-linalg-rules.js";
import "./special-normal-rules.js";
import "./special-rules.js";
