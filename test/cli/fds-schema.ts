// A checker for the hotrestart-tutor/fds@1 document, written from README's description of it:
// every field present with its documented type. Returns the problems found (empty when valid).

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isInt: Check = (v) => Number.isSafeInteger(v);
const isBool: Check = (v) => typeof v === 'boolean';
const nullable = (check: Check): Check => (v) => v === null || check(v);
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);

function checkObject(value: unknown, shape: Record<string, Check | Record<string, Check>>, where: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null) {
    problems.push(`${where} is not an object`);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, check] of Object.entries(shape)) {
    if (!(key in record)) problems.push(`${where}.${key} is missing`);
    else if (typeof check === 'function') {
      if (!check(record[key])) problems.push(`${where}.${key} has a wrong type: ${JSON.stringify(record[key])}`);
    } else checkObject(record[key], check, `${where}.${key}`, problems);
  }
}

const socketShape = {
  state: nullable(isString), local: nullable(isString), remote: nullable(isString),
  acceptQueue: nullable(isInt), backlog: nullable(isInt), recvQueue: nullable(isInt), sendQueue: nullable(isInt), peerInode: nullable(isInt),
};

export function fdsDocumentProblems(doc: unknown): string[] {
  const problems: string[] = [];
  checkObject(doc, {
    schema: oneOf('hotrestart-tutor/fds@1'),
    takenAt: (v) => isString(v) && !Number.isNaN(Date.parse(v as string)),
    platform: isString,
    source: oneOf('procfs', 'lsof'),
    socketSource: oneOf('sock_diag', 'procfs', 'lsof', 'none'),
    processes: Array.isArray,
    rows: Array.isArray,
    changes: (v) => v === null || Array.isArray(v),
  }, 'document', problems);
  if (problems.length > 0) return problems;
  const { processes, rows, changes } = doc as { processes: unknown[]; rows: unknown[]; changes: unknown[] | null };
  processes.forEach((p, i) => checkObject(p, {
    pid: isInt, command: nullable(isString), status: oneOf('ok', 'gone', 'denied', 'error'), message: nullable(isString), fdCount: isInt,
  }, `processes[${i}]`, problems));
  rows.forEach((row, i) => {
    const where = `rows[${i}]`;
    checkObject(row, {
      pid: isInt, command: isString, fd: isInt, type: isString,
      fdFlags: { cloexec: nullable(isBool) },
      fileFlags: { access: nullable(oneOf('r', 'w', 'rw')), nonblock: nullable(isBool), append: nullable(isBool), raw: nullable(isString) },
      offset: nullable(isInt), inode: nullable(isInt), device: nullable(isString), name: isString,
      socket: (v) => v === null || typeof v === 'object',
      description: { id: isString, identity: oneOf('kcmp', 'socket-inode', 'unique', 'lsof', 'unknown'), note: nullable(isString) },
    }, where, problems);
    const socket = (row as { socket?: unknown }).socket;
    if (socket) checkObject(socket, socketShape, `${where}.socket`, problems);
  });
  changes?.forEach((c, i) => checkObject(c, {
    pid: isInt, fd: isInt, change: oneOf('appeared', 'vanished', 'changed'), fields: Array.isArray,
  }, `changes[${i}]`, problems));
  return problems;
}
