// The LISTEN rows of a table a plain lesson printed (`  > PID NAME FD TCP DESC ... NODE QUEUE ADDR (LISTEN)`),
// for tests that read back what the learner saw: which process held which socket, by letter and inode.

export interface ListenRow {
  pid: number;
  name: string;
  fd: number;
  desc: string;
  inode: number;
  port: number;
}

export function listenRows(step: string): ListenRow[] {
  return [...step.matchAll(/^ {2}[> ] +(\d+) +(\S+) +(\d+) +TCP +(\w+) +\S+ +\S+ +\S+ +(\d+) +\d+\/\d+ +127\.0\.0\.1:(\d+) \(LISTEN\)$/gm)].map((m) => ({
    pid: Number(m[1]),
    name: m[2],
    fd: Number(m[3]),
    desc: m[4],
    inode: Number(m[5]),
    port: Number(m[6]),
  }));
}
