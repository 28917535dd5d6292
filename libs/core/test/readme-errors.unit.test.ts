import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOGUE, errorBody, type ErrorCode } from '@pbx-sms/core';

describe('README error table', () => {
  const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| `(.+?)` \| .* \|$/gm)].map((m) => ({ code: m[1]!, status: Number(m[2]), body: m[3]! }));

  it('lists exactly the codes of the catalogue, with their statuses', () => {
    expect(rows.map((r) => [r.code, r.status]).sort()).toEqual(
      Object.entries(ERROR_CATALOGUE)
        .map(([c, e]) => [c, e.status])
        .sort(),
    );
  });

  it('shows the documented bodies byte for byte', () => {
    for (const r of rows) {
      const entry = ERROR_CATALOGUE[r.code as ErrorCode] as { documented?: string };
      if (entry.documented !== undefined) expect(r.body).toBe(JSON.stringify(errorBody(r.code as ErrorCode)));
      else expect(r.body).toBe(`{"error": "…", "code": "${r.code}"}`);
    }
  });
});
