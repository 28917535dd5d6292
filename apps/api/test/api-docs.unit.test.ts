import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOGUE, ERROR_CODES, errorBody } from '@pbx-sms/core';

/** docs/api.md's error table must match the error catalogue: every code, its status, documented bodies byte for byte. */
const doc = readFileSync(path.resolve(__dirname, '../../../docs/api.md'), 'utf8');
const WORKER_ONLY = ['provider_rejected', 'provider_unavailable', 'opted_out'];

function tableRows(): Map<string, { status: string; body: string }> {
  const rows = new Map<string, { status: string; body: string }>();
  for (const line of doc.split('\n')) {
    const m = /^\| `([a-z_]+)` \| ([^|]+) \| `([^`]+)` \|/.exec(line);
    if (m) rows.set(m[1]!, { status: m[2]!.trim(), body: m[3]! });
  }
  return rows;
}

describe('docs/api.md error table', () => {
  const rows = tableRows();

  it('lists every code the API can answer, and no other', () => {
    const answered = ERROR_CODES.filter((c) => !WORKER_ONLY.includes(c));
    expect([...rows.keys()].sort()).toEqual([...answered].sort());
  });

  it.each(ERROR_CODES.filter((c) => !WORKER_ONLY.includes(c)))('%s has the catalogue status and body shape', (code) => {
    const row = rows.get(code)!;
    expect(row.status.startsWith(String(ERROR_CATALOGUE[code].status))).toBe(true);
    const body = JSON.parse(row.body) as { error: string; code?: string };
    const entry = ERROR_CATALOGUE[code] as { documented?: string };
    if (entry.documented !== undefined) expect(row.body).toBe(JSON.stringify(errorBody(code)));
    else expect(body.code).toBe(code);
  });

  it('names the worker-only codes', () => {
    for (const code of WORKER_ONLY) expect(doc).toContain(`\`${code}\``);
  });
});
