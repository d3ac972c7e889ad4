/**
 * pg's pool as Kysely sees it, safe when PostgreSQL drops a connection: pg-pool listens for a
 * client's `error` only while the client is idle, so a connection lost while checked out (a
 * terminated backend, a restart, a reset) would be an unhandled `error` event and end the process.
 * Here every client has a listener for its whole life, and a client whose connection failed is
 * destroyed on release instead of going back to the pool. Statements compiled once (compiled.ts) are
 * sent as named prepared statements.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { preparedNameOf } from './compiled.ts';
import { isUnavailable } from './errors.ts';

export type ConnectionLost = (err: Error) => void;

export class ResilientPgPool implements PostgresPool {
  private readonly broken = new WeakSet<pg.PoolClient>();

  constructor(
    private readonly pool: pg.Pool,
    onLost: ConnectionLost,
  ) {
    // An idle client whose connection ends: pg-pool removes it; the next query opens a new one.
    pool.on('error', onLost);
    pool.on('connect', (client) => {
      client.on('error', (err) => {
        this.broken.add(client);
        onLost(err);
      });
    });
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    const markIfLost = (err: unknown) => {
      if (isUnavailable(err)) this.broken.add(client);
      throw err;
    };
    return {
      query: ((sqlOrCursor: unknown, parameters?: readonly unknown[]) => {
        // A connection that failed (a read timeout, a reset) is not asked again: the ROLLBACK that
        // follows a failed statement would wait out a second timeout on a stalled connection.
        if (this.broken.has(client)) return Promise.reject(new Error('connection lost'));
        if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
        const values = parameters as unknown[];
        const name = preparedNameOf(sqlOrCursor);
        const query = name
          ? client.query({ name, text: sqlOrCursor, values })
          : client.query(sqlOrCursor, values);
        return query.catch(markIfLost);
      }) as unknown as PostgresPoolClient['query'],
      // pg-pool destroys a client released with an error rather than handing it out again.
      release: () => client.release(this.broken.has(client) ? new Error('connection lost') : undefined),
    };
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
