import { test } from 'node:test';
import { checkLossy } from './spread-lossy.ts';

test('1,000 nodes at 30% packet loss: reaches every node within 100 rounds, bounded messages', () =>
  checkLossy(0.3, 100));
