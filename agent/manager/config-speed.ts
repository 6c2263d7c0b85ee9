/** Validation of the `speed` section (the levers of issue 17), pure; defaults in config.ts. */
import { DEFAULTS, type SpeedConfig } from './config.ts';
import { bool, int, object, oneOf, real } from './config-fields.ts';

export function validateSpeed(v: unknown): SpeedConfig {
  const S = DEFAULTS.speed;
  const o = object(v ?? {}, 'speed', Object.keys(S));
  const k = (name: string) => `speed.${name}`;
  return {
    rechoke: bool(o, 'rechoke', k('rechoke'), S.rechoke),
    rechokeMinGapMs: int(o, 'rechokeMinGapMs', k('rechokeMinGapMs'), 100, 60_000, S.rechokeMinGapMs),
    rechokeMaxPulses: int(o, 'rechokeMaxPulses', k('rechokeMaxPulses'), 1, 1000, S.rechokeMaxPulses),
    watchPollMs: int(o, 'watchPollMs', k('watchPollMs'), 50, 10_000, S.watchPollMs),
    watchWindowMs: int(o, 'watchWindowMs', k('watchWindowMs'), 1000, 3_600_000, S.watchWindowMs),
    flushBeforeCheck: bool(o, 'flushBeforeCheck', k('flushBeforeCheck'), S.flushBeforeCheck),
    rehashBeforeDeploy: bool(o, 'rehashBeforeDeploy', k('rehashBeforeDeploy'), S.rehashBeforeDeploy),
    backdatePayload: bool(o, 'backdatePayload', k('backdatePayload'), S.backdatePayload),
    announceKick: bool(o, 'announceKick', k('announceKick'), S.announceKick),
    nearEndPollMs: int(o, 'nearEndPollMs', k('nearEndPollMs'), 0, 60_000, S.nearEndPollMs),
    originShaping: oneOf(
      o,
      'originShaping',
      k('originShaping'),
      ['off', 'complete-peer', 'estimate'] as const,
      S.originShaping,
    ),
    originLimitKBps: int(o, 'originLimitKBps', k('originLimitKBps'), 1, 1_000_000, S.originLimitKBps),
    originUploadFactor: real(o, 'originUploadFactor', k('originUploadFactor'), 0, 100, S.originUploadFactor),
    originSumFactor: real(o, 'originSumFactor', k('originSumFactor'), 0, 10_000, S.originSumFactor),
    originEstimateFraction: real(
      o,
      'originEstimateFraction',
      k('originEstimateFraction'),
      0,
      1,
      S.originEstimateFraction,
    ),
    originStarveMs: int(o, 'originStarveMs', k('originStarveMs'), 1000, 3_600_000, S.originStarveMs),
    originHoldMs: int(o, 'originHoldMs', k('originHoldMs'), 0, 3_600_000, S.originHoldMs),
  };
}
