/** Reading parsed JSON from disk without trusting its shape: a damaged file must not crash a decoder. */

export const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** `record[key]`, or `undefined` when there is no such field. */
export const field = (record: object, key: string): unknown =>
  key in record ? Reflect.get(record, key) : undefined;

/** `{ [key]: value }` when `record[key]` is a string, else `{}`: an optional field to spread into a record. */
export function optionalString<Key extends string>(record: object, key: Key): Partial<Record<Key, string>> {
  const value = field(record, key);
  const found: Partial<Record<Key, string>> = {};
  if (typeof value === 'string') found[key] = value;
  return found;
}
