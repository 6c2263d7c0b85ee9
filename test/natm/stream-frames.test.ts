/**
 * The stream fallback's framing (agent/lib/net/stream-frames.ts): frames survive any split
 * of the byte stream, and the two refusals — a length over 1280 and a zero length — stop
 * the decoder for good without buffering more than one frame.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DATAGRAM } from '../../agent/lib/net/datagram.ts';
import { encodeFrame, FRAME_HEADER, FrameDecoder } from '../../agent/lib/net/stream-frames.ts';

const datagram = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test('frames come out whole whatever the split of the stream', () => {
  const frames = [datagram(1, 1), datagram(300, 2), datagram(MAX_DATAGRAM, 3), datagram(44, 4)];
  const bytes = Buffer.concat(frames.map((f) => encodeFrame(f)));
  for (const step of [1, 2, 3, 7, 500, bytes.length]) {
    const d = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += step) {
      const r = d.push(bytes.subarray(i, i + step));
      assert.ok(r.ok);
      out.push(...r.frames);
      assert.ok(d.pending < FRAME_HEADER + MAX_DATAGRAM);
    }
    assert.deepEqual(out, frames, `step ${step}`);
    assert.equal(d.pending, 0);
  }
});

test('a length over MAX_DATAGRAM is refused before its body arrives, and for good', () => {
  const d = new FrameDecoder();
  const good = encodeFrame(datagram(10, 9));
  const bad = Buffer.from([(MAX_DATAGRAM + 1) >> 8, (MAX_DATAGRAM + 1) & 0xff]);
  const r = d.push(Buffer.concat([good, bad]));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'oversized_frame');
  assert.deepEqual(r.frames, [datagram(10, 9)]);
  assert.equal(d.pending, 0);
  assert.equal(d.push(good).ok, false);
  const max = new FrameDecoder().push(Buffer.from([0xff, 0xff]));
  assert.equal(!max.ok && max.reason, 'oversized_frame');
});

test('an empty frame is refused; encodeFrame refuses what the decoder would', () => {
  const r = new FrameDecoder().push(Buffer.from([0, 0, 1, 2]));
  assert.equal(!r.ok && r.reason, 'empty_frame');
  assert.throws(() => encodeFrame(new Uint8Array(0)), RangeError);
  assert.throws(() => encodeFrame(datagram(MAX_DATAGRAM + 1, 0)), RangeError);
});
