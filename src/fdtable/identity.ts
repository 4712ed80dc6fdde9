// Which fds share one open file description. Three cheap facts decide most cases before the kernel
// is asked: a socket inode names exactly one description (a socket cannot be opened a second time);
// fds on different inodes can never share a description; an inode seen by one fd only has one.
// Only fds on the same inode (a file opened twice, a pipe's two ends, stdio inherited by children,
// the shared anon inode of epoll/eventfd) need kcmp(KCMP_FILE), which orders the kernel's struct file
// pointers, so a sort needs O(n log n) calls rather than comparing every pair.
import * as sys from '../sys/index.js';
import type { IdentityMethod } from './model.js';

export interface IdentityInput {
  pid: number;
  fd: number;
  /** Fds with different keys cannot share a description: `sock:123`, `file:8:1:4567`, `anon:eventfd:11`. */
  inodeKey: string;
  isSocket: boolean;
}

export interface Identity {
  /** Same value = same open file description, within this snapshot. */
  descriptionKey: string;
  method: IdentityMethod;
  note: string | null;
}

const rowKey = (pid: number, fd: number) => `${pid}:${fd}`;

/**
 * Each group's members in the order kcmp sorted them last time. A live view sorts the same groups
 * every refresh; handing the sort last order first lets it check an already sorted run (n - 1 kcmp
 * calls instead of about n log n). Only the starting order comes from the past: every answer the
 * partition uses is asked of the kernel now, so a fd that changed description is still seen.
 */
let lastOrder = new Map<string, string[]>();

export function resolveIdentities(inputs: IdentityInput[]): Map<string, Identity> {
  const out = new Map<string, Identity>();
  const order = new Map<string, string[]>();
  const groups = new Map<string, IdentityInput[]>();
  for (const input of inputs) {
    if (input.isSocket) {
      out.set(rowKey(input.pid, input.fd), { descriptionKey: input.inodeKey, method: 'socket-inode', note: null });
      continue;
    }
    const group = groups.get(input.inodeKey);
    if (group) group.push(input);
    else groups.set(input.inodeKey, [input]);
  }
  const kcmpUsable = sys.ffiAvailable() && sys.kcmpSupported();
  for (const [inodeKey, members] of groups) {
    if (members.length === 1) {
      const [only] = members;
      out.set(rowKey(only.pid, only.fd), { descriptionKey: `${inodeKey}#0`, method: 'unique', note: null });
      continue;
    }
    if (!kcmpUsable) {
      const note = `kcmp is not available here (${sys.ffiUnavailableReason() ?? process.platform}), so fds on one inode cannot be told apart`;
      for (const m of members) out.set(rowKey(m.pid, m.fd), { descriptionKey: `${inodeKey}?${m.pid}:${m.fd}`, method: 'unknown', note });
      continue;
    }
    partitionWithKcmp(inodeKey, members, out, order);
  }
  lastOrder = order;
  return out;
}

/** kcmp's answer as a sort order: 0 same, 1 first is lower, 2 first is higher; 3 (unordered) is an error. */
function kcmpOrder(r: number): number {
  if (r === 0) return 0;
  if (r === 1) return -1;
  if (r === 2) return 1;
  throw new Error('kcmp could not order two different descriptions');
}

function partitionWithKcmp(inodeKey: string, members: IdentityInput[], out: Map<string, Identity>, order: Map<string, string[]>): void {
  // Sorting asks for some pairs twice (and the partition pass below asks for adjacent pairs again).
  const memo = new Map<string, number>();
  const compare = (a: IdentityInput, b: IdentityInput): number => {
    if (a.pid === b.pid && a.fd === b.fd) return 0;
    const key = `${a.pid}:${a.fd}/${b.pid}:${b.fd}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = kcmpOrder(sys.kcmpFile(a.pid, a.fd, b.pid, b.fd));
    memo.set(key, result);
    memo.set(`${b.pid}:${b.fd}/${a.pid}:${a.fd}`, -result);
    return result;
  };
  const previous = new Map((lastOrder.get(inodeKey) ?? []).map((key, i) => [key, i]));
  const rank = (m: IdentityInput) => previous.get(rowKey(m.pid, m.fd)) ?? Infinity;
  let sorted: IdentityInput[];
  try {
    sorted = [...members].sort((a, b) => rank(a) - rank(b) || 0).sort(compare);
  } catch (error) {
    // One unreadable process (another user's, or one that exited mid-snapshot) spoils the order of
    // its whole group; fall back to comparing each member with the representatives found so far.
    partitionPairwise(inodeKey, members, out, error);
    return;
  }
  order.set(inodeKey, sorted.map((m) => rowKey(m.pid, m.fd)));
  let partition = 0;
  sorted.forEach((m, i) => {
    if (i > 0 && compare(sorted[i - 1], m) !== 0) partition++;
    out.set(rowKey(m.pid, m.fd), { descriptionKey: `${inodeKey}#${partition}`, method: 'kcmp', note: null });
  });
}

function partitionPairwise(inodeKey: string, members: IdentityInput[], out: Map<string, Identity>, firstError: unknown): void {
  const representatives: IdentityInput[] = [];
  for (const m of members) {
    let found = -1;
    let failure: unknown = null;
    for (let i = 0; i < representatives.length && found < 0; i++) {
      try {
        if (sys.kcmpFile(representatives[i].pid, representatives[i].fd, m.pid, m.fd) === 0) found = i;
      } catch (error) {
        failure = error;
      }
    }
    if (found >= 0) {
      out.set(rowKey(m.pid, m.fd), { descriptionKey: `${inodeKey}#${found}`, method: 'kcmp', note: null });
    } else if (failure) {
      const why = failure instanceof sys.SysError ? failure.code : String(firstError);
      out.set(rowKey(m.pid, m.fd), {
        descriptionKey: `${inodeKey}?${m.pid}:${m.fd}`,
        method: 'unknown',
        note: `the kernel refused to compare this fd with others on the same inode (kcmp: ${why})`,
      });
    } else {
      representatives.push(m);
      out.set(rowKey(m.pid, m.fd), { descriptionKey: `${inodeKey}#${representatives.length - 1}`, method: 'kcmp', note: null });
    }
  }
}
