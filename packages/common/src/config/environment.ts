/**
 * Environment variables as zod schemas: one builder per kind of value (integer in a range, flag,
 * string, list, choice), each registered with its documentation, so that a process declares its
 * variables once and gets parsing, error messages and the README's table from the same declaration.
 * An empty value counts as unset everywhere, as a shell's `VAR=` means.
 * @module
 */
import { z } from 'zod';

export interface EnvVariableDoc {
  /** What the variable does, as the README's table says it. */
  description: string;
  /** The default as shown in the table; absent: unset. */
  default?: string;
  /** Command-line flags that override the variable, e.g. `--port`. */
  flags?: readonly string[];
  /** Never echoed back in an error message (keys, URLs with passwords). */
  secret?: boolean;
}

/** Every declared variable's documentation, keyed by its schema. */
export const envVariableDocs = z.registry<EnvVariableDoc>();

/** Configuration that cannot be used; the message names the variable, the problem and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Its code in @credless/core's error catalogue (this leaf package cannot import it): the exit code. */
  readonly code = 'config_invalid';
}

type Doc = Omit<EnvVariableDoc, 'default'>;

const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);

type IntegerDoc = Doc & { default: number; min: number; max: number; shown?: string };

const integerError = (doc: IntegerDoc) => `must be an integer between ${doc.min} and ${doc.max}`;

function integerSchema(doc: IntegerDoc, error = integerError(doc)) {
  return z.coerce
    .number({ error })
    .int({ error })
    .min(doc.min, { error })
    .max(doc.max, { error })
    .default(doc.default);
}

/** An integer in `[min, max]`; the range is part of both the error message and the documentation. */
export function integerVariable(doc: IntegerDoc) {
  return z.preprocess(unsetWhenEmpty, integerSchema(doc)).register(envVariableDocs, documented(doc));
}

/** Like integerVariable, or `none` for no limit (parsed as null). */
export function limitVariable(doc: IntegerDoc) {
  const error = `${integerError(doc)}, or none`;
  const schema = z.preprocess(
    (value) => (value === 'none' ? null : unsetWhenEmpty(value)),
    z.union([z.null(), integerSchema(doc, error)], { error }),
  );
  return schema.register(envVariableDocs, {
    ...documented(doc),
    description: `${doc.description} (${doc.min}–${doc.max}, or \`none\`)`,
  });
}

function documented({ min, max, shown, ...doc }: IntegerDoc): EnvVariableDoc {
  return { ...doc, description: `${doc.description} (${min}–${max})`, default: shown ?? String(doc.default) };
}

/** `true`/`false` (or `1`/`0`, any case). */
export function flagVariable(doc: Doc & { default: boolean }) {
  const schema = z.preprocess(
    unsetWhenEmpty,
    z
      .stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], error: 'must be true or false' })
      .default(doc.default),
  );
  return schema.register(envVariableDocs, { ...doc, default: String(doc.default) });
}

/** Free text; `shown` documents a default computed elsewhere (e.g. from another variable). */
export function stringVariable(doc: Doc & { shown?: string }) {
  const schema = z.preprocess(unsetWhenEmpty, z.string().optional());
  return schema.register(envVariableDocs, { ...doc, ...(doc.shown ? { default: doc.shown } : {}) });
}

/** Free text with a fixed default. */
export function stringVariableWithDefault(doc: Doc & { default: string }) {
  const schema = z.preprocess(unsetWhenEmpty, z.string().default(doc.default));
  return schema.register(envVariableDocs, doc);
}

/** A comma-separated list; blanks around items are ignored. */
export function listVariable(doc: Doc) {
  const schema = z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .default('')
      .transform((raw) =>
        raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
  );
  return schema.register(envVariableDocs, doc);
}

/**
 * An absolute URL. `origin`: only scheme, host and port (a trailing `/` is dropped); otherwise any URL,
 * trailing slashes dropped.
 */
export function urlVariable(doc: Doc & { origin: boolean; shown?: string }) {
  const schema = z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return undefined;
        if (!URL.canParse(raw)) {
          ctx.addIssue({ code: 'custom', message: 'is not a URL' });
          return z.NEVER;
        }
        if (!doc.origin) return raw.replace(/\/+$/, '');
        const url = new URL(raw);
        if (url.pathname !== '/' || url.search || url.hash) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be an origin such as https://sts.example.com:8443 (no path)',
          });
          return z.NEVER;
        }
        return url.origin;
      }),
  );
  const { origin: _, shown, ...rest } = doc;
  return schema.register(envVariableDocs, { ...rest, ...(shown ? { default: shown } : {}) });
}

/** One of a fixed set of words. */
export function choiceVariable<const T extends readonly [string, ...string[]]>(
  values: T,
  doc: Doc & { default: T[number] },
) {
  const schema = z.preprocess(
    unsetWhenEmpty,
    z.enum(values, { error: `must be one of ${values.join(', ')}` }).default(doc.default as never),
  );
  return schema.register(envVariableDocs, {
    ...doc,
    description: `${doc.description}: ${values.map((value) => `\`${value}\``).join(', ')}`,
  });
}

/**
 * Parses `env` with a schema whose keys are variable names. On failure, one message with a sentence
 * per bad variable: `CREDLESS_PORT must be an integer between 0 and 65535 (got 'http')`.
 */
export function parseEnvironment<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv,
  error: (message: string) => Error = (message) => new ConfigError(message),
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw error(result.error.issues.map((issue) => describeIssue(schema, env, issue)).join('; '));
}

function describeIssue(schema: z.ZodObject, env: NodeJS.ProcessEnv, issue: z.core.$ZodIssue): string {
  const name = String(issue.path[0] ?? '');
  const field = schema.shape[name];
  const secret = field ? envVariableDocs.get(field)?.secret : false;
  const raw = env[name];
  return secret || raw === undefined ? `${name} ${issue.message}` : `${name} ${issue.message} (got '${raw}')`;
}
