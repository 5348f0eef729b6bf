/** A clickable table row opens from the mouse and from the keyboard (Enter, Space), and is focusable. */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clickableRowProps } from './clickableRow';

afterEach(cleanup);

function renderRow(open: () => void) {
  render(
    <table>
      <tbody>
        <tr {...clickableRowProps(open, 'Open episode 3')} data-testid="row">
          <td>3</td>
        </tr>
      </tbody>
    </table>,
  );
  return screen.getByTestId('row');
}

describe('clickable table rows', () => {
  it('are focusable, keep their table role, and say what they open', () => {
    const row = renderRow(() => undefined);
    expect(row.tabIndex).toBe(0);
    expect(row.getAttribute('role')).toBeNull();
    expect(row.title).toBe('Open episode 3');
  });
  it('open on click, Enter and Space, and not on other keys', () => {
    const open = vi.fn();
    const row = renderRow(open);
    fireEvent.click(row);
    fireEvent.keyDown(row, { key: 'Enter' });
    fireEvent.keyDown(row, { key: ' ' });
    fireEvent.keyDown(row, { key: 'a' });
    expect(open).toHaveBeenCalledTimes(3);
  });
});
