import { readFileSync } from 'node:fs';
import path from 'node:path';
import { apiSchema, cliSchema, workerSchema } from '@pbx-sms/config';

describe('docs/operations.md configuration reference', () => {
  const runbook = readFileSync(path.resolve(__dirname, '../../../docs/operations.md'), 'utf8');
  const documented = new Map([...runbook.matchAll(/^\| `([A-Z_]+)` \| [^|]+ \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
  const variables = new Set([...Object.keys(apiSchema.shape), ...Object.keys(workerSchema.shape), ...Object.keys(cliSchema.shape)]);

  it('documents every variable the processes read', () => {
    expect([...variables].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('documents no variable the processes do not read', () => {
    expect([...documented.keys()].filter((v) => !variables.has(v))).toEqual([]);
  });

  it('gives the defaults the schemas apply', () => {
    const defaults: Record<string, string | number | boolean | undefined> = { ...workerSchema.parse({}), ...apiSchema.parse({ ADMIN_TOKEN: 'x'.repeat(16) }) };
    for (const [name, value] of Object.entries(defaults)) {
      if (name === 'ADMIN_TOKEN' || value === undefined) continue;
      expect({ name, doc: documented.get(name) }).toEqual({ name, doc: `\`${String(value)}\`` });
    }
  });
});
