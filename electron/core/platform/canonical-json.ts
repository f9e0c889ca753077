import canonicalize from 'canonicalize';

/**
 * The RFC 8785 canonical JSON text of a value: the same bytes for the same data, whatever the
 * key order. Hashes and signatures are always taken over this form.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Value has no JSON form.');
  return text;
}
