import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrate } from '@pbx-sms/db';
import { createTestDatabase, type TestDatabase } from '@pbx-sms/testing';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('migrator');
});
afterAll(async () => {
  await db.cleanup();
});

describe('migrator', () => {
  it("records migrations in Prisma's own table, so prisma migrate deploy accepts the database", async () => {
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[]>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('is idempotent: a second run applies nothing', async () => {
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('creates every table and column that schema.prisma declares', async () => {
    const schemaText = readFileSync(path.resolve(__dirname, '../../../prisma/schema.prisma'), 'utf8');
    const expected = new Map<string, string[]>();
    for (const m of schemaText.matchAll(/model\s+\w+\s*\{([\s\S]*?)\n\}/g)) {
      const body = m[1] ?? '';
      const table = /@@map\("([^"]+)"\)/.exec(body)?.[1];
      if (!table) throw new Error('every model maps to a snake_case table');
      const columns: string[] = [];
      for (const line of body.split('\n')) {
        const field = /^\s*(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
        if (!field || line.trim().startsWith('@@') || line.trim().startsWith('//')) continue;
        const [, name, type, , , rest] = field;
        if (
          /@relation/.test(rest ?? '') ||
          (/^[A-Z]/.test(type ?? '') &&
            !['String', 'Int', 'Boolean', 'DateTime', 'BigInt', 'Json', 'MessageKind', 'MessageSource', 'MessageStatus'].includes(type ?? ''))
        )
          continue;
        columns.push(/@map\("([^"]+)"\)/.exec(rest ?? '')?.[1] ?? name!);
      }
      expected.set(table, columns);
    }
    const actual = await db.prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
      'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1',
      db.schema,
    );
    expect(expected.size).toBeGreaterThanOrEqual(9);
    for (const [table, columns] of expected) {
      const have = actual
        .filter((r) => r.table_name === table)
        .map((r) => r.column_name)
        .sort();
      expect({ table, columns: have }).toEqual({ table, columns: [...columns].sort() });
    }
  });

  it('lets the Prisma client read and write in the test schema (enums included)', async () => {
    await db.prisma.tenant.create({ data: { id: 7, name: 'Seven' } });
    const msg = await db.prisma.message.create({ data: { tenantId: 7, kind: 'api', source: 'rest', body: 'hi', to: '+14165551234' } });
    expect(msg.status).toBe('queued');
    const found = await db.prisma.message.findMany({ where: { tenantId: 7, status: 'queued' } });
    expect(found.map((m) => m.id)).toEqual([msg.id]);
  });
});
