import { describe, expect, it } from 'vitest';
import type { FormattedTable } from '../../src/fdtable/format.js';
import { layoutWatchScreen, scrollOffset } from '../../src/ui/watch-screen.js';

function table(rows: number, legend = 2): FormattedTable {
  return {
    columns: [], dropped: [], header: 'HEADER', focusRows: [],
    rows: Array.from({ length: rows }, (_, i) => `row ${i}`),
    statusLines: ['pid 9: gone'], notes: [], legend: Array.from({ length: legend }, (_, i) => `legend ${i}`),
  };
}

describe('layoutWatchScreen', () => {
  it('shows everything when it fits', () => {
    const screen = layoutWatchScreen(table(3), 20, 0);
    expect(screen.lines).toEqual(['pid 9: gone', 'HEADER', 'row 0', 'row 1', 'row 2', 'legend 0', 'legend 1']);
  });

  it('never uses more lines than it has, and counts what it hides', () => {
    for (let height = 1; height < 30; height += 1) {
      const screen = layoutWatchScreen(table(50), height, 0);
      expect(screen.lines.length).toBeLessThanOrEqual(height);
    }
    const screen = layoutWatchScreen(table(50), 20, 0);
    expect(screen.lines).toContain(`… ${50 - screen.capacity} more rows`);
    expect(screen.lines.at(-1)).toBe('legend 1');
  });

  it('gives the legend up when it would hide more than a third of the rows', () => {
    const small = layoutWatchScreen(table(50, 3), 9, 0);
    expect(small.lines).not.toContain('legend 0');
    expect(small.capacity).toBe(6);
    const tall = layoutWatchScreen(table(50, 3), 40, 0);
    expect(tall.lines).toContain('legend 0');
  });

  it('says row, not rows, for one', () => {
    const screen = layoutWatchScreen(table(50, 0), 10, 1);
    expect(screen.lines).toContain(`… 1 row above, ${49 - screen.capacity} more below`);
  });

  it('scrolls within bounds', () => {
    const screen = layoutWatchScreen(table(50), 10, 0);
    expect(scrollOffset(screen, 'up')).toBe(0);
    expect(scrollOffset(screen, 'down')).toBe(1);
    const bottom = scrollOffset(screen, 'bottom');
    expect(bottom).toBe(50 - screen.capacity);
    const last = layoutWatchScreen(table(50), 10, bottom);
    expect(last.lines).toContain('row 49');
    expect(last.lines.some((l) => l.includes('rows above, 0 more below'))).toBe(true);
    expect(layoutWatchScreen(table(50), 10, 999).offset).toBe(bottom);
    expect(scrollOffset({ ...screen, offset: 999 }, 'up')).toBe(bottom - 1);
  });
});
