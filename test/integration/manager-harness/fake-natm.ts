/**
 * A test-side natm on a Unix socket, for a real manager process. The manager's link is
 * the connection whose first line is a `hello` (the newest such one: the manager says
 * hello again after a reconnect). Every other connection is a one-shot query (the
 * manager's uTP switch asks for `members` every 5 s, `p2p-update status` too): it is
 * closed unanswered and never taken for the link, so what the test sends reaches the
 * link. What the manager sends on the link is collected in `got`.
 */
import { createServer, type Socket } from 'node:net';

export type Msg = Record<string, unknown> & { type: string };

export interface FakeNatm {
  /** Messages from the manager on its link, in order (bad JSON lines left out). */
  readonly got: Msg[];
  /** How many one-shot queries were closed unanswered. */
  readonly queries: () => number;
  readonly link: () => Socket | null;
  /** One message to the manager over its link (throws while there is none). */
  readonly send: (m: object) => void;
  readonly writeRaw: (text: string) => void;
  readonly close: () => Promise<void>;
}

export async function startFakeNatm(path: string): Promise<FakeNatm> {
  const got: Msg[] = [];
  let link: Socket | null = null;
  let queries = 0;
  const open = new Set<Socket>();
  const server = createServer((c) => {
    open.add(c);
    c.on('close', () => open.delete(c));
    c.on('error', () => undefined);
    let buf = '';
    let first = true;
    c.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let m: Msg | null = null;
        try {
          m = JSON.parse(line) as Msg;
        } catch {
          m = null;
        }
        if (first) {
          first = false;
          if (m?.type !== 'hello') {
            queries++;
            c.destroy();
            return;
          }
          link = c;
        }
        if (m && c === link) got.push(m);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  const linked = (): Socket => {
    if (!link || link.destroyed) throw new Error('fake natm: the manager has no link');
    return link;
  };
  return {
    got,
    queries: () => queries,
    link: () => (link && !link.destroyed ? link : null),
    send: (m) => void linked().write(`${JSON.stringify(m)}\n`),
    writeRaw: (text) => void linked().write(text),
    close: async () => {
      for (const c of open) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
