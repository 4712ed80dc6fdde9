// Shares the terminal's height among the sections of a screen. Every section first gets its minimum
// (in order of importance, as long as lines remain), then the ones allowed to grow take what is left,
// in their order. The result never has more lines than the height: nothing scrolls off the screen.

export interface Block {
  id: string;
  /** Lines it would take with unlimited room. */
  size: number;
  /** Lines it gets before any block grows (capped by size). */
  min: number;
  /** Draws the block in exactly `height` lines or fewer (height ≤ size). */
  render(height: number): string[];
}

export interface FitOrder {
  /** Block ids in the order their minimum is served; blocks not listed get no minimum. */
  mins: readonly string[];
  /** Block ids in the order they grow to their full size, or to a cap given as [id, lines]; a block
   *  may appear again later to grow further. Blocks not listed stay at their minimum. */
  grow: ReadonlyArray<string | readonly [string, number]>;
}

export interface FittedScreen {
  lines: string[];
  /** Lines given to each block. */
  heights: Record<string, number>;
}

export function fitBlocks(blocks: readonly Block[], height: number, order: FitOrder): FittedScreen {
  const heights: Record<string, number> = Object.fromEntries(blocks.map((b) => [b.id, 0]));
  const byId = new Map(blocks.map((b) => [b.id, b]));
  let remaining = Math.max(0, height);
  for (const id of order.mins) {
    const block = byId.get(id);
    if (!block) continue;
    const give = Math.min(block.min, block.size, remaining);
    heights[id] += give;
    remaining -= give;
  }
  for (const entry of order.grow) {
    const [id, cap] = typeof entry === 'string' ? [entry, Infinity] : entry;
    const block = byId.get(id);
    if (!block) continue;
    const give = Math.max(0, Math.min(Math.min(block.size, cap) - heights[id], remaining));
    heights[id] += give;
    remaining -= give;
  }
  const lines = blocks.flatMap((block) => (heights[block.id] > 0 ? block.render(heights[block.id]).slice(0, heights[block.id]) : []));
  return { lines, heights };
}

/** A block of ready lines. `head` keeps the first lines and ends with `more(hidden)` when cut;
 *  `tail` keeps the last lines (a log shows what happened last). */
export function linesBlock(id: string, lines: readonly string[], min: number, keep: 'head' | 'tail' = 'head', more?: (hidden: number) => string): Block {
  return {
    id,
    size: lines.length,
    min,
    render(height) {
      if (lines.length <= height) return [...lines];
      if (keep === 'tail') return lines.slice(lines.length - height);
      if (!more || height < 2) return lines.slice(0, height);
      return [...lines.slice(0, height - 1), more(lines.length - height + 1)];
    },
  };
}
