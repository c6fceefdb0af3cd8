/**
 * Structural reading of Vega's SVG output for the tests: validate it as XML, then count the
 * items of each data mark type (axes, legends and titles have other roles and are left out).
 * Vega writes every data mark as `<g class="mark-TYPE role-mark ...">`
 * holding one element per item (a `path` per line series, area, rect or symbol; a `line` per
 * rule).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

type XmlNode = Record<string, unknown>;

/** Throws with the parser's message unless `svg` is well-formed XML with an `svg` root. */
export function parseSvg(svg: string): XmlNode {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`invalid SVG: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
  const document = parser.parse(svg) as XmlNode;
  if (document.svg === undefined) throw new Error("SVG document has no <svg> root");
  return document;
}

/** The item elements of every mark group of `type` ("line", "area", "rect", "symbol", "rule"). */
export function markItems(svg: string, type: string): XmlNode[][] {
  const groups: XmlNode[][] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const element = node as XmlNode;
    const cls = element["@class"];
    const classes = typeof cls === "string" ? cls.split(" ") : [];
    if (classes.includes(`mark-${type}`) && classes.includes("role-mark")) {
      const itemTag = type === "rule" ? "line" : "path";
      const items = element[itemTag];
      groups.push(
        items === undefined ? [] : ((Array.isArray(items) ? items : [items]) as XmlNode[]),
      );
      return;
    }
    for (const [key, child] of Object.entries(element)) if (!key.startsWith("@")) visit(child);
  };
  visit(parseSvg(svg));
  return groups;
}

/** Number of items of mark `type` over the whole plot. */
export function countItems(svg: string, type: string): number {
  return markItems(svg, type).reduce((s, g) => s + g.length, 0);
}
