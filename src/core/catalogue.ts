/**
 * The scope catalogue: the resources a credential can be scoped to, each with what reading and
 * writing it allow. Data, read at start (KEYWARD_SCOPES), so an operator describes its own API;
 * without a file it is the demo API's resources. `webhooks` always exists: Keyward serves it.
 */
import { z } from 'zod';

export type Action = 'read' | 'write';

export interface ResourceInfo {
  name: string;
  title: string;
  description: string;
  /** What the `read` scope allows, in a sentence a person reads. */
  read: string;
  write: string;
}

export interface ScopeCatalogue {
  /** Whether the demo API (boards, posts, votes and its /v1 routes) is served. */
  demoApi: boolean;
  resources: readonly ResourceInfo[];
  /** Every granular scope, `resource:read` and `resource:write` of each resource, in order. */
  scopes: readonly string[];
}

export const RESOURCE_NAME = /^[a-z][a-z0-9_]{0,31}$/;

const resourceSchema = z.strictObject({
  title: z.string().min(1),
  description: z.string().optional(),
  read: z.string().min(1),
  write: z.string().min(1),
});

// Strict: a misspelt field (`demoApi`, `resource`) is an error, not a silently ignored setting.
export const catalogueFileSchema = z.strictObject({
  demo_api: z.boolean().default(true),
  resources: z
    .record(
      z.string().regex(RESOURCE_NAME, 'a resource name is lowercase: ^[a-z][a-z0-9_]{0,31}$'),
      resourceSchema,
    )
    .default({}),
});

export type CatalogueFile = z.input<typeof catalogueFileSchema>;

export const DEMO_RESOURCES: readonly ResourceInfo[] = [
  {
    name: 'boards',
    title: 'Boards',
    description: 'Feedback boards',
    read: 'List and read boards',
    write: 'Create, edit and delete boards',
  },
  {
    name: 'posts',
    title: 'Posts',
    description: 'Feature requests and bug reports on a board',
    read: 'List and read posts',
    write: 'Create, edit and delete posts',
  },
  {
    name: 'votes',
    title: 'Votes',
    description: 'Votes on posts',
    read: 'List votes',
    write: 'Vote and remove votes',
  },
];

export const WEBHOOKS_RESOURCE: ResourceInfo = {
  name: 'webhooks',
  title: 'Webhooks',
  description: 'Webhook endpoints of the integration and their deliveries',
  read: 'Read webhook endpoints and deliveries',
  write: 'Create, edit and delete webhook endpoints',
};

/** The catalogue from a validated file (or none): the operator's resources, then webhooks. */
export function buildCatalogue(file: CatalogueFile = {}): ScopeCatalogue {
  const parsed = catalogueFileSchema.parse(file);
  const byName = new Map<string, ResourceInfo>();
  if (parsed.demo_api) for (const r of DEMO_RESOURCES) byName.set(r.name, r);
  for (const [name, r] of Object.entries(parsed.resources)) {
    byName.set(name, {
      name,
      title: r.title,
      description: r.description ?? '',
      read: r.read,
      write: r.write,
    });
  }
  if (!byName.has(WEBHOOKS_RESOURCE.name)) byName.set(WEBHOOKS_RESOURCE.name, WEBHOOKS_RESOURCE);
  const resources = [...byName.values()];
  return {
    demoApi: parsed.demo_api,
    resources,
    scopes: resources.flatMap((r) => [`${r.name}:read`, `${r.name}:write`]),
  };
}

export const DEFAULT_CATALOGUE = buildCatalogue();

export function isCatalogueScope(catalogue: ScopeCatalogue, scope: string): boolean {
  return catalogue.scopes.includes(scope);
}
