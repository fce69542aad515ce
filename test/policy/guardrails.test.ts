import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusedStatement, roleChangeOf } from '../../src/policy/guardrails.js';

test('USE ROLE and USE SECONDARY ROLES are role changes in any case', () => {
  assert.equal(roleChangeOf('USE ROLE ACCOUNTADMIN'), 'USE ROLE');
  assert.equal(roleChangeOf('use role analyst'), 'USE ROLE');
  assert.equal(roleChangeOf('Use\n\tRole   sysadmin'), 'USE ROLE');
  assert.equal(roleChangeOf('USE SECONDARY ROLES ALL'), 'USE SECONDARY ROLES');
  assert.equal(roleChangeOf('use secondary roles none'), 'USE SECONDARY ROLES');
});

test('quoted and IDENTIFIER role names are still role changes', () => {
  assert.equal(roleChangeOf('use role "Mixed Case; Role"'), 'USE ROLE');
  assert.equal(roleChangeOf("USE ROLE IDENTIFIER('ACCOUNTADMIN')"), 'USE ROLE');
});

test('comments before and between the keywords do not hide a role change', () => {
  assert.equal(roleChangeOf('-- switch\nUSE ROLE accountadmin'), 'USE ROLE');
  assert.equal(roleChangeOf('/* a */ /* b */ USE /* c */ ROLE x'), 'USE ROLE');
  assert.equal(roleChangeOf('// note\n  use // more\n secondary roles all'), 'USE SECONDARY ROLES');
});

test('other USE statements and role words inside strings or comments are not role changes', () => {
  assert.equal(roleChangeOf('USE DATABASE analytics'), null);
  assert.equal(roleChangeOf('use warehouse role'), null);
  assert.equal(roleChangeOf('USE "ROLE"'), null);
  assert.equal(roleChangeOf("select 'use role accountadmin' as note"), null);
  assert.equal(roleChangeOf('select 1 -- then use role accountadmin'), null);
  assert.equal(roleChangeOf('select current_role()'), null);
});

test('Snowflake Scripting that runs a role change is refused', () => {
  assert.equal(roleChangeOf("EXECUTE IMMEDIATE 'USE ROLE accountadmin'"), 'USE ROLE');
  assert.equal(
    roleChangeOf('execute immediate $$ use secondary roles all $$'),
    'USE SECONDARY ROLES',
  );
  assert.equal(roleChangeOf('BEGIN USE /* x */ ROLE sysadmin'), 'USE ROLE');
  assert.equal(roleChangeOf("EXECUTE IMMEDIATE 'SELECT 1'"), null);
  assert.equal(roleChangeOf('BEGIN TRANSACTION'), null);
});

test('a request is refused at its first role change, with the statement position', () => {
  const refusal = refusedStatement(['select 1', 'USE ROLE accountadmin', 'select 2']);
  assert.equal(refusal?.index, 1);
  assert.match(refusal?.reason ?? '', /^USE ROLE is refused: /);
  assert.equal(refusedStatement(['select 1', 'use database x']), null);
  assert.equal(refusedStatement([]), null);
});
