import { readFile } from 'node:fs/promises';
import { UsageError } from '../exit-codes.ts';

/** Reads an az-style JSON argument: `@path/to/file.json` or inline JSON. */
export async function readJsonValue(value: string, flag: string): Promise<unknown> {
  let text = value;
  let source = 'the inline value';
  if (value.startsWith('@')) {
    source = value.slice(1);
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw new UsageError(
        `${flag}: cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${source} is not valid JSON (${(error as Error).message})`);
  }
  return parsed;
}

/** An az-style `--parameters` value that must be a JSON object. */
export async function readJsonParameter(
  value: string,
  flag = '--parameters',
): Promise<Record<string, unknown>> {
  const parsed = await readJsonValue(value, flag);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${flag}: the value must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** An az-style JSON argument that must be an array. */
export async function readJsonArray(value: string, flag: string): Promise<unknown[]> {
  const parsed = await readJsonValue(value, flag);
  if (!Array.isArray(parsed)) throw new UsageError(`${flag}: the value must be a JSON array`);
  return parsed;
}
