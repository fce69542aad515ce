import snowflake from 'snowflake-sdk';

/** The real snowflake-sdk driver, promisified for tests. */

snowflake.configure({ logLevel: 'OFF' });

export type Connection = snowflake.Connection;
export type Row = Record<string, unknown>;

export interface ConnectOptions {
  accessUrl: string;
  account: string;
  token: string;
  /** How the token is sent: OAUTH (default), as the PASSWORD, or as a PAT. */
  authenticator?: 'OAUTH' | 'SNOWFLAKE' | 'PROGRAMMATIC_ACCESS_TOKEN';
  application?: string;
  queryTag?: string;
}

export function createConnection(options: ConnectOptions): Connection {
  const authenticator = options.authenticator ?? 'OAUTH';
  return snowflake.createConnection({
    accessUrl: options.accessUrl,
    account: options.account,
    username: 'agent',
    authenticator,
    ...(authenticator === 'SNOWFLAKE' ? { password: options.token } : { token: options.token }),
    ...(options.application === undefined ? {} : { application: options.application }),
    ...(options.queryTag === undefined ? {} : { queryTag: options.queryTag }),
  } as snowflake.ConnectionOptions);
}

export function connect(options: ConnectOptions): Promise<Connection> {
  const connection = createConnection(options);
  return new Promise((resolve, reject) => {
    connection.connect((error) => (error ? reject(error) : resolve(connection)));
  });
}

export interface Executed {
  rows: Row[];
  statement: snowflake.RowStatement;
}

export function execute(
  connection: Connection,
  sqlText: string,
  options: Partial<snowflake.StatementOption> = {},
): Promise<Executed> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText,
      ...options,
      complete: (error, statement, rows) => {
        if (error) reject(error);
        else
          resolve({ rows: (rows ?? []) as Row[], statement: statement as snowflake.RowStatement });
      },
    });
  });
}

/** Streams a result, counting rows without keeping them. */
export function streamCount(connection: Connection, sqlText: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const statement = connection.execute({ sqlText, streamResult: true });
    let rows = 0;
    statement
      .streamRows()
      .on('data', () => {
        rows += 1;
      })
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

export function destroy(connection: Connection): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.destroy((error) => (error ? reject(error) : resolve()));
  });
}
