// node:util parseArgs with its errors turned into one sentence a user can act on.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>>;

/** Parses `args` strictly; unknown options and missing values become a UserError (exit 2). */
export function parseOptions<T extends Options>(args: string[], options: T, helpCommand: string): Parsed<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const option = /'(-[^' ]*)/.exec((error as Error).message)?.[1];
    const what =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `Unknown option ${option ?? ''}`.trimEnd()
      : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? `Option ${option ?? ''} takes no value or needs one`.replace('  ', ' ')
      : 'Unexpected argument';
    throw new UserError(`${what}; see ${helpCommand} --help.`);
  }
}

/** True when -h or --help appears before a `--` terminator. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  return args.slice(0, end).some((arg) => arg === '-h' || arg === '--help');
}
