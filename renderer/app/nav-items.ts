/** One entry of the left navigation. */
export type NavItem = { path: string; label: string };

/** The areas of PatchDeck, in the order of the work: see, bring in, roll out, prove. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/assets', label: 'Assets' },
  { path: '/bundles', label: 'Bundles' },
  { path: '/patches', label: 'Patches' },
  { path: '/deployments', label: 'Deployments' },
  { path: '/compliance', label: 'Compliance' },
  { path: '/reports', label: 'Reports' },
  { path: '/audit', label: 'Audit' },
  { path: '/settings', label: 'Settings' },
];
