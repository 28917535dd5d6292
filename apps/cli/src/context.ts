import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { cliSchema, loadConfig, type CommonConfig } from '@pbx-sms/config';
import { createPool, createPrisma, type PrismaClient } from '@pbx-sms/db';
import { AdminService } from '@pbx-sms/operations';
import { createRedis, QueueProducer } from '@pbx-sms/queue';

/** What commands use, built lazily so `migrate` needs no Redis and `help` needs nothing. */
export class CliContext {
  private prismaClient?: PrismaClient;
  private poolInstance?: Pool;
  private redisClient?: Redis;
  private producerInstance?: QueueProducer;

  constructor(
    readonly config: CommonConfig,
    readonly out: (line: string) => void,
  ) {}

  static fromEnv(env: Record<string, string | undefined>, out: (line: string) => void): CliContext {
    return new CliContext(loadConfig(cliSchema, env), out);
  }

  get prisma(): PrismaClient {
    this.prismaClient ??= createPrisma(this.config.DATABASE_URL, { max: 2 });
    return this.prismaClient;
  }

  /** Plain pg, for the statements the API and the worker share (the tenant-config reader). */
  get pool(): Pool {
    this.poolInstance ??= createPool(this.config.DATABASE_URL, { max: 2 });
    return this.poolInstance;
  }

  get producer(): QueueProducer {
    this.redisClient ??= createRedis(this.config.REDIS_URL, 'producer', { enableOfflineQueue: true, maxRetriesPerRequest: 2 });
    this.producerInstance ??= new QueueProducer(this.redisClient, this.config.QUEUE_PREFIX);
    return this.producerInstance;
  }

  get admin(): AdminService {
    return new AdminService(this.prisma, (tenantId) => this.producer.announceConfigChange(tenantId));
  }

  print(value: unknown): void {
    this.out(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  }

  async close(): Promise<void> {
    await this.producerInstance?.close().catch(() => undefined);
    this.redisClient?.disconnect();
    await this.prismaClient?.$disconnect();
    await this.poolInstance?.end();
  }
}
