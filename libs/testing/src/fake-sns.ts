import { FakeSnsServer } from './fake-sns/fake-sns.server';

/**
 * The fake SNS (fake-sns/): the server, the faults it can be told to cause, its wire protocol
 * and its control API. Run standalone (`node libs/testing/dist/fake-sns.js [port]`) for the
 * benchmarks, it is also the one part of libs/testing that is built.
 */
export { FakeSnsServer, type FakeSnsOptions } from './fake-sns/fake-sns.server';
export { chaosAttemptsNeeded, chaosOutcome, type ChaosOutcome, type FakeSnsChaos, type FakeSnsFault } from './fake-sns/faults';
export { FAKE_SNS_ERRORS, type FakeSnsErrorCode, type FakeSnsRawRequest, type FakeSnsRequest } from './fake-sns/sns-wire';

if (require.main === module) {
  const port = Number(process.argv[2] ?? process.env.FAKE_SNS_PORT ?? 4566);
  void FakeSnsServer.start({ port, host: process.env.FAKE_SNS_HOST ?? '127.0.0.1', maxRecorded: 100_000 }).then((fake) => {
    process.stdout.write(`fake SNS listening on ${fake.url}\n`);
    const stop = () => void fake.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
