// Errors a user can cause. cli.ts prints the message as one sentence on stderr and exits with the
// code; anything else that escapes a command is a bug and is reported as one (stack only on request).

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNSUPPORTED = 3;

export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'UserError';
  }
}
