import { Dialect, transpile } from '@polyglot-sql/sdk';
import { compilationError } from './errors.js';

/** Rewrites one Snowflake statement as DuckDB SQL, or rejects it as Snowflake would. */
export function toDuckDbSql(snowflakeSql: string): string {
  const result = transpile(snowflakeSql, Dialect.Snowflake, Dialect.DuckDB);
  if (!result.success || !result.sql || result.sql.length === 0) {
    throw compilationError(
      'syntax',
      `syntax error line 1 at position 0 unexpected '${snowflakeSql.trim().split(/\s+/, 1)[0]}'.`,
    );
  }
  return result.sql.join(';\n');
}
