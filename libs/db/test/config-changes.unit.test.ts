import { EventEmitter } from 'node:events';
import { parseConfigChange, subscribeConfigChanges, type ConfigChange } from '@pbx-sms/db';

/** A connection in subscriber mode, as ioredis behaves: events, and subscribe. */
class FakeSubscriber extends EventEmitter {
  readonly channels: string[] = [];
  async subscribe(channel: string): Promise<number> {
    this.channels.push(channel);
    return this.channels.length;
  }
}

describe('subscribeConfigChanges (API and worker alike)', () => {
  async function subscribed() {
    const conn = new FakeSubscriber();
    const changes: ConfigChange[] = [];
    await subscribeConfigChanges(conn, 'p:config-changed', (c) => changes.push(c));
    return { conn, changes };
  }

  it('subscribes to the channel and reports a tenant id as that tenant', async () => {
    const { conn, changes } = await subscribed();
    expect(conn.channels).toEqual(['p:config-changed']);
    conn.emit('message', 'p:config-changed', '73');
    expect(changes).toEqual([73]);
  });

  it("reports '*' as all", async () => {
    const { conn, changes } = await subscribed();
    conn.emit('message', 'p:config-changed', '*');
    expect(changes).toEqual(['all']);
  });

  it('ignores other channels', async () => {
    const { conn, changes } = await subscribed();
    conn.emit('message', 'other', '73');
    expect(changes).toEqual([]);
  });

  it('a reconnect (a second ready) counts as a change of all: announcements were missed meanwhile', async () => {
    const { conn, changes } = await subscribed();
    conn.emit('ready');
    expect(changes).toEqual([]);
    conn.emit('ready');
    expect(changes).toEqual(['all']);
  });

  it.each([
    ['73', 73],
    ['*', 'all'],
    ['not a number', 'all'],
    ['1.5', 'all'],
  ])('parses %j as %j', (message, expected) => {
    expect(parseConfigChange(message)).toEqual(expected);
  });
});
