/**
 * The race behind a bridge-serve flake, on the simulated network with natm's production
 * code: a bridge child admitted before its bridge's first rendezvous table hears the
 * bridge's public address (the bridge passes that page on, its own entry included); one
 * admitted later never does. Either way the child's status must name its bridge when the
 * bridge refuses an update and serves nothing (serve-view.ts, serve-only.ts isNeighbour).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sourceText } from '../../agent/manager/serve-view.ts';
import { SimWorld } from '../natm/sim-world.ts';

for (const childFirst of [true, false])
  test(`a child names its refusing bridge (child admitted ${childFirst ? 'before' : 'after'} the bridge's first table)`, async () => {
    const w = await SimWorld.create({ delayMs: 10 });
    w.addRendezvous();
    w.addNode('n1', 'open');
    const fw = w.net.addNat(w.publicAddress(), 'port-restricted');
    w.addNode('n3', { nat: fw }, { bridge: true });
    if (!childFirst) w.run(5000);
    const lan3 = w.hosts.get('n3')!.address;
    const n4 = w.addNode('n4', { nat: fw, isolated: true }, { bridgeVia: `${lan3}:4000` });
    w.run(10_000);
    const p = n4.peer('n3');
    assert.equal(p?.path, 'direct');
    assert.equal(p?.external !== undefined, childFirst, 'the order decides what the child heard');
    const ours = n4.external?.address ?? null;
    assert.equal(ours, null, 'a bridge child has no public address');
    const row = {
      ...{ id: 'n3', self: false, status: 'alive', path: p!.path, external: p!.external ?? null },
      ...{ current: null, conditions: ['not_serving'] },
    };
    const [line] = sourceText(['app:/x v3'], [row], ours);
    assert.match(line ?? '', /^source: neighbour n3 refused an update and does not serve it/);
    await w.stop();
  });
