/**
 * The simulation's stand-in for a signed state record (issue 16 item 4 signs the real ones on
 * another branch): what a node says about itself for the rollout — tags and its outcome for
 * one update — with a seq and an Ed25519 signature by the node's own key:
 *   item = bencode([ bencode(body), signature ]),  body = {key, node, outcome, seq, tags}
 *   signature = Ed25519(node key, "p2pu-sim-report\0" ‖ bencode(body))
 * Items are registered once (ReportRegistry) and move between nodes by index.
 */
import bencode from 'bencode';
import type { FleetRecord, Outcome } from '../../../agent/lib/rollout/fleet.ts';
import { parseTagString } from '../../../agent/lib/rollout/tags.ts';
import { sodium } from '../../../agent/lib/crypto/sodium.ts';

export type Sodium = Awaited<ReturnType<typeof sodium>>;
const CONTEXT = Buffer.from('p2pu-sim-report\0');

export interface Report {
  readonly node: string;
  readonly seq: number;
  readonly tags: string;
  readonly key: string;
  readonly outcome: Outcome | '';
}

export interface NodeKey {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function signReport(na: Sodium, r: Report, key: NodeKey): Uint8Array {
  const body = bencode.encode({ key: r.key, node: r.node, outcome: r.outcome, seq: r.seq, tags: r.tags });
  const sig = na.crypto_sign_detached(Buffer.concat([CONTEXT, body]), key.secretKey);
  return bencode.encode([body, sig]);
}

/** A report with no valid signature: what a member forging another node's success sends. */
export function unsignedReport(r: Report): Uint8Array {
  return bencode.encode([bencode.encode({ ...r }), Buffer.alloc(64)]);
}

const text = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString() : '');

/** An item as read: the report, whether its signature is the named node's, and the fleet record. */
export interface ReadItem {
  readonly index: number;
  readonly report: Report;
  readonly signed: boolean;
  readonly record: FleetRecord | null;
}

function recordOf(r: Report, signed: boolean): FleetRecord | null {
  const outcomes = new Map<string, Outcome>();
  if (r.outcome !== '') outcomes.set(r.key, r.outcome);
  try {
    return { node: r.node, signed, tags: parseTagString(r.tags), outcomes };
  } catch {
    return null;
  }
}

/**
 * Every report item ever sent in the simulation, by index. Items are immutable bytes, so the
 * report plane moves indices instead of copies; each item is decoded and its signature
 * checked once (the same bytes against the same key always give the same answer), and every
 * node still takes in only what verified as signed by the node it names.
 */
export class ReportRegistry {
  private readonly items: (ReadItem | null)[] = [];
  verified = 0;

  constructor(
    private readonly na: Sodium,
    private readonly keyOf: (node: string) => Uint8Array | undefined,
  ) {}

  add(item: Uint8Array): number {
    this.items.push(this.read(item, this.items.length));
    return this.items.length - 1;
  }

  get(index: number): ReadItem | null {
    return this.items[index] ?? null;
  }

  private read(item: Uint8Array, index: number): ReadItem | null {
    let body: Uint8Array;
    let sig: Uint8Array;
    let d: Record<string, unknown>;
    try {
      [body, sig] = bencode.decode(item) as [Uint8Array, Uint8Array];
      d = bencode.decode(body) as Record<string, unknown>;
    } catch {
      return null;
    }
    const report: Report = {
      node: text(d['node']),
      seq: typeof d['seq'] === 'number' ? d['seq'] : 0,
      tags: text(d['tags']),
      key: text(d['key']),
      outcome: text(d['outcome']) as Report['outcome'],
    };
    const pub = this.keyOf(report.node);
    let signed = false;
    this.verified++;
    try {
      signed = !!pub && this.na.crypto_sign_verify_detached(sig, Buffer.concat([CONTEXT, body]), pub);
    } catch {
      signed = false;
    }
    return { index, report, signed, record: recordOf(report, signed) };
  }
}
