/**
 * Canonical JSON: object keys sorted, no whitespace, only finite numbers, no undefined. Two parties that
 * hold the same data get the same bytes, so a content hash or a signature over it means the same thing
 * in the workstation, in the reference bot and in a trader's own bot (RFC 8785's key order and number
 * form for the values these documents hold: strings, finite numbers, booleans, null, arrays, objects).
 */
export function canonicalJson(value: unknown, path = '$'): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`${path} is ${value}: only finite numbers can be hashed`);
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`${path} is a ${typeof value}, which canonical JSON does not hold`);
  }
}
