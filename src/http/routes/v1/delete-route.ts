/** The one shape of a feedback delete route: `DELETE <path>` answering `{data: {id, deleted: true}}`. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RequiredScope } from '../../../core/scopes.ts';
import type { FeedbackContext } from '../../../feedback/context.ts';
import { type DeletableKind, deleteFeedback } from '../../../feedback/delete.ts';
import { commonErrors, deletedBody, deletedResponse, idParams } from '../../schemas.ts';
import { bearerRoute } from './route.ts';

type App = Parameters<FastifyPluginAsyncZod>[0];

export function deleteRoute(
  app: App,
  context: FeedbackContext,
  what: DeletableKind,
  route: { path: string; scope: RequiredScope; tag: string; summary: string },
): void {
  app.delete(
    route.path,
    bearerRoute(route.scope, route.tag, route.summary, {
      params: idParams,
      response: { 200: deletedResponse, ...commonErrors },
    }),
    async (request) => {
      await deleteFeedback(context, what, request.credential!.workspaceId, request.params.id);
      return deletedBody(request.params.id);
    },
  );
}
