export default async function globalTeardown(): Promise<void> {
  for (const c of globalThis.__PBX_SMS_CONTAINERS__ ?? []) await c.stop();
}
