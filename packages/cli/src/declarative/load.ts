/**
 * Reading an identity file: YAML (JSON is YAML too), `${VAR}` substitution from the environment in
 * string values (after parsing, so a value can never inject YAML), then the zod definition. Every
 * problem is reported with its path, e.g. `applications[0].federatedCredentials[1]: …`.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../exit-codes.ts';
import { type IdentityFile, identityFileSchema } from './definition.ts';

/** A file that cannot be used: every problem found, one per line. */
export class DefinitionError extends UsageError {
  readonly source: string;
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source} is not a valid identity file`, {
      code: 'identity_file_invalid',
      params: { source, problems: problems.map((p) => `  ${p}`).join('\n') },
    });
    this.source = source;
    this.problems = problems;
  }
}

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );

const PLACEHOLDER = /\$(\$)?\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces `${VAR}` in every string; `$${VAR}` stays a literal `${VAR}`. Collects unresolved names. */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: string[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, escaped: string | undefined, name: string) => {
      if (escaped) return whole.slice(1);
      const where = formatPath(path) || '(root)';
      if (!VARIABLE_NAME.test(name)) {
        problems.push(`${where}: '\${${name}}' is not a valid variable name`);
        return whole;
      }
      const resolved = env[name];
      if (resolved === undefined) {
        problems.push(`${where}: environment variable ${name} is not set`);
        return whole;
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, problems, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, problems, [...path, key])]),
    );
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

/** Parses and validates the text of an identity file; `source` names it in errors. */
export function parseIdentityFile(
  text: string,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): IdentityFile {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new DefinitionError(
      source,
      document.errors.map((error) => (error.message.split('\n')[0] ?? error.message).replace(/:$/, '')),
    );
  }
  const raw: unknown = document.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DefinitionError(source, ['(root): must be a mapping with apiVersion, applications, groups']);
  }
  const problems: string[] = [];
  const substituted = substituteEnv(raw, env, problems);
  if (problems.length > 0) throw new DefinitionError(source, problems);
  const result = identityFileSchema.safeParse(substituted);
  if (!result.success) throw new DefinitionError(source, result.error.issues.map(describeIssue));
  return result.data;
}

export async function loadIdentityFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<IdentityFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`-f ${path}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  return parseIdentityFile(text, path, env);
}
