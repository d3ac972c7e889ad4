/** The OpenAPI document of a test app, and walking its operations. */
import type { TestApp } from '../support/app.ts';

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, walked by tests
export type Json = Record<string, any>;

export interface Operation {
  method: string;
  path: string;
  op: Json;
}

export async function documentOf(t: TestApp): Promise<Json> {
  const r = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  if (r.statusCode !== 200) throw new Error(`GET /openapi.json: ${r.statusCode}`);
  return r.json() as Json;
}

export function operationsOf(document: Json): Operation[] {
  return Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** Which scheme an operation names ('none' for `security: []`). */
export function schemeOf(op: Json): string {
  const security = op.security as Json[];
  return security.length === 0 ? 'none' : Object.keys(security[0] as Json)[0]!;
}
