/**
 * Windows updates are known by their Knowledge Base number: an update is installed when its KB
 * is among the host's hotfixes, whatever the file was called.
 */

/** The KB number in a hotfix id, update title or file name (`KB5034441`, `windows10.0-kb5034441-x64.msu`), or null. */
export function kbNumber(text: string): string | null {
  const match = /(?:^|[^A-Za-z0-9])KB(\d{4,8})(?![0-9])/i.exec(text) ?? /^(\d{4,8})$/.exec(text);
  return match ? `KB${match[1]!}` : null;
}

/** The set of KB numbers among hotfix ids; ids that name no KB are left out. */
export function kbSet(hotfixIds: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const id of hotfixIds) {
    const kb = kbNumber(id);
    if (kb) out.add(kb);
  }
  return out;
}
