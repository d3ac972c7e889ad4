/**
 * src/client/generated/openapi.ts is what `npm run generate:client` makes of the current OpenAPI
 * document: generated again in memory and compared.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GENERATED_PATH, generateClientTypes } from '../../scripts/generate-client.ts';

it('the checked-in client types match the OpenAPI document', { timeout: 120_000 }, async () => {
  const fresh = await generateClientTypes();
  const checkedIn = readFileSync(GENERATED_PATH, 'utf8');
  expect(
    checkedIn === fresh,
    'src/client/generated/openapi.ts is stale: run `npm run generate:client` and commit the result',
  ).toBe(true);
});
