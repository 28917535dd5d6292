/**
 * Config changes announced by other processes (API replicas, the CLI): the admin side publishes
 * a tenant id, or '*' for all, on the config channel (`configChannel`, libs/queue).
 */

/** One tenant's configuration changed, or possibly all of it. */
export type ConfigChange = number | 'all';

/** What the subscription needs from a Redis connection in subscriber mode: an ioredis client qualifies. */
export interface ChangeSubscriber {
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  subscribe(channel: string): Promise<unknown>;
}

/** '*' (or anything that is not a tenant id) means all. */
export function parseConfigChange(message: string): ConfigChange {
  const id = Number(message);
  return message === '*' || !Number.isInteger(id) ? 'all' : id;
}

/**
 * Calls `onChange` for every change announced on `channel`. Changes announced while the
 * connection was down were missed, so each reconnect counts as a change of all. Resolves once
 * subscribed; the connection resubscribes by itself after an outage.
 */
export async function subscribeConfigChanges(subscriber: ChangeSubscriber, channel: string, onChange: (change: ConfigChange) => void): Promise<void> {
  let subscribedOnce = false;
  subscriber.on('message', (ch: string, message: string) => {
    if (ch === channel) onChange(parseConfigChange(message));
  });
  subscriber.on('ready', () => {
    if (subscribedOnce) onChange('all');
    subscribedOnce = true;
  });
  await subscriber.subscribe(channel);
}
