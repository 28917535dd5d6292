import type { QueryConfig, QueryResultRow } from 'pg';

/**
 * What every statement here needs from node-postgres: `pg.Pool` and `pg.Client` both qualify.
 * Statements go through plain `pg`; hot-path ones are named (prepared once per connection),
 * which costs a fraction of the CPU a Prisma query does.
 */
export interface SqlRunner {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<{ rows: R[]; rowCount: number | null }>;
}
