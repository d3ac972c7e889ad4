/** GET /api/scopes: the scope catalogue, for the dashboard's scope picker and scripts. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { presentCatalogue, scopeCatalogueSchema } from '../../../contract/scopes.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope } from '../../schemas.ts';
import { manage } from './common.ts';

export const scopeRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    // Built once: the catalogue is read at start and never changes while the process runs.
    const view = { data: presentCatalogue(deps.config.catalogue) };
    app.get(
      '/scopes',
      manage('member', 'The scope catalogue: resources, and what reading and writing each allows', {
        response: { 200: dataEnvelope(scopeCatalogueSchema), ...commonErrors },
      }),
      async () => view,
    );
  };
