/**
 * Design matrices and linear predictors for the regression posteriors: the data as a float64
 * constant (the compiled engine keeps its float64 values), and X beta as one matrix product.
 */
import { constant, tf } from "../../src/index.js";

/**
 * The N x D design matrix whose columns are `columns` (each of length N), as a constant.
 *
 * @example
 * designMatrix([[1, 1, 1], [2.5, 3.1, 4.0]]).shape; // [3, 2]
 */
export function designMatrix(columns: ReadonlyArray<ArrayLike<number>>): tf.Tensor {
  const n = columns[0].length;
  columns.forEach((column, j) => {
    if (column.length !== n) {
      throw new RangeError(
        `designMatrix: column ${j} has ${column.length} rows, column 0 has ${n}`,
      );
    }
  });
  return constant(Array.from({ length: n }, (_, i) => columns.map((column) => column[i])));
}

/**
 * X beta for X [N, D] and beta [D]: shape [N].
 *
 * @example
 * linearPredictor(designMatrix([[1, 1], [2, 3]]), tf.tensor1d([0.5, 2])); // [4.5, 6.5]
 */
export function linearPredictor(x: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const [n, d] = x.shape;
  return tf.reshape(tf.matMul(x, tf.reshape(beta, [d, 1])), [n]);
}
