/** The committed JSON Schema's exact text (schemas/identity.schema.json), shared by the script and its test. */
import { identityJsonSchema } from './definition.ts';

export const identitySchemaText = (): string => `${JSON.stringify(identityJsonSchema(), null, 2)}\n`;
