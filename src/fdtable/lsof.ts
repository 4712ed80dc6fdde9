// The macOS collector: `lsof -F` (machine-readable field output) mapped onto the same model.
// macOS has neither /proc nor kcmp: sockets are identified by lsof's kernel socket address (field d),
// other fds by inode when no other fd shares it; fds sharing an inode are marked unknown.
import { spawnSync } from 'node:child_process';
import type { AccessMode, FdRow, FdType, ProcessInfo, Snapshot, SocketDetails } from './model.js';
import { assignLetters } from './letters.js';

export interface LsofFile {
  fd: number;
  access: string | null;
  type: string | null;
  offset: number | null;
  inode: number | null;
  device: string | null;
  name: string;
  protocol: string | null;
  tcp: Record<string, string>;
  /** The G field: `0x...;0x...` (file flags; fd flags) or flag names, as lsof prints them. */
  flags: string | null;
}

export interface LsofProcess {
  pid: number;
  command: string | null;
  files: LsofFile[];
}

function parseOffset(text: string): number | null {
  if (text.startsWith('0t')) return Number(text.slice(2));
  if (text.startsWith('0x')) return parseInt(text.slice(2), 16);
  return null;
}

/** Parses `lsof -F pcfatoidnPTG` output. Fds that are not numbers (cwd, txt, mem) are skipped. */
export function parseLsofFields(output: string): LsofProcess[] {
  const processes: LsofProcess[] = [];
  let process: LsofProcess | null = null;
  let file: LsofFile | null = null;
  for (const line of output.split('\n')) {
    if (!line) continue;
    const field = line[0];
    const value = line.slice(1);
    if (field === 'p') {
      process = { pid: Number(value), command: null, files: [] };
      processes.push(process);
      file = null;
    } else if (field === 'c' && process) {
      process.command = value;
    } else if (field === 'f' && process) {
      const fd = Number(value);
      file = Number.isInteger(fd) && /^\d+$/.test(value)
        ? { fd, access: null, type: null, offset: null, inode: null, device: null, name: '', protocol: null, tcp: {}, flags: null }
        : null;
      if (file) process.files.push(file);
    } else if (file) {
      if (field === 'a') file.access = value;
      else if (field === 't') file.type = value;
      else if (field === 'o') file.offset = parseOffset(value);
      else if (field === 'i') file.inode = Number(value);
      else if (field === 'd') file.device = value;
      else if (field === 'n') file.name = value;
      else if (field === 'P') file.protocol = value;
      else if (field === 'G') file.flags = value;
      else if (field === 'T') {
        const eq = value.indexOf('=');
        if (eq > 0) file.tcp[value.slice(0, eq)] = value.slice(eq + 1);
      }
    }
  }
  return processes;
}

// Darwin kernel file flags (sys/fcntl.h): FREAD 0x1, FWRITE 0x2, O_NONBLOCK 0x4, O_APPEND 0x8; fd flag UF_EXCLOSE 0x1.
interface DecodedFlags {
  access: AccessMode | null;
  nonblock: boolean | null;
  append: boolean | null;
  cloexec: boolean | null;
}

export function decodeLsofFlags(flags: string | null, access: string | null): DecodedFlags {
  const fromAccess: AccessMode | null = access === 'r' ? 'r' : access === 'w' ? 'w' : access === 'u' ? 'rw' : null;
  if (!flags) return { access: fromAccess, nonblock: null, append: null, cloexec: null };
  if (flags.startsWith('0x')) {
    const [fileHex, fdHex] = flags.split(';');
    const file = parseInt(fileHex, 16);
    const fdFlags = fdHex ? parseInt(fdHex, 16) : NaN;
    const read = (file & 1) !== 0;
    const write = (file & 2) !== 0;
    return {
      access: read && write ? 'rw' : write ? 'w' : read ? 'r' : fromAccess,
      nonblock: (file & 4) !== 0,
      append: (file & 8) !== 0,
      cloexec: Number.isNaN(fdFlags) ? null : (fdFlags & 1) !== 0,
    };
  }
  // Names, as printed with +fg: R, W, RW, NB, AP, CX (close-on-exec) ...
  const names = new Set(flags.split(/[,;]/).map((s) => s.trim().toUpperCase()));
  return {
    access: names.has('RW') || (names.has('R') && names.has('W')) ? 'rw' : names.has('W') ? 'w' : names.has('R') ? 'r' : fromAccess,
    nonblock: names.has('NB') || names.has('NBIO'),
    append: names.has('AP'),
    cloexec: names.has('CX'),
  };
}

const lsofTypes: Record<string, FdType> = { REG: 'REG', DIR: 'DIR', CHR: 'CHR', BLK: 'BLK', FIFO: 'FIFO', PIPE: 'FIFO', unix: 'UNIX', KQUEUE: 'anon' };

function typeOf(file: LsofFile): FdType {
  if (file.type === 'IPv4' || file.type === 'IPv6') {
    const v6 = file.type === 'IPv6' ? '6' : '';
    return file.protocol === 'UDP' ? (`UDP${v6}` as FdType) : (`TCP${v6}` as FdType);
  }
  return lsofTypes[file.type ?? ''] ?? 'unknown';
}

function socketOf(file: LsofFile, type: FdType): SocketDetails | null {
  if (!['TCP', 'TCP6', 'UDP', 'UDP6', 'UNIX'].includes(type)) return null;
  const state = file.tcp.ST ?? null;
  const [local, remote] = file.name.split('->');
  const listening = state === 'LISTEN';
  const qr = file.tcp.QR === undefined ? null : Number(file.tcp.QR);
  const qs = file.tcp.QS === undefined ? null : Number(file.tcp.QS);
  return {
    state,
    local: local || null,
    remote: remote ?? null,
    acceptQueue: listening ? qr : null,
    backlog: null,
    recvQueue: listening ? null : qr,
    sendQueue: listening ? null : qs,
    peerInode: null,
  };
}

/** Builds the model from parsed lsof output; `asked` lists the pids requested (missing ones are 'gone'). */
export function snapshotFromLsof(asked: number[], parsed: LsofProcess[], takenAt = Date.now()): Snapshot {
  const byPid = new Map(parsed.map((p) => [p.pid, p]));
  const processes: ProcessInfo[] = [];
  const rows: FdRow[] = [];
  const keys: string[] = [];
  for (const pid of [...new Set(asked)]) {
    const found = byPid.get(pid);
    if (!found) {
      processes.push({ pid, command: null, status: 'gone', message: `No process with pid ${pid} (or lsof may not read it).`, fdCount: 0 });
      continue;
    }
    processes.push({ pid, command: found.command, status: 'ok', message: null, fdCount: found.files.length });
    for (const file of found.files) {
      const type = typeOf(file);
      const socket = socketOf(file, type);
      const flags = decodeLsofFlags(file.flags, file.access);
      const state = socket?.state;
      rows.push({
        pid,
        command: found.command ?? '?',
        fd: file.fd,
        type,
        cloexec: flags.cloexec,
        access: flags.access,
        nonblock: flags.nonblock,
        append: flags.append,
        flagsRaw: file.flags,
        offset: socket ? null : file.offset,
        inode: file.inode,
        device: socket ? null : file.device,
        name: state && !file.name.includes(`(${state})`) ? `${file.name} (${state})` : file.name,
        socket,
        description: '?',
        identity: 'unknown',
        descriptionNote: null,
      });
      keys.push(socket && file.device ? `sock:${file.device}` : `file:${file.device}:${file.inode}`);
    }
  }
  // Sockets: lsof's kernel address names the socket. Files: unique inode means a unique description;
  // a shared inode cannot be resolved without kcmp, so those rows say so.
  const counts = new Map<string, number>();
  keys.forEach((k) => counts.set(k, (counts.get(k) ?? 0) + 1));
  const inputs = rows.map((row, i) => {
    const key = keys[i];
    const isSocket = key.startsWith('sock:');
    const known = isSocket || counts.get(key) === 1;
    row.identity = isSocket ? 'lsof' : known ? 'unique' : 'unknown';
    row.descriptionNote = known ? null : 'macOS has no kcmp: fds on one inode may or may not share a description';
    return { pid: row.pid, fd: row.fd, inodeKey: key, descriptionKey: key, known };
  });
  const letters = assignLetters(inputs);
  rows.forEach((row, i) => (row.description = letters[i]));
  return { takenAt, platform: 'darwin', source: 'lsof', socketSource: 'lsof', processes, rows };
}

export function snapshotLsof(pids: number[]): Snapshot {
  const takenAt = Date.now();
  const result = spawnSync('lsof', ['-n', '-P', '-w', '-F', 'pcfatoidnPTG', '-p', pids.join(',')], { encoding: 'utf8' });
  if (result.error) throw new Error(`lsof could not be run (${result.error.message}); it is needed to read fd tables on macOS.`);
  return snapshotFromLsof(pids, parseLsofFields(result.stdout), takenAt);
}
