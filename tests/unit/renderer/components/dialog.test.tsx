import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import { Dialog } from '../../../../renderer/components/dialog';

/** A dialog whose form is replaced by its result, as imports do, taking the focus with it. */
function ImportLike({ onClosed }: { onClosed: () => void }) {
  const [done, setDone] = useState(false);
  return (
    <Dialog title="Import" onClose={onClosed}>
      {done ? <p>Imported 2 hosts.</p> : <button onClick={() => setDone(true)}>Import</button>}
    </Dialog>
  );
}

function Stacked({ closed }: { closed: string[] }) {
  const [inner, setInner] = useState(false);
  return (
    <Dialog title="Outer" onClose={() => closed.push('outer')}>
      <button onClick={() => setInner(true)}>Open inner</button>
      {inner && (
        <Dialog
          title="Inner"
          onClose={() => {
            closed.push('inner');
            setInner(false);
          }}
        >
          <p>Inner body</p>
        </Dialog>
      )}
    </Dialog>
  );
}

describe('Dialog', () => {
  it('closes on Escape even after the focused control vanished', async () => {
    const user = userEvent.setup();
    let closed = 0;
    render(<ImportLike onClosed={() => (closed += 1)} />);
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(screen.getByText('Imported 2 hosts.')).toBeTruthy();
    expect(document.activeElement).toBe(document.body);
    await user.keyboard('{Escape}');
    expect(closed).toBe(1);
  });

  it('closes only the topmost of two open dialogs', async () => {
    const user = userEvent.setup();
    const closed: string[] = [];
    render(<Stacked closed={closed} />);
    await user.click(screen.getByRole('button', { name: 'Open inner' }));
    expect(screen.getByText('Inner body')).toBeTruthy();
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard('{Escape}');
    expect(closed).toEqual(['inner']);
    expect(screen.queryByText('Inner body')).toBeNull();
    await user.keyboard('{Escape}');
    expect(closed).toEqual(['inner', 'outer']);
  });
});
