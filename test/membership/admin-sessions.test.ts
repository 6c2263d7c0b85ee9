import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { AdminSessions, COOKIE } from '../../agent/enroll-server/admin-sessions.ts';
import { AttemptLimiter } from '../../agent/enroll-server/attempt-limiter.ts';
import { sourceKey, sourceOf } from '../../agent/enroll-server/source-address.ts';
import { dashboardPage, esc, loginPage } from '../../agent/enroll-server/pages.ts';
import { emptyState } from '../../agent/lib/ca/ca-state.ts';

describe('admin sessions and pages', () => {
  it('a session cookie is HttpOnly, SameSite=Strict, expires, and is unguessable', () => {
    let now = 0;
    const s = new AdminSessions({ clock: { now: () => now } }, { ttlMs: 1000, secure: true });
    const a = s.create();
    assert.match(
      a.cookie,
      new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/; Secure$`),
    );
    const got = s.lookup(`other=1; ${COOKIE}=${a.id}`);
    assert.equal(got?.id, a.id);
    assert.equal(s.lookup(`${COOKIE}=${a.id.slice(0, -1)}x`), undefined);
    assert.ok(AdminSessions.csrfOk(got!.csrf, got!.csrf));
    assert.equal(AdminSessions.csrfOk(got!.csrf, undefined), false);
    assert.equal(AdminSessions.csrfOk(got!.csrf, got!.csrf.slice(1)), false);
    now = 1000;
    assert.equal(s.lookup(`${COOKIE}=${a.id}`), undefined, 'expired');
    const b = s.create();
    assert.match(s.destroy(b.id), /Max-Age=0/);
    assert.equal(s.lookup(`${COOKIE}=${b.id}`), undefined);
  });

  it('attempts are reserved before they are checked: parallel attempts cannot pass the limit', () => {
    let now = 0;
    const l = new AttemptLimiter({ clock: { now: () => now } }, { max: 3, windowMs: 60_000, maxKeys: 2 });
    const held = [l.reserve('a'), l.reserve('a'), l.reserve('a')];
    assert.ok(held.every((x) => x !== null));
    assert.equal(l.reserve('a'), null, 'three in flight: the fourth waits although none failed yet');
    assert.ok(l.reserve('b'), 'another key is not affected');
    held[0]!.pass();
    const again = l.reserve('a');
    assert.ok(again, 'a passed attempt frees its place');
    held[1]!.fail();
    held[2]!.fail();
    again!.fail();
    assert.equal(l.reserve('a'), null);
    assert.equal(l.retryAfterMs('a'), 60_000);
    now = 60_001;
    assert.ok(l.reserve('a'), 'failures leave the window after a minute');
  });

  it('a pass can forget the key, settling twice counts once, and keys are bounded', () => {
    const l = new AttemptLimiter({ clock: { now: () => 0 } }, { max: 2, windowMs: 60_000, maxKeys: 2 });
    l.reserve('a')!.fail();
    const t = l.reserve('a')!;
    t.pass(true);
    t.fail();
    assert.ok(l.reserve('a') && l.reserve('a'), 'the sign-in that passed forgot the failures');
    for (const k of ['x', 'y', 'z']) l.reserve(k)!.fail();
    assert.equal(l.size, 2, 'the oldest keys were dropped');
  });

  it('source address: IPv4 as is, IPv6 per /64; X-Forwarded-For only from a trusted proxy', () => {
    assert.equal(sourceKey('::ffff:198.18.0.7'), '198.18.0.7');
    assert.equal(sourceKey('fd00:1:2:3:4:5:6:7'), 'fd00:1:2:3::/64');
    assert.equal(sourceKey('fd00:1::7'), 'fd00:1:0:0::/64');
    assert.equal(sourceKey('FD00:1:2:3::9%lo'), 'fd00:1:2:3::/64');
    const req = (peer: string, xff?: string) =>
      ({
        socket: { remoteAddress: peer },
        headers: xff ? { 'x-forwarded-for': xff } : {},
      }) as IncomingMessage;
    assert.equal(sourceOf(req('127.0.0.1', '198.18.0.9'), []), '127.0.0.1');
    assert.equal(sourceOf(req('127.0.0.1', '10.1.0.1, 198.18.0.9'), ['127.0.0.1']), '198.18.0.9');
    assert.equal(sourceOf(req('::ffff:127.0.0.1', 'junk'), ['127.0.0.1']), '127.0.0.1');
  });

  it('pages escape everything that comes from requests', () => {
    assert.equal(esc(`<a href="x">'&`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;');
    const st = emptyState();
    st.requests.push({
      id: 'f'.repeat(32),
      nodeId: 'a'.repeat(32),
      owner: '<script>alert(1)</script>',
      receivedAt: 0,
      csr: '',
      token: '"><img src=x>',
      status: 'pending',
    });
    const html = dashboardPage({ cluster: 'c<b>', caKeyId: 'k', policy: 'p', state: st, csrf: 'tok"en' });
    assert.ok(!html.includes('<script>alert') && !html.includes('<img src=x>') && !html.includes('c<b>'));
    assert.match(html, /name="csrf" value="tok&#34;en"/);
    assert.match(loginPage('x', 'Wrong <b>'), /Wrong &#60;b&#62;/);
  });
});
