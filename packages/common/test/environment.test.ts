import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import {
  ConfigError,
  choiceVariable,
  environmentTable,
  flagVariable,
  integerVariable,
  limitVariable,
  listVariable,
  parseEnvironment,
  stringVariable,
  urlVariable,
} from '../src/index.ts';

const schema = z.object({
  PORT: integerVariable({ default: 8443, min: 0, max: 65535, flags: ['--port'], description: 'port' }),
  LIMIT: limitVariable({ default: 20, min: 1, max: 100, description: 'limit' }),
  ON: flagVariable({ default: true, description: 'on' }),
  NAMES: listVariable({ description: 'names' }),
  LEVEL: choiceVariable(['info', 'debug'], { default: 'info', description: 'level' }),
  ORIGIN: urlVariable({ origin: true, description: 'origin' }),
  BASE: urlVariable({ origin: false, description: 'base' }),
  KEY: stringVariable({ secret: true, description: 'key' }),
});

test('defaults, and an empty value counts as unset', () => {
  const expected = {
    PORT: 8443,
    LIMIT: 20,
    ON: true,
    NAMES: [],
    LEVEL: 'info',
  };
  // Unset optional variables come out as absent or undefined: both mean "not configured".
  const defined = (values: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  assert.deepEqual(defined(parseEnvironment(schema, {})), expected);
  const empty = { PORT: '', LIMIT: '', ON: '', NAMES: '', LEVEL: '', ORIGIN: '', BASE: '', KEY: '' };
  assert.deepEqual(defined(parseEnvironment(schema, empty)), expected);
});

const parsed: Array<[string, NodeJS.ProcessEnv, Record<string, unknown>]> = [
  ['an integer', { PORT: '0' }, { PORT: 0 }],
  ['no limit', { LIMIT: 'none' }, { LIMIT: null }],
  ['a flag in any case, or 0/1', { ON: 'FALSE' }, { ON: false }],
  ['a flag as 1', { ON: '1' }, { ON: true }],
  ['a list, blanks ignored', { NAMES: ' a, ,b ' }, { NAMES: ['a', 'b'] }],
  [
    'an origin, trailing slash dropped',
    { ORIGIN: 'https://sts.example.com/' },
    { ORIGIN: 'https://sts.example.com' },
  ],
  [
    'a base URL, trailing slashes dropped',
    { BASE: 'https://g.example/v1.0//' },
    { BASE: 'https://g.example/v1.0' },
  ],
];
for (const [what, env, expected] of parsed)
  test(`parses ${what}`, () => {
    const result: Record<string, unknown> = parseEnvironment(schema, env);
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((name) => [name, result[name]])), expected);
  });

const refused: Array<[string, NodeJS.ProcessEnv, string]> = [
  ['a word for an integer', { PORT: 'http' }, "PORT must be an integer between 0 and 65535 (got 'http')"],
  ['a fraction', { PORT: '1.5' }, "PORT must be an integer between 0 and 65535 (got '1.5')"],
  [
    'an integer out of range',
    { LIMIT: '101' },
    "LIMIT must be an integer between 1 and 100, or none (got '101')",
  ],
  ['a flag that is not boolean', { ON: 'yes' }, "ON must be true or false (got 'yes')"],
  ['an unknown choice', { LEVEL: 'loud' }, "LEVEL must be one of info, debug (got 'loud')"],
  ['a URL that is not one', { BASE: 'sts' }, "BASE is not a URL (got 'sts')"],
  [
    'an origin with a path',
    { ORIGIN: 'https://sts.example.com/t' },
    "ORIGIN must be an origin such as https://sts.example.com:8443 (no path) (got 'https://sts.example.com/t')",
  ],
  [
    'two bad variables at once',
    { PORT: '-1', ON: 'maybe' },
    "PORT must be an integer between 0 and 65535 (got '-1'); ON must be true or false (got 'maybe')",
  ],
];
for (const [what, env, message] of refused)
  test(`refuses ${what}, naming the variable, the value and what is allowed`, () =>
    assert.throws(() => parseEnvironment(schema, env), new ConfigError(message)));

test('a secret variable is never echoed back', () => {
  const secretSchema = z.object({
    SECRET: integerVariable({ default: 1, min: 1, max: 2, secret: true, description: 'secret' }),
  });
  assert.throws(
    () => parseEnvironment(secretSchema, { SECRET: 'hunter2' }),
    new ConfigError('SECRET must be an integer between 1 and 2'),
  );
});

test('the caller chooses the error', () => {
  class Refused extends Error {}
  assert.throws(() => parseEnvironment(schema, { PORT: 'x' }, (message) => new Refused(message)), Refused);
});

test('the table shows flags, defaults (unset when none), ranges and choices', () => {
  const rows = environmentTable(schema).split('\n');
  assert.equal(rows.length, 2 + Object.keys(schema.shape).length);
  assert.match(rows[2]!, /^\| `PORT` \(`--port`\) +\| `8443` +\| port \(0–65535\) +\|$/);
  assert.match(rows[3]!, /\| limit \(1–100, or `none`\) /);
  assert.match(rows[6]!, /\| level: `info`, `debug` /);
  assert.match(rows[7]!, /^\| `ORIGIN` +\| unset +\|/);
});

test('a variable declared without a builder has no documentation, and the table says so', () => {
  assert.throws(() => environmentTable(z.object({ RAW: z.string() })), /RAW has no documentation/);
});
