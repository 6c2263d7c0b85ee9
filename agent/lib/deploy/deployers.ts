/**
 * From a configured deployer to the command line, pure (docs/deploy-executor.md
 * §Deployers). A script gets the payload path in P2PU_FILE (a directory payload: P2PU_DIR
 * too, the same path); `puppet apply` gets the
 * configured manifest, or the payload itself when none is configured; a `deb` payload is
 * installed with `apt-get install` (its file is given a .deb name: payloadName).
 */
import type { DeployerSpec } from './deployer-spec.ts';

export interface DeployCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** Exit codes that mean "applied". */
  readonly okCodes: readonly number[];
  /** Variables this kind of deployer needs beside deployEnv's (e.g. apt's frontend). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

export function deployCommand(spec: DeployerSpec, payloadPath: string): DeployCommand {
  if (spec.type === 'script') return { file: spec.path, args: spec.args, okCodes: [0] };
  if (spec.type === 'deb')
    return {
      file: 'apt-get',
      // Never ask: keep changed conffiles, take the package's default otherwise.
      args: [
        'install',
        '-y',
        '-o',
        'Dpkg::Options::=--force-confdef',
        '-o',
        'Dpkg::Options::=--force-confold',
        ...spec.aptArgs,
        payloadPath,
      ],
      okCodes: [0],
      extraEnv: { DEBIAN_FRONTEND: 'noninteractive' },
    };
  // --detailed-exitcodes: 0 nothing to change, 2 changes applied; 4 and 6 mean failures
  // (without it puppet apply exits 0 even when resources fail).
  return {
    file: 'puppet',
    args: [
      'apply',
      '--detailed-exitcodes',
      '--color=false',
      ...spec.puppetArgs,
      spec.manifest ?? payloadPath,
    ],
    okCodes: [0, 2],
  };
}

/** The payload's file name for this deployer: apt-get installs a local file only by a .deb name. */
export function payloadName(spec: DeployerSpec, infoName: string): string {
  return spec.type === 'deb' && !infoName.endsWith('.deb') ? `${infoName}.deb` : infoName;
}

export const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The whole environment of a deployer: nothing of the executor's own leaks in. */
export function deployEnv(
  uri: string,
  version: number,
  payloadPath: string,
  directory = false,
): Record<string, string> {
  const env = { PATH: SAFE_PATH, P2PU_URI: uri, P2PU_VERSION: String(version), P2PU_FILE: payloadPath };
  // A directory payload (docs/deploy-executor.md §Deployers): P2PU_DIR names it too.
  return directory ? { ...env, P2PU_DIR: payloadPath } : env;
}
