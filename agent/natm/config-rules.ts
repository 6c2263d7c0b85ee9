/** natm's cross-field config rules (config.ts): each names the key it refuses and why. */
import type { z } from 'zod';

interface Fields {
  clusterKeys: readonly string[];
  identityDir?: string | undefined;
  enrollServer?: string | undefined;
  noticesDir?: string | undefined;
  rendezvous: readonly unknown[];
  bridgeVia?: unknown;
  keepaliveMs: number;
  pathTimeoutMs?: number | undefined;
  streamFallback?:
    { tcpPort?: number | undefined; tlsPort?: number | undefined; tlsPin?: string | undefined } | undefined;
}

export function natmRules(c: Fields, ctx: z.RefinementCtx): void {
  const refuse = (key: string, message: string, input?: unknown) =>
    ctx.addIssue({ code: 'custom', path: [key], message, ...(input === undefined ? {} : { input }) });
  if (c.identityDir === undefined) {
    if (c.enrollServer !== undefined) refuse('enrollServer', 'identityDir beside it (the enroll state dir)');
    if (c.noticesDir !== undefined) refuse('noticesDir', 'identityDir beside it (the enroll state dir)');
    if (c.clusterKeys.length === 0)
      refuse('clusterKeys', 'at least one key, or identityDir for certificate (open) mode');
  }
  if (c.rendezvous.length === 0 && c.bridgeVia === undefined)
    refuse('rendezvous', 'at least one HOST:PORT (or bridgeVia for a bridge child)');
  if (c.pathTimeoutMs !== undefined && c.pathTimeoutMs < 2 * c.keepaliveMs)
    refuse('pathTimeoutMs', `at least 2 x keepaliveMs (${2 * c.keepaliveMs})`, c.pathTimeoutMs);
  const f = c.streamFallback;
  if (f && !f.tcpPort && !f.tlsPort) refuse('streamFallback', 'tcpPort or tlsPort (or no streamFallback)');
  if (f?.tlsPort && !f.tlsPin)
    refuse('streamFallback', 'tlsPin beside tlsPort: the pinned key of the rendezvous');
  if (f && c.rendezvous.length === 0) refuse('streamFallback', 'a rendezvous to fall back to');
}
