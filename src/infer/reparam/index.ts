/**
 * Reparameterizers for the `reparam` handler: LocScaleReparam, TransformReparam,
 * CircularReparam and NeuTraReparam.
 */
export { CircularReparam } from "./circular.js";
export { LocScaleReparam } from "./loc-scale.js";
export { type NeuTra, NeuTraReparam, type NeuTraReparamOptions } from "./neutra.js";
export { TransformReparam } from "./transform.js";
