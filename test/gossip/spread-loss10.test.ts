import { test } from 'node:test';
import { checkLossy } from './spread-lossy.ts';

test('1,000 nodes at 10% packet loss: reaches every node within 50 rounds, bounded messages', () =>
  checkLossy(0.1, 50));
