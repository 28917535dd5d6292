/**
 * Statements built from one list of columns: each column's name, Postgres type and where a
 * row's value comes from, so that placeholders, column names and values cannot drift apart.
 */

export interface Column<R> {
  readonly name: string;
  /** The Postgres type of one value: `int`, `text`, `uuid`, `timestamptz`, … */
  readonly type: string;
  readonly value: (row: R) => unknown;
  /** The type the value is stored as when its parameter's type differs (an enum read as text). */
  readonly storedAs?: string;
}

/** A statement's parameters, collected in order: each added value answers its `$n` placeholder. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown, type?: string): string {
    this.values.push(value);
    return type === undefined ? `$${this.values.length}` : `$${this.values.length}::${type}`;
  }
}

/** `a, b, c`: the columns' names. */
export function names<R>(columns: readonly Column<R>[]): string {
  return columns.map((c) => c.name).join(', ');
}

/** `alias.a, alias.b::message_kind, …`: the columns read from a row source, each as it is stored. */
export function selected<R>(alias: string, columns: readonly Column<R>[]): string {
  return columns.map((c) => (c.storedAs ? `${alias}.${c.name}::${c.storedAs}` : `${alias}.${c.name}`)).join(', ');
}

/** `unnest($n::type[], …) AS alias(a, b, …)`: the rows as one array parameter per column. */
export function unnestRows<R>(params: Params, alias: string, columns: readonly Column<R>[], rows: readonly R[]): string {
  const arrays = columns.map((c) => params.add(rows.map(c.value), `${c.type}[]`));
  return `unnest(${arrays.join(', ')}) AS ${alias}(${names(columns)})`;
}

/** `(VALUES ($n::type, …)) AS alias(a, b, …)`: one row, its values in column order. */
export function valuesRow<R>(params: Params, alias: string, columns: readonly Column<R>[], row: R): string {
  const values = columns.map((c) => params.add(c.value(row), c.type));
  return `(VALUES (${values.join(', ')})) AS ${alias}(${names(columns)})`;
}
