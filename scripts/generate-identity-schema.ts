/**
 * Writes schemas/identity.schema.json from the identity file's zod definition (`npm run schema`),
 * formatted by biome like every other file. A test regenerates it and fails when the committed file
 * is stale.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { identitySchemaText } from '../packages/cli/src/declarative/schema-file.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = 'schemas/identity.schema.json';
await writeFile(`${root}${target}`, identitySchemaText());
execFileSync(`${root}node_modules/.bin/biome`, ['format', '--write', target], { cwd: root, stdio: 'ignore' });
console.log(`wrote ${target}`);
