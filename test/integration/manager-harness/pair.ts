/**
 * The two-node bed most integration tests use: A (10.1.0.1) seeds what is published
 * to it with the payload, B (10.1.0.2) downloads from A. Each lists the other in its
 * tracker. Everything lives in one namespace and one temp dir, removed by close().
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, dropRaw, type TestNode } from './node.ts';
import { createNetns, type Netns } from './netns.ts';
import { makeAdmin, makePayload, sign, type Admin, type Signed } from './updates.ts';
import { tempDir } from './util.ts';

export interface Pair {
  readonly tmp: string;
  readonly admin: Admin;
  readonly a: TestNode;
  readonly b: TestNode;
  /** Signs a fresh payload, gives A torrent + payload and B the torrent only. */
  publish(uri: string, version: number, bytes?: number): Promise<Signed & { payload: string; name: string }>;
  close(): Promise<void>;
}

export async function createPair(label: string, bDeployers?: object): Promise<Pair> {
  const tmp = await tempDir(label);
  let ns: Netns | undefined;
  let a: TestNode | undefined;
  let b: TestNode | undefined;
  const close = async (): Promise<void> => {
    await Promise.all([a?.shutdown(), b?.shutdown()]);
    await ns?.remove();
    await tmp.remove();
  };
  try {
    ns = await createNetns();
    const admin = await makeAdmin(tmp.path);
    a = await createNode(tmp.path, 'a', admin.pubPath, ns, '10.1.0.1');
    b = await createNode(tmp.path, 'b', admin.pubPath, ns, '10.1.0.2');
    await Promise.all([a.daemon.start(), b.daemon.start()]);
    await a.writeConfig({ peers: [b.peer] });
    await b.writeConfig({ peers: [a.peer], ...(bDeployers ? { deployers: bDeployers } : {}) });
    await Promise.all([a.startManager(), b.startManager()]);
    let n = 0;
    const A = a;
    const B = b;
    return {
      tmp: tmp.path,
      admin,
      a,
      b,
      async publish(uri, version, bytes = 1024 * 1024) {
        const name = `payload-${++n}-v${version}.bin`;
        const payload = await makePayload(tmp.path, name, bytes);
        const t = await sign(admin, payload, join(tmp.path, `${name}.torrent`), { uri, version });
        await dropRaw(A, name, await readFile(payload));
        await dropRaw(A, `${name}.torrent`, t.raw);
        await dropRaw(B, `${name}.torrent`, t.raw);
        return { ...t, payload, name };
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
