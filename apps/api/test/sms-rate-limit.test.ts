import { startTestApi, type TestApi, countMessages, DEST, expectAccepted, setupTenant, sleep } from '@pbx-sms/testing';

/** POST /api/sms/send against an API with a low key rate and short-lived caches. */

describe('rate limit and short-lived caches', () => {
  let slow: TestApi;
  beforeAll(async () => {
    slow = await startTestApi('ratelimit', { API_KEY_RATE_PER_SEC: '1', TENANT_CONFIG_TTL_MS: '300' });
  });
  afterAll(async () => {
    await slow.close();
  });

  it('answers 429 with Retry-After past the burst (twice the rate), and nothing is created', async () => {
    const k = await setupTenant(slow, 59);
    const post = () => slow.app.inject({ method: 'POST', url: '/api/sms/send', headers: { 'x-api-key': k }, payload: { to: DEST, message: 'x' } });
    await expectAccepted(slow, await post());
    await expectAccepted(slow, await post());
    const before = await countMessages(slow);
    const limited = await post();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.body).toBe('{"error":"Too many requests for this API key (limit 1/s, burst 2)","code":"rate_limited"}');
    expect(await countMessages(slow)).toBe(before);
    await sleep(1100);
    await expectAccepted(slow, await post());
  });

  it("a key revoked behind the API's back stops working when the cache expires", async () => {
    const k = await setupTenant(slow, 60);
    const post = () => slow.app.inject({ method: 'POST', url: '/api/sms/send', headers: { 'x-api-key': k }, payload: { to: DEST, message: 'x' } });
    await expectAccepted(slow, await post());
    await slow.db.prisma.$executeRawUnsafe('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = 60');
    await sleep(400);
    expect((await post()).statusCode).toBe(401);
  });
});
