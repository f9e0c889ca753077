import type { HOST_SORT_KEYS } from '../../../shared/domain/assets';

/** A column of the host table that the operator may show or hide. */
export type HostColumnId =
  | 'address'
  | 'tier'
  | 'environment'
  | 'os'
  | 'eol'
  | 'hostKey'
  | 'lastScan'
  | 'packages'
  | 'owner'
  | 'businessService'
  | 'networkZone'
  | 'reboot'
  | 'tags';

/** What the table knows about each optional column. */
export type HostColumnInfo = {
  id: HostColumnId;
  label: string;
  /** A CSS grid track. */
  width: string;
  sortKey?: (typeof HOST_SORT_KEYS)[number];
  shownByDefault: boolean;
};

/** The optional columns, in display order; Name is always shown. */
export const HOST_COLUMNS: readonly HostColumnInfo[] = [
  { id: 'address', label: 'Address', width: '130px', sortKey: 'address', shownByDefault: true },
  { id: 'tier', label: 'Tier', width: '64px', sortKey: 'tier', shownByDefault: true },
  {
    id: 'environment',
    label: 'Environment',
    width: '112px',
    sortKey: 'environment',
    shownByDefault: true,
  },
  { id: 'os', label: 'OS', width: 'minmax(120px, 1fr)', sortKey: 'osName', shownByDefault: true },
  { id: 'eol', label: 'EOL', width: '110px', sortKey: 'eol', shownByDefault: true },
  { id: 'hostKey', label: 'Host key', width: '112px', shownByDefault: true },
  {
    id: 'lastScan',
    label: 'Last scan',
    width: '180px',
    sortKey: 'lastScanAt',
    shownByDefault: true,
  },
  {
    id: 'packages',
    label: 'Packages',
    width: '84px',
    sortKey: 'packageCount',
    shownByDefault: true,
  },
  { id: 'owner', label: 'Owner', width: '140px', sortKey: 'owner', shownByDefault: false },
  {
    id: 'businessService',
    label: 'Business service',
    width: '160px',
    sortKey: 'businessService',
    shownByDefault: false,
  },
  {
    id: 'networkZone',
    label: 'Network zone',
    width: '130px',
    sortKey: 'networkZone',
    shownByDefault: false,
  },
  { id: 'reboot', label: 'Reboot', width: '96px', shownByDefault: false },
  { id: 'tags', label: 'Tags', width: 'minmax(120px, 1fr)', shownByDefault: false },
];

/** Where the operator's column choice is kept in this browser profile. */
export const COLUMNS_STORAGE_KEY = 'patchdeck.assets.columns';

/** Which optional columns are shown. */
export type ColumnChoice = Readonly<Record<HostColumnId, boolean>>;

/** The choice a new operator starts with. */
export function defaultColumns(): ColumnChoice {
  return Object.fromEntries(HOST_COLUMNS.map((c) => [c.id, c.shownByDefault])) as ColumnChoice;
}

/** Reads the saved choice; anything unreadable falls back to the defaults, column by column. */
export function readColumns(storage: Storage = window.localStorage): ColumnChoice {
  const choice = { ...defaultColumns() } as Record<HostColumnId, boolean>;
  try {
    const raw = storage.getItem(COLUMNS_STORAGE_KEY);
    const saved: unknown = raw === null ? {} : JSON.parse(raw);
    if (saved !== null && typeof saved === 'object') {
      for (const column of HOST_COLUMNS) {
        const value = (saved as Record<string, unknown>)[column.id];
        if (typeof value === 'boolean') choice[column.id] = value;
      }
    }
  } catch {
    // A damaged entry only costs the operator their column choice.
  }
  return choice;
}

/** Saves the choice. */
export function saveColumns(choice: ColumnChoice, storage: Storage = window.localStorage): void {
  try {
    storage.setItem(COLUMNS_STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // Storage full or disabled: the choice lasts for this window only.
  }
}
