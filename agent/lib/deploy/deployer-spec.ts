/**
 * A configured deployer (docs/manager.md §Deployer contract): what runs for an update
 * whose URI matches its prefix.
 */
export type DeployerSpec =
  | { readonly type: 'script'; readonly path: string; readonly args: readonly string[] }
  | { readonly type: 'puppet'; readonly manifest?: string; readonly puppetArgs: readonly string[] };
