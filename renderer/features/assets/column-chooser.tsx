import { useEffect, useId, useRef, useState } from 'react';

import { Button } from '../../components/button';

import { defaultColumns, HOST_COLUMNS, type ColumnChoice, type HostColumnId } from './host-columns';

/** Props of ColumnChooser. */
export type ColumnChooserProps = {
  columns: ColumnChoice;
  onChange: (columns: ColumnChoice) => void;
};

/** "Columns": which columns the host table shows; the choice is remembered on this machine. */
export function ColumnChooser({ columns, onChange }: ColumnChooserProps) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    const onPointer = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const set = (id: HostColumnId, on: boolean) => onChange({ ...columns, [id]: on });

  return (
    <div
      className="column-chooser"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
          root.current?.querySelector<HTMLButtonElement>('button')?.focus();
        }
      }}
    >
      <Button
        size="small"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        Columns
      </Button>
      {open && (
        <fieldset id={panelId} className="column-panel">
          <legend>Show columns</legend>
          <label className="choice">
            <input type="checkbox" checked disabled />
            <span className="choice-label">Name</span>
          </label>
          {HOST_COLUMNS.map((c) => (
            <label key={c.id} className="choice">
              <input
                type="checkbox"
                checked={columns[c.id]}
                onChange={(e) => set(c.id, e.target.checked)}
              />
              <span className="choice-label">{c.label}</span>
            </label>
          ))}
          <Button size="small" variant="ghost" onClick={() => onChange(defaultColumns())}>
            Reset to defaults
          </Button>
        </fieldset>
      )}
    </div>
  );
}
