import type Database from 'better-sqlite3';
import { TollgateError } from '../errors.js';

/** The layout this code writes; stored in `audit_schema` so a newer layout is not misread. */
export const SCHEMA_VERSION = 1;

/**
 * One row per event, in chain order. `event` is the canonical JSON that the hash covers; the
 * other columns are copies of event fields for filtering. AUTOINCREMENT makes SQLite remember the
 * highest seq ever written (in `sqlite_sequence`), a tripwire for rows deleted from the end.
 */
const RECORDS = `
CREATE TABLE audit_records (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT NOT NULL UNIQUE,
  kind           TEXT NOT NULL,
  time           TEXT NOT NULL,
  statement_id   TEXT,
  principal      TEXT,
  connection     TEXT,
  outcome        TEXT,
  statement_type TEXT,
  tag_set_id     INTEGER,
  event          TEXT NOT NULL,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);
CREATE INDEX audit_records_kind ON audit_records (kind);
CREATE INDEX audit_records_time ON audit_records (time);
CREATE INDEX audit_records_statement ON audit_records (statement_id, kind);
CREATE INDEX audit_records_principal ON audit_records (principal);
CREATE INDEX audit_records_tag_set ON audit_records (tag_set_id);
`;

/**
 * Tags of login, statement and session_end events, for `--tag k=v`. Each distinct tag
 * (source, key, value) is stored once, and so is each distinct set of tags; a record names its
 * set in `audit_records.tag_set_id`. Every statement of a session carries the same verified tags
 * (they come from its token), so an append usually adds one integer to one index instead of a
 * row per tag, which was most of the cost of a write. `audit_tags` shows them flat, one row per
 * tag of a record.
 */
const TAGS = `
CREATE TABLE audit_tag_values (
  tag_id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('verified', 'claimed')),
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  UNIQUE (source, key, value)
);
CREATE TABLE audit_tag_sets (
  tag_set_id INTEGER PRIMARY KEY,
  tag_ids    TEXT NOT NULL UNIQUE
);
CREATE TABLE audit_tag_set_members (
  tag_id     INTEGER NOT NULL,
  tag_set_id INTEGER NOT NULL,
  PRIMARY KEY (tag_id, tag_set_id)
) WITHOUT ROWID;
CREATE VIEW audit_tags AS
  SELECT r.seq, tv.source, tv.key, tv.value
  FROM audit_records r
  JOIN audit_tag_set_members m ON m.tag_set_id = r.tag_set_id
  JOIN audit_tag_values tv ON tv.tag_id = m.tag_id;
`;

/**
 * Full-text index of statement SQL, rowid = the statement's seq. Contentless: the text already
 * lives in the record. Underscores join words so `order_items` is one term, as SQL names are.
 */
const SQL_TEXT = `
CREATE VIRTUAL TABLE audit_sql USING fts5 (
  sql_text, content = '', tokenize = "unicode61 tokenchars '_'"
);
`;

/** Tables whose rows never change once written; triggers make the database refuse it. */
export const APPEND_ONLY_TABLES = [
  'audit_records',
  'audit_tag_values',
  'audit_tag_sets',
  'audit_tag_set_members',
];

const APPEND_ONLY = APPEND_ONLY_TABLES.map(
  (table) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
`,
).join('');

/**
 * Creates the tables on a new store, or checks the version of an existing one. Runs under the
 * write lock, so two processes opening a new store at once do not both create it.
 */
export function prepareSchema(db: Database.Database, path: string): void {
  db.transaction(() => {
    const version = readVersion(db);
    if (version === null) createTables(db);
    else if (version !== SCHEMA_VERSION) throw unknownSchema(path, version);
  }).immediate();
}

function createTables(db: Database.Database): void {
  db.exec(`CREATE TABLE audit_schema (version INTEGER NOT NULL);${RECORDS}${TAGS}${SQL_TEXT}`);
  db.exec(APPEND_ONLY);
  db.prepare('INSERT INTO audit_schema (version) VALUES (?)').run(SCHEMA_VERSION);
}

/** For stores opened read-only: the tables must be there, in a layout this code knows. */
export function checkSchema(db: Database.Database, path: string): void {
  const version = readVersion(db);
  if (version === SCHEMA_VERSION) return;
  if (version !== null) throw unknownSchema(path, version);

  throw new TollgateError('TG_AUDIT_UNAVAILABLE', `${path} is not a Tollgate audit store`);
}

function readVersion(db: Database.Database): number | null {
  const table = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_schema'")
    .get();
  if (!table) return null;

  const row = db.prepare('SELECT max(version) AS version FROM audit_schema').get() as {
    version: number | null;
  };
  return row.version;
}

function unknownSchema(path: string, version: number): TollgateError {
  return new TollgateError(
    'TG_AUDIT_UNAVAILABLE',
    `${path} has audit schema version ${version}; this Tollgate reads version ${SCHEMA_VERSION}`,
  );
}
