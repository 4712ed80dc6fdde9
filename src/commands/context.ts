// What every command receives from cli.ts: the streams to use and the decisions taken before any
// colour or terminal library was loaded. Commands never read process.stdout or process.env directly,
// so tests can run them with their own streams.

export interface CommandContext {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  /** Colour allowed (already pinned into the environment for chalk when false). */
  color: boolean;
  /** A person at a terminal: stdin and stdout are TTYs and CI is not set. Otherwise output is plain text. */
  interactive: boolean;
}

export interface Command {
  /** Full help text, printed for `hotrestart-tutor NAME --help`. */
  usage: string;
  /** Returns the process exit code; throws UserError for mistakes the user can fix. */
  run(args: string[], context: CommandContext): Promise<number>;
}

export interface CommandEntry {
  name: string;
  summary: string;
  /** Loaded on demand so that `--help` and colour decisions never pull in ink or koffi. */
  load(): Promise<Command>;
}
