import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Path of the request XSD. The file sits one level above both `src/` and `dist/`. */
export const requestSchemaPath = path.join(__dirname, '..', 'schema', 'msapi.xsd');

export function readRequestSchema(): string {
  return readFileSync(requestSchemaPath, 'utf8');
}
