/**
 * The file-distribution bounds of Kumar and Ross (pure): a server with upload u_s sends
 * F bits to N peers with uploads u_i and downloads d_i. Peer to peer needs at least
 *   T_min = max(F/u_s, N·F/(u_s + Σu_i), F/d_min);
 * a central server that uploads everything itself needs at least
 *   T_cs = max(N·F/u_s, F/d_min).
 * Rates in bit/s, sizes in bytes, times in seconds.
 */
export interface Distribution {
  readonly fileBytes: number;
  readonly serverUpBps: number;
  readonly peerUpBps: readonly number[];
  readonly peerDownBps: readonly number[];
}

export interface Bounds {
  readonly tMin: number;
  /** Which term of the max is binding: 'server', 'aggregate' or 'download'. */
  readonly bindingTerm: 'server' | 'aggregate' | 'download';
  readonly terms: { readonly server: number; readonly aggregate: number; readonly download: number };
  readonly tCentral: number;
}

export function bounds(d: Distribution): Bounds {
  const n = d.peerUpBps.length;
  if (n === 0 || d.peerDownBps.length !== n) throw new RangeError('need one up and one down rate per peer');
  if (!(d.fileBytes > 0) || !(d.serverUpBps > 0))
    throw new RangeError('file size and server rate must be > 0');
  if ([...d.peerUpBps, ...d.peerDownBps].some((r) => !(r >= 0)))
    throw new RangeError('peer rates must be >= 0');
  const bits = d.fileBytes * 8;
  const dMin = Math.min(...d.peerDownBps);
  const sumUp = d.peerUpBps.reduce((a, b) => a + b, 0);
  const terms = {
    server: bits / d.serverUpBps,
    aggregate: (n * bits) / (d.serverUpBps + sumUp),
    download: dMin > 0 ? bits / dMin : Infinity,
  };
  const tMin = Math.max(terms.server, terms.aggregate, terms.download);
  const bindingTerm =
    (['server', 'aggregate', 'download'] as const).find((k) => terms[k] === tMin) ?? 'server';
  return { tMin, bindingTerm, terms, tCentral: Math.max((n * bits) / d.serverUpBps, terms.download) };
}

/** Every link at the same rate each way (the benchmark's default). */
export function uniformBounds(fileBytes: number, nodes: number, rateBps: number): Bounds {
  const rates = Array.from({ length: nodes }, () => rateBps);
  return bounds({ fileBytes, serverUpBps: rateBps, peerUpBps: rates, peerDownBps: rates });
}
