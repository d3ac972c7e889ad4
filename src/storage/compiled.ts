/**
 * Statements compiled once. Kysely builds an operation tree and compiles it to SQL on every call,
 * which for the insert of a write costs about as much CPU as SQLite takes to run it; the writes every
 * request makes build theirs once, with a marker in place of each value, and afterwards only bind
 * new values to the same SQL text (which better-sqlite3's statement cache and PostgreSQL then see
 * unchanged). Executed through Kysely's public `executeQuery`, inside the caller's transaction.
 */
import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { DialectName } from './dialect.ts';
import type { Database } from './schema.ts';

/**
 * The statements compiled once for PostgreSQL, by SQL text, and the name each is prepared under:
 * the pool (pg-pool.ts) sends them as named statements, so each connection has the server parse
 * and plan them once instead of on every write. A small, fixed set, so a connection never holds
 * more than a few.
 */
const preparedNames = new Map<string, string>();

export const preparedNameOf = (sql: string): string | undefined => preparedNames.get(sql);

/** Stands for the value named `name` while the query is compiled. */
class Marker {
  constructor(readonly name: PropertyKey) {}
}

export class CompiledStatement<Values extends object> {
  /** By dialect: one process may hold storages of both (the tests do). */
  private readonly compiled = new Map<DialectName, { sql: string; parameters: readonly unknown[] }>();

  /**
   * `build` makes the query from `values` the way any other query is made; it is called once, with
   * markers, so it must use each value only as a value (not to decide the query's shape).
   */
  constructor(
    private readonly names: readonly (keyof Values & string)[],
    private readonly build: (db: Kysely<Database>, values: Values) => Compilable,
  ) {}

  execute(db: Kysely<Database>, dialect: DialectName, values: Values): Promise<QueryResult<unknown>> {
    let compiled = this.compiled.get(dialect);
    if (compiled === undefined) {
      compiled = this.compile(db);
      this.compiled.set(dialect, compiled);
      if (dialect === 'postgres' && !preparedNames.has(compiled.sql))
        preparedNames.set(compiled.sql, `keyward_${preparedNames.size + 1}`);
    }
    const parameters = compiled.parameters.map((p) =>
      p instanceof Marker ? values[p.name as keyof Values] : p,
    );
    return db.executeQuery(CompiledQuery.raw(compiled.sql, parameters));
  }

  private compile(db: Kysely<Database>) {
    const markers = Object.fromEntries(
      this.names.map((name) => [name, new Marker(name)]),
    ) as unknown as Values;
    const { sql, parameters } = this.build(db, markers).compile();
    return { sql, parameters };
  }
}
