/**
 * Could these bytes still become one bencode value if more were appended? That is what
 * tells a torrent file that is still being copied (or whose copy broke off) from one
 * that is wrong: `d8:announce` may grow into a torrent, `junk` never will. Pure and
 * linear: one pass, no recursion (nesting depth is bounded by the input length).
 *
 * Lenient on purpose: canonical form (key order, leading zeros) is the strict decoder's
 * job. A wrong "could grow" answer only delays a refusal; it never accepts anything.
 */

const DIGIT = /[0-9]/;

type Frame = 'list' | 'key' | 'value';

/** True when `bytes` are a proper prefix of some bencode value (an empty file included). */
export function isBencodePrefix(bytes: Uint8Array): boolean {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const stack: Frame[] = [];
  let i = 0;
  while (i < s.length) {
    const top = stack.at(-1);
    const c = s[i]!;
    if (c === 'e') {
      if (top !== 'list' && top !== 'key') return false;
      stack.pop();
      i++;
    } else if (c === 'l' || c === 'd') {
      if (top === 'key') return false;
      stack.push(c === 'l' ? 'list' : 'key');
      i++;
      continue; // a container opened: no value completed yet
    } else if (c === 'i') {
      if (top === 'key') return false;
      const m = /^i-?[0-9]*/.exec(s.slice(i, i + 24))!;
      const end = i + m[0].length;
      if (end >= s.length) return true; // the integer runs to the end
      if (s[end] !== 'e' || m[0].length > 22 || /^i-?$/.test(m[0])) return false;
      i = end + 1;
    } else if (DIGIT.test(c)) {
      const m = /^[0-9]*/.exec(s.slice(i, i + 20))!;
      const colon = i + m[0].length;
      if (colon >= s.length) return true; // the length runs to the end
      if (s[colon] !== ':' || m[0].length > 19) return false;
      const end = colon + 1 + Number(m[0]);
      if (end > s.length) return true; // the string runs past the end
      i = end;
    } else {
      return false;
    }
    // One value completed: a dict alternates key and value; at the top level it is the
    // whole value, so anything after it can never make it valid.
    if (stack.length === 0) return false;
    const last = stack.length - 1;
    if (stack[last] === 'key') stack[last] = 'value';
    else if (stack[last] === 'value') stack[last] = 'key';
  }
  return true;
}
