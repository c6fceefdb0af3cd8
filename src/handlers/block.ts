/**
 * `block`: hides sites from the handlers outside it.
 */
import type { Message } from "../primitives/messages.js";
import { type Model, wrap } from "../primitives/runtime.js";

/** Which sites `block` hides: all by default. */
export interface BlockOptions {
  hide?: readonly string[];
  expose?: readonly string[];
  hideTypes?: ReadonlyArray<Message["type"]>;
  hideFn?: (msg: Message) => boolean;
}

/**
 * Hides sites from outer handlers (e.g. an outer trace does not record them).
 *
 * @example
 * const tr = trace(block(seed(model, 0), { hide: ["x"] })).getTrace(); // no "x"
 */
export function block<A extends any[], R>(
  model: Model<A, R>,
  options: BlockOptions = {},
): Model<A, R> {
  const hidden = (msg: Message): boolean => {
    if (options.hideFn !== undefined) return options.hideFn(msg);
    if (options.hide !== undefined) return options.hide.includes(msg.name);
    if (options.expose !== undefined) return !options.expose.includes(msg.name);
    if (options.hideTypes !== undefined) return options.hideTypes.includes(msg.type);
    return true;
  };
  return wrap(model, () => ({
    process(msg) {
      if (hidden(msg)) msg.stop = true;
    },
  }));
}
