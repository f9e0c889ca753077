import {
  useEffect,
  useState,
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
} from 'react';

import { cx } from '../lib/format';

import { Button } from './button';

/** How long typing may pause before the filter applies. */
const TYPING_DELAY_MS = 300;

/** Options of useFilterDraft. */
export type FilterDraftOptions<F, D extends Record<string, string>> = {
  /** The filter in force. */
  filter: F;
  onChange: (filter: F) => void;
  /** The form fields for a filter; `toDraft({})` is the cleared form. */
  toDraft: (filter: F) => D;
  /** The filter a form stands for, with empty fields left out. */
  toFilter: (draft: D) => F;
  /**
   * True (the default): a choice from a list, and "Clear filters", apply at once; only typing
   * waits. False: every change waits for a pause.
   */
  choicesApplyAtOnce?: boolean;
};

/** What useFilterDraft gives a filter form. */
export type FilterDraft<D extends Record<string, string>> = {
  /** The fields as the operator sees them. */
  draft: D;
  /** Typed text: applies once typing pauses. */
  type: <K extends keyof D>(key: K, value: string) => void;
  /** A choice from a list. */
  choose: <K extends keyof D>(key: K, value: string) => void;
  /** Empties every field. */
  clear: () => void;
  /** No field narrows anything. */
  isEmpty: boolean;
  /** Applies the form now (Enter in a field). */
  submit: (event: FormEvent<HTMLFormElement>) => void;
};

/**
 * The form state behind a filter bar: the fields are a draft of the filter, and the draft is
 * applied when typing pauses or, for choices from a list, at once.
 */
export function useFilterDraft<F, D extends Record<string, string>>({
  filter,
  onChange,
  toDraft,
  toFilter,
  choicesApplyAtOnce = true,
}: FilterDraftOptions<F, D>): FilterDraft<D> {
  const [draft, setDraft] = useState<D>(() => toDraft(filter));
  const [applyNow, setApplyNow] = useState(false);
  const serialised = JSON.stringify(toFilter(draft));
  const current = JSON.stringify(filter);

  useEffect(() => {
    if (serialised === current) return undefined;
    const apply = () => onChange(JSON.parse(serialised) as F);
    if (applyNow) {
      apply();
      return undefined;
    }
    const timer = window.setTimeout(apply, TYPING_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [serialised, current, applyNow, onChange]);

  const update = (value: Partial<D>, atOnce: boolean) => {
    setApplyNow(atOnce);
    setDraft((d) => ({ ...d, ...value }));
  };

  return {
    draft,
    type: (key, value) => update({ [key]: value } as Partial<D>, false),
    choose: (key, value) => update({ [key]: value } as Partial<D>, choicesApplyAtOnce),
    clear: () => update(toDraft({} as F), choicesApplyAtOnce),
    isEmpty: serialised === '{}',
    submit: (event) => {
      event.preventDefault();
      onChange(toFilter(draft));
    },
  };
}

/** Props of FilterBar. */
export type FilterBarProps = {
  /** Names the form for screen readers, e.g. "Filter hosts". */
  label: string;
  /** Marks the form as a search landmark. */
  search?: boolean;
  className?: string;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  /** Disables "Clear filters" when nothing narrows the list. */
  isEmpty: boolean;
  onClear: () => void;
  /** The fields. */
  children: ReactNode;
  /** Shown after "Clear filters", e.g. a message about the fields. */
  after?: ReactNode;
};

/** A row of labelled filter fields with "Clear filters" at its end. */
export function FilterBar({
  label,
  search = false,
  className,
  onSubmit,
  isEmpty,
  onClear,
  children,
  after,
}: FilterBarProps) {
  return (
    <form
      className={cx('filters', className)}
      aria-label={label}
      role={search ? 'search' : undefined}
      onSubmit={onSubmit}
    >
      {children}
      <Button size="small" variant="ghost" disabled={isEmpty} onClick={onClear}>
        Clear filters
      </Button>
      {after}
    </form>
  );
}

/** Props of FilterText. */
export type FilterTextProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Shown after the input inside the label, e.g. a datalist. */
  children?: ReactNode;
};

/** A labelled text (or date, or search) field of a filter bar. */
export function FilterText({ label, value, onValue, children, ...input }: FilterTextProps) {
  return (
    <label className="filter">
      <span>{label}</span>
      <input {...input} value={value} onChange={(e) => onValue(e.target.value)} />
      {children}
    </label>
  );
}

/** Props of FilterSelect. */
export type FilterSelectProps = Omit<
  SelectHTMLAttributes<HTMLSelectElement>,
  'onChange' | 'value'
> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** The options. */
  children: ReactNode;
};

/** A labelled list of choices in a filter bar. */
export function FilterSelect({ label, value, onValue, children, ...select }: FilterSelectProps) {
  return (
    <label className="filter">
      <span>{label}</span>
      <select {...select} value={value} onChange={(e) => onValue(e.target.value)}>
        {children}
      </select>
    </label>
  );
}
