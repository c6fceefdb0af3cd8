/**
 * Records keyed by site names. A site may be called anything a user can type, `constructor`,
 * `toString` and `__proto__` included, so a record keyed by site names has no prototype (a
 * plain `{}` answers `constructor` with Object's constructor and turns `__proto__` into a
 * prototype change), and records given by users are read through their own properties only.
 */

/**
 * An empty record with no prototype: every string, `__proto__` included, is an ordinary key.
 *
 * @example
 * const out = siteRecord<number>();
 * out.__proto__ = 1; // an ordinary entry
 * Object.keys(out); // ["__proto__"]
 */
export function siteRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * A record with no prototype from entries (Object.fromEntries for site names).
 *
 * @example
 * siteRecordOf([["constructor", 1]]).constructor; // 1
 */
export function siteRecordOf<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = siteRecord<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/**
 * `record[key]` when the record itself has that key; undefined otherwise (never an inherited
 * `constructor` or `toString`).
 *
 * @example
 * ownValue({}, "constructor"); // undefined
 * ownValue({ constructor: 2 }, "constructor"); // 2
 */
export function ownValue<T>(
  record: Readonly<Record<string, T>> | undefined,
  key: string,
): T | undefined {
  return record !== undefined && record !== null && Object.hasOwn(record, key)
    ? record[key]
    : undefined;
}
