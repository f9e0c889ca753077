import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import { Tabs, type TabItem } from '../../../../renderer/components/tabs';

type Id = 'one' | 'two' | 'three';

const TABS: readonly TabItem<Id>[] = [
  { id: 'one', label: 'One' },
  { id: 'two', label: 'Two', count: 1234 },
  { id: 'three', label: 'Three', count: null },
];

function Harness({ first = 'one' }: { first?: Id }) {
  const [tab, setTab] = useState<Id>(first);
  return (
    <Tabs label="Sections" tabs={TABS} selected={tab} onSelect={setTab}>
      <p>Panel of {tab}</p>
    </Tabs>
  );
}

describe('Tabs', () => {
  it('keeps one tab in the Tab order and labels the panel with it', () => {
    render(<Harness first="two" />);
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.tabIndex)).toEqual([-1, 0, -1]);
    expect(tabs.map((t) => t.getAttribute('aria-selected'))).toEqual(['false', 'true', 'false']);
    const panel = screen.getByRole('tabpanel', { name: /Two/ });
    expect(panel.textContent).toBe('Panel of two');
    expect(panel.id).toBe(tabs[1]?.getAttribute('aria-controls'));
  });

  it('shows a count only where one is given', () => {
    render(<Harness />);
    const counts = screen
      .getAllByRole('tab')
      .map((t) => t.querySelector('.tab-count')?.textContent);
    expect(counts).toEqual([undefined, (1234).toLocaleString(), undefined]);
  });

  it('moves with the arrow keys, wrapping at both ends, and follows with focus', async () => {
    render(<Harness />);
    const user = userEvent.setup();
    act(() => screen.getByRole('tab', { name: 'One' }).focus());

    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: /Two/ }));
    expect(screen.getByRole('tabpanel').textContent).toBe('Panel of two');

    await user.keyboard('{ArrowRight}{ArrowRight}');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'One' }));

    await user.keyboard('{ArrowLeft}');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Three' }));
    expect(screen.getByRole('tab', { name: 'Three' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').textContent).toBe('Panel of three');

    // Other keys leave the selection alone.
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('tabpanel').textContent).toBe('Panel of three');
  });

  it('selects a tab on click', async () => {
    render(<Harness />);
    await userEvent.setup().click(screen.getByRole('tab', { name: 'Three' }));
    expect(screen.getByRole('tabpanel', { name: 'Three' }).textContent).toBe('Panel of three');
  });
});
