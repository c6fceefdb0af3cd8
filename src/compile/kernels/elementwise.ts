/**
 * Elementwise kernels: math, comparisons, logic, select, casts. Each is an expression per
 * element that the emitter fuses with its neighbours into one loop; broadcasting is the loop's
 * business, not the rule's. Semantics follow tfjs's cpu kernels, in float64.
 */
import type { GraphNode } from "../graph.js";
import { type CheckedRule, type ElementwiseRule, literal, numberAttr } from "./rule.js";

type Expr = (args: readonly string[], node: GraphNode) => string;

function rule(expr: Expr): ElementwiseRule {
  return { kind: "elementwise", expr };
}

const unary = (f: (x: string) => string): ElementwiseRule => rule(([x]) => f(x));
const binary = (f: (a: string, b: string) => string): ElementwiseRule => rule(([a, b]) => f(a, b));
const math = (name: string): ElementwiseRule => unary((x) => `Math.${name}(${x})`);
const compare = (operator: string): ElementwiseRule =>
  binary((a, b) => `(${a} ${operator} ${b} ? 1 : 0)`);
const numberLiteral = (node: GraphNode, name: string): string => literal(numberAttr(node, name));

// tfjs's SELU constants (backend_util.SELU_SCALEALPHA and SELU_SCALE).
const SELU_SCALE_ALPHA = 1.7580993408473768;
const SELU_SCALE = 1.0507009873554805;

/** x ** b, with the exponents that have exact cheaper forms written out. */
function power(a: string, b: string): string {
  if (b === "2") return `(${a} * ${a})`;
  if (b === "1") return a;
  if (b === "3") return `(${a} * ${a} * ${a})`;
  return `Math.pow(${a}, ${b})`;
}

function cast(x: string, node: GraphNode): string {
  switch (node.attrs.dtype) {
    case "int32":
      return `(${x} | 0)`; // what Int32Array.from does: truncate, wrap, NaN to 0
    case "bool":
      return `(${x} !== 0 ? 1 : 0)`;
    default:
      return x;
  }
}

/** The elementwise rules, by tfjs kernel name. */
export const elementwiseRules: Record<string, CheckedRule> = {
  Abs: math("abs"),
  Acos: math("acos"),
  Acosh: math("acosh"),
  Asin: math("asin"),
  Asinh: math("asinh"),
  Atan: math("atan"),
  Atanh: math("atanh"),
  Ceil: math("ceil"),
  Cos: math("cos"),
  Cosh: math("cosh"),
  Exp: math("exp"),
  Expm1: math("expm1"),
  Floor: math("floor"),
  Log: math("log"),
  Log1p: math("log1p"),
  Sin: math("sin"),
  Sinh: math("sinh"),
  Sqrt: math("sqrt"),
  Tan: math("tan"),
  Tanh: math("tanh"),
  Erf: unary((x) => `R_erf(${x})`),
  Round: unary((x) => `R_roundHalfEven(${x})`),
  Neg: unary((x) => `(-${x})`),
  Reciprocal: unary((x) => `(1 / ${x})`),
  Rsqrt: unary((x) => `(1 / Math.sqrt(${x}))`),
  Square: unary((x) => `(${x} * ${x})`),
  Sign: unary((x) => `(${x} < 0 ? -1 : ${x} > 0 ? 1 : 0)`),
  Sigmoid: unary((x) => `(1 / (1 + Math.exp(-${x})))`),
  Softplus: unary(
    (x) => `(${x} > 0 ? ${x} + Math.log1p(Math.exp(-${x})) : Math.log1p(Math.exp(${x})))`,
  ),
  Relu: unary((x) => `(${x} < 0 ? 0 : ${x})`),
  Relu6: unary((x) => `Math.min(Math.max(0, ${x}), 6)`),
  Elu: unary((x) => `(${x} >= 0 ? ${x} : Math.expm1(${x}))`),
  Selu: unary((x) => `(${x} >= 0 ? ${SELU_SCALE} * ${x} : ${SELU_SCALE_ALPHA} * Math.expm1(${x}))`),
  IsNan: unary((x) => `(${x} !== ${x} ? 1 : 0)`),
  IsInf: unary((x) => `(${x} === Infinity || ${x} === -Infinity ? 1 : 0)`),
  IsFinite: unary((x) => `(${x} - ${x} === 0 ? 1 : 0)`),
  LogicalNot: unary((x) => `(${x} === 0 ? 1 : 0)`),
  ZerosLike: unary(() => "0"),
  OnesLike: unary(() => "1"),
  Identity: unary((x) => x),
  BroadcastTo: unary((x) => x),
  LeakyRelu: rule(([x], node) => `(${x} < 0 ? ${numberLiteral(node, "alpha")} * ${x} : ${x})`),
  Step: rule(
    ([x], node) => `(${x} !== ${x} ? NaN : ${x} > 0 ? 1 : ${numberLiteral(node, "alpha")})`,
  ),
  ClipByValue: rule(([x], node) => {
    const lo = numberLiteral(node, "clipValueMin");
    const hi = numberLiteral(node, "clipValueMax");
    return `(${x} > ${hi} ? ${hi} : ${x} < ${lo} ? ${lo} : ${x})`;
  }),
  Cast: rule(([x], node) => cast(x, node)),

  Add: binary((a, b) => `(${a} + ${b})`),
  Sub: binary((a, b) => `(${a} - ${b})`),
  Multiply: binary((a, b) => `(${a} * ${b})`),
  RealDiv: binary((a, b) => `(${a} / ${b})`),
  FloorDiv: binary((a, b) => `Math.floor(${a} / ${b})`),
  Mod: binary((a, b) => `R_floorMod(${a}, ${b})`),
  Pow: binary(power),
  SquaredDifference: binary((a, b) => `((${a} - ${b}) * (${a} - ${b}))`),
  Maximum: binary((a, b) => `Math.max(${a}, ${b})`),
  Minimum: binary((a, b) => `Math.min(${a}, ${b})`),
  Atan2: binary((a, b) => `Math.atan2(${a}, ${b})`),
  Prelu: binary((x, alpha) => `(${x} < 0 ? ${alpha} * ${x} : ${x})`),
  EluGrad: binary((dy, y) => `(${y} >= 0 ? ${dy} : ${dy} * (${y} + 1))`),
  Equal: compare("==="),
  NotEqual: compare("!=="),
  Greater: compare(">"),
  GreaterEqual: compare(">="),
  Less: compare("<"),
  LessEqual: compare("<="),
  LogicalAnd: binary((a, b) => `(${a} !== 0 && ${b} !== 0 ? 1 : 0)`),
  LogicalOr: binary((a, b) => `(${a} !== 0 || ${b} !== 0 ? 1 : 0)`),

  Select: {
    ...rule(([c, t, e]) => `(${c} !== 0 ? ${t} : ${e})`),
    check(node, graph) {
      const [c, t] = node.inputs.map((v) => graph.values[v].shape);
      if (c.length === 1 && t.length > 1) {
        return "Select with a rank-1 condition choosing rows (tf.where broadcasts instead; use it)";
      }
      return undefined;
    },
  },
  AddN: rule((args) => `(${args.join(" + ")})`),
};
