/**
 * One rule from an error to the exit code: the catalogue code it carries (core's exitCodeFor), for
 * every error class the CLI and the packages below it throw.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { BackupError, ConfigError } from '@credless/server';
import { GetTokenError } from '../src/commands/kube/get-token.ts';
import { ApplyError } from '../src/declarative/apply.ts';
import { DefinitionError } from '../src/declarative/load.ts';
import { PlanError } from '../src/declarative/resolve.ts';
import {
  ChangesPendingError,
  CommandError,
  EXIT,
  exitCodeFor,
  NoMatchError,
  UsageError,
} from '../src/exit-codes.ts';

describe('exitCodeFor', () => {
  const cases: Array<[string, unknown, number]> = [
    ['UsageError', new UsageError('bad flag'), EXIT.invalidInput],
    ['not_found', new CredlessError('not_found', { id: 'x' }), EXIT.notFound],
    [
      'duplicate_value',
      new CredlessError('duplicate_value', { objectType: 'A', field: 'b', value: 'c' }),
      EXIT.conflict,
    ],
    ['invalid_value', new CredlessError('invalid_value', { field: 'a', reason: 'b' }), EXIT.invalidInput],
    [
      'fic_duplicate_issuer_subject (400)',
      new CredlessError('fic_duplicate_issuer_subject', { issuer: 'i', subject: 's', existing: 'e' }),
      EXIT.invalidInput,
    ],
    ['a 401 STS error', new CredlessError('assertion_signature_invalid', { reason: 'r' }), EXIT.failure],
    ['server_error', new CredlessError('server_error'), EXIT.failure],
    ['ChangesPendingError', new ChangesPendingError(), EXIT.changesPending],
    ['NoMatchError', new NoMatchError('no credential matches'), EXIT.noMatch],
    ['CommandError (404)', new CommandError('gone', EXIT.notFound), EXIT.notFound],
    ['CommandError (409)', new CommandError('taken', EXIT.conflict), EXIT.conflict],
    ['CommandError (failure)', new CommandError('not logged in', EXIT.failure), EXIT.failure],
    ['DefinitionError', new DefinitionError('identity.yaml', ['a: bad']), EXIT.invalidInput],
    ['PlanError', new PlanError(['unknown api']), EXIT.invalidInput],
    [
      'ApplyError of a conflict',
      new ApplyError(
        { kind: 'group', op: 'create', name: 'g', body: { displayName: 'g' } } as never,
        0,
        new CommandError('taken', EXIT.conflict),
      ),
      EXIT.conflict,
    ],
    ['GetTokenError', new GetTokenError('token request refused'), EXIT.failure],
    ['ConfigError', new ConfigError('CREDLESS_PORT must be an integer'), EXIT.invalidInput],
    ['BackupError (not-found)', new BackupError('not-found', 'no such file'), EXIT.notFound],
    ['BackupError (key-mismatch)', new BackupError('key-mismatch', 'wrong KEK'), EXIT.invalidInput],
    ['kek_mismatch at start-up', new CredlessError('kek_mismatch', { source: 's', fix: 'f' }), EXIT.failure],
    ['a Node error code', Object.assign(new Error('gone'), { code: 'ENOENT' }), EXIT.failure],
    ['a plain Error', new Error('boom'), EXIT.failure],
    ['a TypeError', new TypeError('x is undefined'), EXIT.failure],
    ['a thrown string', 'boom', EXIT.failure],
  ];
  for (const [what, error, code] of cases) {
    test(`${what} → ${code}`, () => assert.equal(exitCodeFor(error), code));
  }

  test('the codes are documented and distinct', () => {
    assert.deepEqual(EXIT, {
      ok: 0,
      failure: 1,
      invalidInput: 2,
      notFound: 3,
      conflict: 4,
      noMatch: 5,
      changesPending: 6,
    });
    assert.equal(new Set(Object.values(EXIT)).size, Object.keys(EXIT).length);
  });
});
