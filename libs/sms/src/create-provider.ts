import type { WorkerConfig } from '@pbx-sms/config';
import { LocalSmsProvider } from './local.provider';
import type { SmsProvider } from './provider';
import { SnsSmsProvider, type SnsProviderOptions } from './sns.provider';

/** The provider SMS_PROVIDER selects. */
export function createSmsProvider(
  config: Pick<WorkerConfig, 'SMS_PROVIDER' | 'AWS_REGION' | 'SNS_ENDPOINT' | 'PROVIDER_TIMEOUT_MS' | 'WORKER_CONCURRENCY'>,
  extra: Pick<SnsProviderOptions, 'credentials'> = {},
): SmsProvider {
  if (config.SMS_PROVIDER === 'sns') {
    return new SnsSmsProvider({
      region: config.AWS_REGION,
      endpoint: config.SNS_ENDPOINT,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      maxSockets: Math.max(16, config.WORKER_CONCURRENCY * 2),
      ...extra,
    });
  }
  return new LocalSmsProvider();
}
