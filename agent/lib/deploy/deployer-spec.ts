/**
 * What a configured deployer runs for an update whose URI matches its prefix
 * (docs/deploy-executor.md §Deployers). Who it runs as and in which sandbox is the
 * executor's config (agent/deploy-executor/config.ts), not part of the command.
 */
export type DeployerSpec =
  | { readonly type: 'script'; readonly path: string; readonly args: readonly string[] }
  | { readonly type: 'puppet'; readonly manifest?: string; readonly puppetArgs: readonly string[] }
  /** A payload that is a Debian package, installed with apt-get (dependencies resolved). */
  | { readonly type: 'deb'; readonly aptArgs: readonly string[] };
