/**
 * The central-server baseline's server: nginx (Debian nginx-light) in the origin's
 * namespace, serving one directory over plain HTTP on port 80, all paths in the run
 * directory, in the foreground as a child of the benchmark's process group.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessGroup } from '../../test/e2e/harness/processes.ts';
import { waitUntil } from '../../test/e2e/harness/wait.ts';
import { run } from '../../test/e2e/harness/run.ts';

export const HTTP_PORT = 80;

/** nginx.conf text (pure). */
export function nginxConfig(dir: string, listenIp: string): string {
  const tmp = (n: string) => `${n}_temp_path ${join(dir, 'tmp', n)};`;
  return `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 5;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join('\n  ')}
  server {
    listen ${listenIp}:${HTTP_PORT};
    root ${join(dir, 'www')};
  }
}
`;
}

/** Starts nginx in `ns`; returns the directory it serves (put the payload there). */
export async function startNginx(
  procs: ProcessGroup,
  ns: string,
  dir: string,
  listenIp: string,
): Promise<string> {
  const www = join(dir, 'www');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(www, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, listenIp));
  procs.spawn('nginx', ns, 'nginx', ['-c', conf, '-p', dir]);
  await waitUntil(
    'nginx listening',
    async () =>
      (await run('ip', ['netns', 'exec', ns, 'ss', '-Hltn', `sport = :${HTTP_PORT}`])).trim() !== '',
    10_000,
    100,
  );
  return www;
}
