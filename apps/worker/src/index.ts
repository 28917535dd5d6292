export * from './worker';
export * from './reconciler';
export * from './ops-server';
export * from './job-outcome';
export * from './jobs/send-sms.job';
export * from './jobs/voicemail-received.job';
