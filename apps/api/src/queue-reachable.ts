import type { Redis } from 'ioredis';
import { AppError } from '@pbx-sms/core';

const QUEUE_DOWN = 'The message queue is unavailable, retry later';

/**
 * Whether the producer's Redis connection is up: a local check, no round trip. The send queue
 * and the API-key rate limit both live on that connection.
 */
export function queueReachable(redis: Pick<Redis, 'status'>): boolean {
  return redis.status === 'ready';
}

/** The 503 a write answers when the queue cannot take it. */
export function queueUnavailable(cause?: unknown): AppError {
  return new AppError('unavailable', QUEUE_DOWN, cause === undefined ? {} : { cause });
}

/** Throws the 503 when the producer's Redis connection is not up. */
export function assertQueueReachable(redis: Pick<Redis, 'status'>): void {
  if (!queueReachable(redis)) throw queueUnavailable();
}
