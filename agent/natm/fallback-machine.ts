/**
 * When UDP is blocked, natm reaches its rendezvous over a stream (docs/protocol/natm.md
 * §Stream fallback). This pure machine decides when: it is told when a rendezvous last
 * answered over UDP (an authenticated natm packet, or a STUN answer to its own probe) and
 * what became of each stream attempt, and returns what to do.
 *
 *   udp ──(no UDP answer for afterMs)──▶ connecting: tcp to each rendezvous, then tls
 *    ▲  ◀──(every candidate failed: wait afterMs again)──┘        │ connected
 *    │                                                             ▼
 *    └──(a UDP answer to the probe sent every probeMs)───────── stream
 *    └──(stream lost: retry after LOST_RETRY_MS)──────────────────┘
 *
 * Each change of mode is reported once (`log`), never per tick.
 */
export type StreamKind = 'tcp' | 'tls';

export interface Candidate {
  readonly kind: StreamKind;
  /** Index of the rendezvous in the config's list. */
  readonly rdv: number;
}

export type FallbackEvent = 'fell_back' | 'returned' | 'stream_lost' | 'no_stream';

export type FallbackAction =
  | { readonly do: 'connect'; readonly candidate: Candidate }
  | { readonly do: 'close' }
  | { readonly do: 'probe' }
  | { readonly do: 'log'; readonly event: FallbackEvent; readonly candidate?: Candidate };

export type Mode = 'udp' | 'connecting' | 'stream';

/** After a stream is lost, the next attempt waits this long (not afterMs: UDP is known bad). */
export const LOST_RETRY_MS = 5000;

export interface FallbackTiming {
  readonly afterMs: number;
  readonly probeMs: number;
}

export class FallbackMachine {
  private mode: Mode = 'udp';
  private index = 0;
  private deadline: number;
  private lastProbe = -Infinity;
  private warnedNoStream = false;

  constructor(
    private readonly candidates: readonly Candidate[],
    private readonly t: FallbackTiming,
    now: number,
  ) {
    this.deadline = now + t.afterMs;
  }

  get state(): { mode: Mode; candidate?: Candidate } {
    return this.mode === 'udp'
      ? { mode: 'udp' }
      : { mode: this.mode, candidate: this.candidates[this.index] };
  }

  /** A rendezvous answered over UDP. */
  udpAnswered(now: number): FallbackAction[] {
    this.deadline = now + this.t.afterMs;
    if (this.mode === 'udp') return [];
    const was = this.mode;
    this.mode = 'udp';
    this.warnedNoStream = false;
    if (was === 'connecting') return [{ do: 'close' }];
    return [{ do: 'close' }, { do: 'log', event: 'returned', candidate: this.candidates[this.index] }];
  }

  tick(now: number): FallbackAction[] {
    if (this.mode === 'udp' && now >= this.deadline && this.candidates.length) return this.attempt(0);
    if (this.mode === 'stream' && now - this.lastProbe >= this.t.probeMs) {
      this.lastProbe = now;
      return [{ do: 'probe' }];
    }
    return [];
  }

  connected(now: number): FallbackAction[] {
    if (this.mode !== 'connecting') return [{ do: 'close' }];
    this.mode = 'stream';
    this.lastProbe = now;
    this.warnedNoStream = false;
    return [{ do: 'log', event: 'fell_back', candidate: this.candidates[this.index] }];
  }

  /** The attempt in progress failed (refused, timed out, TLS key not the pinned one). */
  failed(now: number): FallbackAction[] {
    if (this.mode !== 'connecting') return [];
    if (this.index + 1 < this.candidates.length) return this.attempt(this.index + 1);
    this.mode = 'udp';
    this.deadline = now + this.t.afterMs;
    if (this.warnedNoStream) return [];
    this.warnedNoStream = true;
    return [{ do: 'log', event: 'no_stream' }];
  }

  /** The stream in use closed (by the rendezvous, idle, error). */
  lost(now: number): FallbackAction[] {
    if (this.mode !== 'stream') return [];
    this.mode = 'udp';
    this.deadline = now + Math.min(this.t.afterMs, LOST_RETRY_MS);
    return [{ do: 'log', event: 'stream_lost', candidate: this.candidates[this.index] }];
  }

  private attempt(index: number): FallbackAction[] {
    this.mode = 'connecting';
    this.index = index;
    return [{ do: 'connect', candidate: this.candidates[index]! }];
  }
}

/** tcp to every rendezvous first, then tls to every one: the order the attempts take. */
export function candidatesOf(rendezvous: number, kinds: readonly StreamKind[]): Candidate[] {
  const out: Candidate[] = [];
  for (const kind of kinds) for (let rdv = 0; rdv < rendezvous; rdv++) out.push({ kind, rdv });
  return out;
}
