import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { subscribeConfigChanges, type ConfigChange } from '@pbx-sms/db';
import { configChannel } from '@pbx-sms/queue';

/** Tells what this process caches about tenants that a tenant's configuration changed. */
export interface ConfigChanges {
  /** A tenant's configuration, extensions or API keys changed (or all of it): every listener drops its copy. */
  changed(change: ConfigChange): void;
  onChange(listener: (change: ConfigChange) => void): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    configChanges: ConfigChanges;
  }
}

export interface ConfigChangesOptions {
  /** The producer's connection: the subscription is a duplicate of it. */
  redis: Redis;
  queuePrefix: string;
  /** TENANT_CONFIG_TTL_MS: with 0 nothing is cached, and nothing is subscribed. */
  cacheTtlMs: number;
}

/**
 * Config changes reach the caches two ways: at once from this process's admin routes
 * (`changed`), and from other processes (API replicas, the CLI) on the config channel the
 * workers listen to. Without Redis the caches simply expire. The subscription waits out outages
 * (no per-command timeout: 0 would time out at once).
 */
export const configChangesPlugin = fp<ConfigChangesOptions>(
  async (app, { redis, queuePrefix, cacheTtlMs }) => {
    const listeners: ((change: ConfigChange) => void)[] = [];
    const changes: ConfigChanges = {
      changed: (change) => {
        for (const listener of listeners) listener(change);
      },
      onChange: (listener) => void listeners.push(listener),
    };
    app.decorate('configChanges', changes);
    if (cacheTtlMs <= 0) return;

    const subscriber = redis.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      enableAutoPipelining: false,
      disconnectTimeout: 200,
      lazyConnect: false,
    });
    subscriber.on('error', () => undefined);
    // '*' and a reconnect (changes announced meanwhile were missed) drop everything.
    subscribeConfigChanges(subscriber, configChannel(queuePrefix), (change) => changes.changed(change)).catch(() => undefined);
    app.addHook('onClose', async () => subscriber.disconnect());
  },
  { name: 'config-changes', fastify: '5.x' },
);
