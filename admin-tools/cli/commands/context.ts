/** What the command definitions need from main.ts: a place for the action's exit code. */
export interface CliContext {
  exit(code: number): void;
}
