import type { QueryConfig, QueryResultRow } from 'pg';

/**
 * What the API's repositories need from node-postgres: `pg.Pool` and `pg.Client` both
 * qualify. Hot-path statements go through plain `pg` (named, prepared once per connection),
 * which costs a fraction of the CPU a Prisma query does.
 */
export interface SqlRunner {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<{ rows: R[]; rowCount: number | null }>;
}
