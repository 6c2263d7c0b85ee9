/**
 * The manager config's `speed` section: the levers against Transmission's fixed delays
 * (issue 17, docs/manager.md §Speed), each with its own switch. On by default: only what
 * helped in bench/RESULTS.md §Speed levers (the forced rechoke); the others are off, each
 * with the number that says why there.
 */
import type { z } from 'zod';
import { flag, flagOr, int, num, oneOf, section } from '../lib/config/fields.ts';

export const SPEED_DEFAULTS = {
  rechoke: true,
  rechokeMinGapMs: 1000,
  rechokeMaxPulses: 30,
  watchPollMs: 250,
  watchWindowMs: 60_000,
  flushBeforeCheck: 'auto',
  rehashBeforeDeploy: true,
  backdatePayload: false,
  announceKick: false,
  nearEndPollMs: 0,
  originShaping: 'off',
  originLimitKBps: 20,
  originUploadFactor: 1.2,
  originSumFactor: 2,
  originEstimateFraction: 0.25,
  originStarveMs: 15_000,
  originHoldMs: 5_000,
  originLimitScope: 'torrent',
} as const;

const S = SPEED_DEFAULTS;

export const speedSchema = section({
  rechoke: flag()
    .default(S.rechoke)
    .describe(
      "Lever R: force Transmission's choke/interest pass (start/stop of a tiny torrent of the manager's own) when a peer appears or wants data.",
    ),
  rechokeMinGapMs: int(100, 60_000)
    .default(S.rechokeMinGapMs)
    .describe('Least time between two forced rechokes.'),
  rechokeMaxPulses: int(1, 1000)
    .default(S.rechokeMaxPulses)
    .describe("Forced rechokes per torrent at most (each writes the tiny torrent's resume file)."),
  watchPollMs: int(50, 10_000)
    .default(S.watchPollMs)
    .describe("How often a watched torrent's peers are read (rechoke and origin shaping)."),
  watchWindowMs: int(1000, 3_600_000)
    .default(S.watchWindowMs)
    .describe('A torrent is watched this long after it was added, completed or got new peers.'),
  flushBeforeCheck: flagOr('auto')
    .default(S.flushBeforeCheck)
    .describe(
      'Stop and start the torrent before the payload check (true: always, as before the levers; false: never, part of lever H; "auto": only on Transmission 3.00, where the restart helps the next hop). The daemon needs no flush.',
    ),
  rehashBeforeDeploy: flag()
    .default(S.rehashBeforeDeploy)
    .describe(
      'Lever H off: hash the payload again before each deploy attempt even if the file is unchanged.',
    ),
  backdatePayload: flag()
    .default(S.backdatePayload)
    .describe(
      "Lever H: a placed payload's mtime is set 2 s back, so Transmission 4.x takes it without a hash pass.",
    ),
  announceKick: flag()
    .default(S.announceKick)
    .describe(
      'Lever A: on new peers from natm, reannounce when the daemon will accept it (deferred if not yet).',
    ),
  nearEndPollMs: int(0, 60_000)
    .default(S.nearEndPollMs)
    .describe('Lever C: poll a download this often near its end; 0 = always transmission.pollMs.'),
  originShaping: oneOf(['off', 'complete-peer', 'estimate'])
    .default(S.originShaping)
    .describe("Lever O: limit the publishing node's upload once the swarm holds every piece."),
  originLimitKBps: int(1, 1_000_000)
    .default(S.originLimitKBps)
    .describe("The origin's upload limit once a peer is complete (and the least limit)."),
  originUploadFactor: num(0, 100)
    .default(S.originUploadFactor)
    .describe('Estimate: the origin has uploaded at least this many times the payload.'),
  originSumFactor: num(0, 10_000)
    .default(S.originSumFactor)
    .describe("Estimate: and the peers' progress sums to at least this."),
  originEstimateFraction: num(0, 1)
    .default(S.originEstimateFraction)
    .describe('Estimate: the limit is this fraction of the fastest upload seen (at least originLimitKBps).'),
  originStarveMs: int(1000, 3_600_000)
    .default(S.originStarveMs)
    .describe('The limit is lifted when a peer interested in the origin makes no progress for this long.'),
  originHoldMs: int(0, 3_600_000)
    .default(S.originHoldMs)
    .describe('No limit change within this long of the last.'),
  originLimitScope: oneOf(['torrent', 'session'])
    .default(S.originLimitScope)
    .describe(
      "Where the origin's limit goes: the torrent (its choke set then freezes once the limit is reached) or the daemon's whole upload (speed-limit-up; a bench variant: not with `bandwidth`, one origin torrent at a time).",
    ),
})
  .prefault({})
  .describe("Levers against Transmission's fixed delays (docs/manager.md §Speed).");

export type SpeedConfig = Readonly<z.output<typeof speedSchema>>;
