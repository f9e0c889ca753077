/**
 * Fails start-up when two areas serve the same operation; a spread would silently keep one.
 *
 * Completeness is checked by the compiler where the table is typed as `Handlers` (core.ts).
 */
export function assertDisjointHandlers(...parts: readonly object[]): void {
  const seen = new Set<string>();
  for (const part of parts) {
    for (const name of Object.keys(part)) {
      if (seen.has(name)) throw new Error(`Operation ${name} has two handlers.`);
      seen.add(name);
    }
  }
}
