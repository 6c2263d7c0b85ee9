/**
 * One boot of a container: a `systemd-nspawn --boot` process on a root directory, joined to
 * a network namespace made beforehand (never the host's network). This machine's PID 1 is
 * not systemd, hence --register=no --keep-unit (no machined, no scope unit). The console
 * goes to a log file. `initPid` is the container's systemd (PID 1 inside), seen from here.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { waitUntil } from '../../e2e/harness/wait.ts';

export interface NspawnInit {
  /** Machine name (the container's hostname too). */
  readonly name: string;
  readonly root: string;
  /** Network namespace name (/run/netns/NAME). */
  readonly netns: string;
  /** Console output is appended here. */
  readonly consoleLog: string;
}

export class NspawnBoot {
  private constructor(
    readonly nspawnPid: number,
    readonly initPid: number,
    readonly exited: Promise<number | null>,
  ) {}

  static async start(init: NspawnInit): Promise<NspawnBoot> {
    const fd = openSync(init.consoleLog, 'a');
    const child = spawn(
      'systemd-nspawn',
      [
        ...['-q', '-D', init.root, '--boot', '--register=no', '--keep-unit'],
        ...[`--machine=${init.name}`, `--network-namespace-path=/run/netns/${init.netns}`],
        // the container is its own: no host journal, resolv.conf or timezone bound in
        ...['--link-journal=no', '--resolv-conf=off', '--timezone=off', '--console=read-only'],
      ],
      { stdio: ['ignore', fd, fd], cwd: '/' },
    );
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
      child.once('error', () => resolve(null));
    });
    let gone = false;
    void exited.then(() => (gone = true));
    const pid = child.pid;
    if (pid === undefined) throw new Error(`systemd-nspawn did not start (${init.consoleLog})`);
    let initPid = 0;
    await waitUntil(
      `the init of container ${init.name}`,
      () => {
        if (gone) throw new Error(`systemd-nspawn exited; console: ${init.consoleLog}`);
        initPid = containerInit(pid) ?? 0;
        return initPid > 0;
      },
      30_000,
      50,
    );
    return new NspawnBoot(pid, initPid, exited);
  }
}

/** The descendant of `nspawnPid` that is PID 1 of its own PID namespace. */
export function containerInit(nspawnPid: number): number | undefined {
  const queue = [nspawnPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of childrenOf(pid)) {
      const nspid = /^NSpid:\s+(.*)$/m
        .exec(readOr(`/proc/${child}/status`))?.[1]
        ?.trim()
        .split(/\s+/);
      if (nspid && nspid.length > 1 && nspid.at(-1) === '1') return child;
      queue.push(child);
    }
  }
  return undefined;
}

function childrenOf(pid: number): number[] {
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((t) =>
    readOr(`/proc/${pid}/task/${t}/children`).split(/\s+/).filter(Boolean).map(Number),
  );
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
