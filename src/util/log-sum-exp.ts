/**
 * log(sum(exp(x))) of plain numbers without overflow: the largest term is factored out.
 *
 * @example
 * logSumExp([1000, 1000]); // 1000 + Math.log(2)
 */
export function logSumExp(values: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}
