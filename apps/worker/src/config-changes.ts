import type { Redis } from 'ioredis';
import { configChannel } from '@pbx-sms/queue';
import type { TenantConfigCache } from './tenant-config.cache';

/**
 * Config changes: the admin API publishes a tenant id ('*' for all) on the channel, and the
 * cache forgets that tenant (or everything). Changes announced while disconnected were missed,
 * so a reconnect forgets everything.
 */
export async function subscribeConfigChanges(subscriber: Redis, prefix: string, cache: TenantConfigCache): Promise<void> {
  const channel = configChannel(prefix);
  let subscribedOnce = false;
  subscriber.on('message', (ch: string, msg: string) => {
    if (ch !== channel) return;
    const id = Number(msg);
    if (msg === '*' || !Number.isInteger(id)) cache.clear();
    else cache.invalidate(id);
  });
  subscriber.on('ready', () => {
    if (subscribedOnce) cache.clear();
    subscribedOnce = true;
  });
  await subscriber.subscribe(channel);
}
