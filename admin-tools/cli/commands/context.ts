/**
 * What the command definitions need from main.ts: a place for the action's exit code, and
 * where the CLI's own text goes (help, completion scripts, usage errors). The commands'
 * implementations print their results to the process's stdout themselves.
 */
export interface CliContext {
  exit(code: number): void;
  readonly out?: (text: string) => void;
}

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export const PROCESS_OUTPUT: CliOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
