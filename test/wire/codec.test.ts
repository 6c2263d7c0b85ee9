/** The one bounded binary codec (agent/lib/wire/codec.ts) that natm messages and gossip packets use. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError, MAX_BLOB_BYTES, Reader, Writer, fromHex, toHex } from '../../agent/lib/wire/codec.ts';

test('every field type round-trips, and the writer grows past its first allocation', () => {
  const blob = new Uint8Array(3000).fill(7);
  const w = new Writer({ capacity: 4 })
    .u8(255)
    .u16(65535)
    .u32(2 ** 32 - 1)
    .u53(Number.MAX_SAFE_INTEGER)
    .f64(-1.5)
    .raw(Uint8Array.of(1, 2, 3))
    .str('ü-node')
    .str('plain')
    .blob(blob);
  const r = new Reader(w.finish());
  assert.equal(r.u8(), 255);
  assert.equal(r.u16(), 65535);
  assert.equal(r.u32(), 2 ** 32 - 1);
  assert.equal(r.u53(), Number.MAX_SAFE_INTEGER);
  assert.equal(r.f64(), -1.5);
  assert.deepEqual([...r.raw(3)], [1, 2, 3]);
  assert.equal(r.str(), 'ü-node');
  assert.equal(r.str(), 'plain');
  assert.deepEqual(r.blob(), blob);
  assert.equal(r.remaining, 0);
  r.end();
  assert.equal(toHex(fromHex('00ff10')), '00ff10');
});

test('the writer refuses to pass its limit, a long string, a long blob and an unsafe u53', () => {
  const w = new Writer({ limit: 8 }).u32(1).u16(2);
  assert.throws(() => w.u32(3), CodecError);
  assert.throws(() => new Writer().str('x'.repeat(256)), CodecError);
  assert.throws(
    () => new Writer({ limit: 2 * MAX_BLOB_BYTES }).blob(new Uint8Array(MAX_BLOB_BYTES + 1)),
    CodecError,
  );
  assert.throws(() => new Writer().u53(2 ** 53), CodecError);
  assert.throws(() => new Writer().u53(-1), CodecError);
});

test('the reader refuses overruns, values over their bound, bad UTF-8 and trailing bytes', () => {
  const bad = (bytes: number[], read: (r: Reader) => unknown) =>
    assert.throws(() => read(new Reader(Uint8Array.from(bytes))), CodecError);
  bad([0, 1], (r) => r.u32());
  bad([5, 97, 98], (r) => r.str());
  bad([3, 97, 98, 99], (r) => r.str(2));
  bad([2, 0xc3, 0x28], (r) => r.str());
  bad([0, 3, 1, 2, 3], (r) => r.blob(2));
  bad([0, 9, 1], (r) => r.blob());
  bad([3, 1, 1, 1], (r) => r.list(2, () => r.u8()));
  bad([0xff, 0xe0, 0, 0, 0, 0, 0, 0], (r) => r.u53());
  bad([0x7f, 0xf0, 0, 0, 0, 0, 0, 0], (r) => r.f64());
  bad([1, 2], (r) => (r.u8(), r.end()));
});

test('a blob read is a copy; a raw read is a view into the input', () => {
  const input = Uint8Array.of(0, 1, 9, 8);
  const r = new Reader(input);
  const b = r.blob();
  const v = r.raw(1);
  input[2] = 0;
  input[3] = 0;
  assert.deepEqual([...b], [9]);
  assert.deepEqual([...v], [0]);
});
