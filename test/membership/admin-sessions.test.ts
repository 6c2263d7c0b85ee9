import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AdminSessions, COOKIE } from '../../agent/enroll-server/admin-sessions.ts';
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

  it('five failed logins within a minute lock logins for the rest of that minute', () => {
    let now = 0;
    const s = new AdminSessions({ clock: { now: () => now } }, { ttlMs: 1000, secure: false });
    for (let i = 0; i < 5; i++) {
      assert.ok(s.loginAllowed());
      s.loginFailed();
    }
    assert.equal(s.loginAllowed(), false);
    now = 60_001;
    assert.equal(s.loginAllowed(), true);
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
