import { act, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  FilterBar,
  FilterSelect,
  FilterText,
  useFilterDraft,
} from '../../../../renderer/components/filter-bar';

type Filter = { text?: string; colour?: string };
type Draft = { text: string; colour: string };

const toDraft = (f: Filter): Draft => ({ text: f.text ?? '', colour: f.colour ?? '' });
const toFilter = (d: Draft): Filter => ({
  ...(d.text.trim() ? { text: d.text.trim() } : {}),
  ...(d.colour ? { colour: d.colour } : {}),
});

let applied: Filter[] = [];

function Harness({ initial = {}, atOnce }: { initial?: Filter; atOnce?: boolean }) {
  const [filter, setFilter] = useState<Filter>(initial);
  const { draft, type, choose, clear, isEmpty, submit } = useFilterDraft({
    filter,
    onChange: (f: Filter) => {
      applied.push(f);
      setFilter(f);
    },
    toDraft,
    toFilter,
    ...(atOnce === undefined ? {} : { choicesApplyAtOnce: atOnce }),
  });
  return (
    <FilterBar label="Filter things" search onSubmit={submit} isEmpty={isEmpty} onClear={clear}>
      <FilterText label="Search" value={draft.text} onValue={(v) => type('text', v)} />
      <FilterSelect label="Colour" value={draft.colour} onValue={(v) => choose('colour', v)}>
        <option value="">Any</option>
        <option value="red">Red</option>
        <option value="blue">Blue</option>
      </FilterSelect>
    </FilterBar>
  );
}

beforeEach(() => {
  applied = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

// Events are dispatched synchronously, so only the filter's own timer runs on the fake clock.
const input = (label: string) => screen.getByLabelText<HTMLInputElement>(label);
const select = (label: string) => screen.getByLabelText<HTMLSelectElement>(label);
const clearButton = () => screen.getByRole<HTMLButtonElement>('button', { name: 'Clear filters' });
const wait = (ms: number) =>
  act(() => {
    vi.advanceTimersByTime(ms);
  });

describe('FilterBar and useFilterDraft', () => {
  it('labels the fields and names the search form', () => {
    render(<Harness />);
    expect(screen.getByRole('search', { name: 'Filter things' })).toBeTruthy();
    expect(screen.getByLabelText('Search')).toBeTruthy();
    expect(screen.getByLabelText('Colour')).toBeTruthy();
  });

  it('"Clear filters" is off while nothing narrows, and empties every field at once', () => {
    render(<Harness initial={{ text: 'web', colour: 'red' }} />);
    expect(input('Search').value).toBe('web');
    expect(select('Colour').value).toBe('red');
    expect(clearButton().disabled).toBe(false);

    fireEvent.click(clearButton());
    // Applied without waiting for a typing pause.
    expect(applied).toEqual([{}]);
    expect(input('Search').value).toBe('');
    expect(select('Colour').value).toBe('');
    expect(clearButton().disabled).toBe(true);
  });

  it('applies typing after a pause, and a choice at once', () => {
    render(<Harness />);
    fireEvent.change(input('Search'), { target: { value: 'd' } });
    wait(200);
    fireEvent.change(input('Search'), { target: { value: 'db' } });
    wait(299);
    // Each keystroke restarts the pause.
    expect(applied).toEqual([]);
    wait(1);
    expect(applied).toEqual([{ text: 'db' }]);

    fireEvent.change(select('Colour'), { target: { value: 'blue' } });
    expect(applied).toEqual([{ text: 'db' }, { text: 'db', colour: 'blue' }]);
  });

  it('with choicesApplyAtOnce false, a choice and "Clear filters" wait for the pause too', () => {
    render(<Harness atOnce={false} />);
    fireEvent.change(select('Colour'), { target: { value: 'red' } });
    expect(applied).toEqual([]);
    wait(300);
    expect(applied).toEqual([{ colour: 'red' }]);

    fireEvent.click(clearButton());
    expect(applied).toEqual([{ colour: 'red' }]);
    wait(300);
    expect(applied).toEqual([{ colour: 'red' }, {}]);
  });

  it('submitting the form (Enter in a field) applies it without waiting', () => {
    render(<Harness />);
    fireEvent.change(input('Search'), { target: { value: ' mail ' } });
    fireEvent.submit(screen.getByRole('search'));
    expect(applied).toEqual([{ text: 'mail' }]);
  });
});
