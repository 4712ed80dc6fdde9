// The verifier's side of sd_notify(3): a unix datagram socket in the verify's private 0700 directory,
// with SO_PASSCRED set before anyone can send, so every datagram comes with the kernel's word on who
// sent it (SCM_CREDENTIALS). It applies systemd's rules for a Type=notify unit with NotifyAccess=all
// (service_notify_message(), src/core/service.c): every process of the service may notify; MAINPID=<pid>
// is accepted when the pid is a process of the service, and then that pid is the main process.
// Each datagram is handed to `onMessage` as it is read, in order; the next one is read only after the
// previous one's handler settled (so a probe made in a handler sees the program as it was then).
import { join } from 'node:path';
import * as sys from '../../src/sys/index.js';

export interface Notification {
  /** The sender's pid, from SCM_CREDENTIALS (the kernel's, not the program's word). */
  sender: number;
  fields: Map<string, string>;
  text: string;
  /** Milliseconds since the manager opened its socket. */
  at: number;
  /** The main pid before and after this message was applied. */
  mainBefore: number;
  mainAfter: number;
}

export class NotifyManager {
  readonly path: string;
  readonly log: Notification[] = [];
  private readonly fd: number;
  private readonly opened = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private busy = 0;
  private failure: unknown;

  constructor(
    dir: string,
    /** The main pid: the process the verifier started, until a MAINPID= moves it. */
    public mainPid: number,
    /** Live processes of the service (systemd: its control group). */
    private readonly members: () => number[],
    private readonly onMessage: (message: Notification) => Promise<void>,
  ) {
    this.path = join(dir, 'notify');
    this.fd = sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_NONBLOCK | sys.SOCK_CLOEXEC);
    // Before bind: a datagram queued without SO_PASSCRED would carry no credentials.
    sys.setsockoptInt(this.fd, sys.SOL_SOCKET, sys.SO_PASSCRED, 1);
    sys.bind(this.fd, { family: 'unix', path: this.path });
  }

  /** Reads datagrams as they come (every 5 ms) until close(). */
  watch(): void {
    this.timer = setInterval(() => {
      // A handler still probing: its drain reads the rest. A failure shows at the scenario's next pump().
      if (this.busy === 0) this.pump().catch(() => {});
    }, 5);
  }

  /** Reads and handles every datagram queued now; resolves when they are handled. */
  pump(): Promise<void> {
    this.busy++;
    this.chain = this.chain.then(() => this.drain()).catch((error: unknown) => {
      this.failure ??= error;
    }).finally(() => this.busy--);
    return this.chain.then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
  }

  private async drain(): Promise<void> {
    while (!this.closed && sys.pollOne(this.fd, sys.POLLIN, 0) & sys.POLLIN) {
      const { data, credentials } = sys.recvWithCredentials(this.fd, 4096);
      // systemd: "Received notify message without valid credentials. Ignoring."
      if (!credentials || credentials.pid <= 0) continue;
      const text = data.toString();
      const fields = new Map(text.split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]));
      const mainBefore = this.mainPid;
      const named = Number(fields.get('MAINPID'));
      // A MAINPID= outside the service is refused (systemd: "New main PID %d does not belong to service").
      if (fields.has('MAINPID') && Number.isInteger(named) && named > 0 && this.members().includes(named)) this.mainPid = named;
      const message: Notification = { sender: credentials.pid, fields, text, at: Date.now() - this.opened, mainBefore, mainAfter: this.mainPid };
      this.log.push(message);
      await this.onMessage(message);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    sys.close(this.fd);
  }
}

/** A datagram as evidence: `+287 ms  pid 1234 (SCM_CREDENTIALS): MAINPID=1234 READY=1`. */
export function evidenceLine(message: Notification): string {
  return `+${message.at} ms  pid ${message.sender} (SCM_CREDENTIALS): ${message.text.trim().split('\n').join(' ')}`;
}
