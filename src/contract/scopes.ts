/** The scope catalogue as `GET /api/scopes` shows it (the dashboard's scope picker reads it). */
import { z } from 'zod';
import type { ScopeCatalogue } from '../core/catalogue.ts';
import { API_KEY_SCOPES } from '../core/scopes.ts';

const scopeEntry = z.object({ scope: z.string(), description: z.string() });

export const scopeResourceSchema = z.object({
  resource: z.string(),
  title: z.string(),
  description: z.string(),
  read: scopeEntry,
  write: scopeEntry,
});

export const scopeCatalogueSchema = z.object({
  resources: z.array(scopeResourceSchema),
  /** What an API key can hold: every resource at once. */
  api_key_scopes: z.array(z.enum(API_KEY_SCOPES)),
});

export type ScopeCatalogueView = z.infer<typeof scopeCatalogueSchema>;

export function presentCatalogue(catalogue: ScopeCatalogue): ScopeCatalogueView {
  return {
    resources: catalogue.resources.map((r) => ({
      resource: r.name,
      title: r.title,
      description: r.description,
      read: { scope: `${r.name}:read`, description: r.read },
      write: { scope: `${r.name}:write`, description: r.write },
    })),
    api_key_scopes: [...API_KEY_SCOPES],
  };
}
