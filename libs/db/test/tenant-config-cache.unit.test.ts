import { defaultTenantConfig, type ExtensionConfig, type TenantConfig } from '@pbx-sms/core';
import { TenantConfigCache, type ConfigSource } from '@pbx-sms/db';

/** A configuration source backed by a map, counting loads. */
function source() {
  const tenants = new Map<number, TenantConfig>([[59, defaultTenantConfig(59)]]);
  const loads = { tenant: 0, extension: 0 };
  let failNext = false;
  const src: ConfigSource = {
    async tenant(id) {
      loads.tenant++;
      if (failNext) {
        failNext = false;
        throw new Error('db down');
      }
      return tenants.get(id) ?? null;
    },
    async extension(_id, ext): Promise<ExtensionConfig | null> {
      loads.extension++;
      return { extension: ext, smsNotifications: true, smsNumber: '+14165551234' };
    },
  };
  return { src, tenants, loads, failOnce: () => (failNext = true) };
}

describe('TenantConfigCache', () => {
  it('loads a tenant once for concurrent and repeated reads within the TTL', async () => {
    const s = source();
    const cache = new TenantConfigCache(s.src, 5_000);
    await Promise.all([cache.tenant(59), cache.tenant(59), cache.tenant(59)]);
    await cache.tenant(59);
    expect(s.loads.tenant).toBe(1);
  });

  it('loads again once the TTL has passed', async () => {
    const s = source();
    let now = 0;
    const cache = new TenantConfigCache(s.src, 1_000, () => now);
    await cache.tenant(59);
    now = 1_001;
    await cache.tenant(59);
    expect(s.loads.tenant).toBe(2);
  });

  it('an invalidation drops the tenant and its extensions, and only that tenant', async () => {
    const s = source();
    const cache = new TenantConfigCache(s.src, 60_000);
    await Promise.all([cache.tenant(59), cache.extension(59, '1001'), cache.tenant(60)]);
    s.tenants.set(59, { ...defaultTenantConfig(59), active: true });
    cache.invalidate(59);
    expect((await cache.tenant(59))?.active).toBe(true);
    await cache.extension(59, '1001');
    await cache.tenant(60);
    expect(s.loads).toEqual({ tenant: 3, extension: 2 });
  });

  it('does not keep a failed load', async () => {
    const s = source();
    const cache = new TenantConfigCache(s.src, 60_000);
    s.failOnce();
    await expect(cache.tenant(59)).rejects.toThrow('db down');
    await expect(cache.tenant(59)).resolves.toMatchObject({ tenantId: 59 });
  });

  it('with a TTL of 0 never caches', async () => {
    const s = source();
    const cache = new TenantConfigCache(s.src, 0);
    await cache.tenant(59);
    await cache.tenant(59);
    expect(s.loads.tenant).toBe(2);
  });
});

describe('TenantConfigCache: an unknown tenant', () => {
  it('is null, and cached for the TTL like any answer', async () => {
    const s = source();
    let now = 0;
    const cache = new TenantConfigCache(s.src, 1_000, () => now);
    expect(await cache.tenant(404)).toBeNull();
    expect(await cache.tenant(404)).toBeNull();
    expect(s.loads.tenant).toBe(1);
    now = 1_001;
    s.tenants.set(404, defaultTenantConfig(404));
    expect(await cache.tenant(404)).toEqual(defaultTenantConfig(404));
    expect(s.loads.tenant).toBe(2);
  });

  it('is loaded again at once when its creation is announced', async () => {
    const s = source();
    const cache = new TenantConfigCache(s.src, 60_000);
    expect(await cache.tenant(404)).toBeNull();
    s.tenants.set(404, defaultTenantConfig(404));
    cache.forget(404);
    expect(await cache.tenant(404)).toEqual(defaultTenantConfig(404));
  });

  it("'all' drops every tenant", async () => {
    const s = source();
    const cache = new TenantConfigCache(s.src, 60_000);
    await Promise.all([cache.tenant(59), cache.tenant(60), cache.extension(59, '1001')]);
    cache.forget('all');
    await Promise.all([cache.tenant(59), cache.tenant(60), cache.extension(59, '1001')]);
    expect(s.loads).toEqual({ tenant: 4, extension: 2 });
  });
});
