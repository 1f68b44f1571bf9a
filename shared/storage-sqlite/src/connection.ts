import type { Database, Statement } from 'better-sqlite3';

const MAX_CACHED = 500;

/** A better-sqlite3 connection with its prepared statements cached by SQL text. */
export class Connection {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: Database) {}

  statement(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}
