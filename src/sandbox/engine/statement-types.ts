/**
 * Snowflake's `statementTypeId` values. Drivers read the category from the high nibble
 * (0x3xxx is DML, 0x6xxx and up DDL) and the exact DML kind to count affected rows; see
 * snowflake-sdk `connection/result/statement_type.js` and the JDBC driver's SFStatementType.
 */
export const STATEMENT_TYPE = {
  unknown: 0x0000,
  select: 0x1000,
  insert: 0x3100,
  update: 0x3200,
  delete: 0x3300,
  merge: 0x3400,
  multiInsert: 0x3500,
  copy: 0x3600,
  alterSession: 0x4100,
  use: 0x4300,
  useDatabase: 0x4301,
  useSchema: 0x4302,
  useWarehouse: 0x4303,
  show: 0x4400,
  describe: 0x4500,
  transaction: 0x5000,
  ddl: 0x6000,
} as const;

/** True for the DML kinds whose result is a row of "number of rows ..." counts. */
export function isCountedDml(statementTypeId: number): boolean {
  return statementTypeId >= STATEMENT_TYPE.insert && statementTypeId <= STATEMENT_TYPE.multiInsert;
}
