/** Team management (owner): add users, change roles, remove — never leaving a workspace without an owner. */

import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { changeRole, type MemberChange, removeMember } from '../../../accounts/members.ts';
import { createUser, presentUser } from '../../../accounts/users.ts';
import { createUserBody, patchUserBody, userListSchema, userSchema } from '../../../contract/accounts.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, deletedBody, deletedResponse, idParams } from '../../schemas.ts';
import { actorOf, manage, workspaceOf } from './common.ts';

export const userRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock } = deps;
    // An owner may not leave the workspace without an owner (the operator may: admin API).
    const change = (request: FastifyRequest, userId: string): MemberChange => ({
      workspaceId: workspaceOf(request),
      userId,
      actor: actorOf(request),
      now: clock.now(),
      keepAnOwner: true,
    });

    app.get(
      '/users',
      manage('owner', 'List the team', { response: { 200: userListSchema, ...commonErrors } }),
      async (request) => ({
        data: (await storage.users.list(workspaceOf(request))).map(presentUser),
        next_cursor: null,
      }),
    );

    app.post(
      '/users',
      manage('owner', 'Add a person with a role (a password only for a new person)', {
        body: createUserBody,
        response: { 201: dataEnvelope(userSchema), ...commonErrors, 409: commonErrors[404] },
      }),
      async (request, reply) => {
        const user = await createUser(
          storage,
          { workspaceId: workspaceOf(request), ...request.body },
          actorOf(request),
          clock.now(),
        );
        return reply.code(201).send({ data: presentUser(user) });
      },
    );

    app.patch(
      '/users/:id',
      manage('owner', "Change a user's role", {
        params: idParams,
        body: patchUserBody,
        response: { 200: dataEnvelope(userSchema), ...commonErrors, 409: commonErrors[404] },
      }),
      async (request) => {
        const updated = await changeRole(storage, change(request, request.params.id), request.body.role);
        return { data: presentUser(updated) };
      },
    );

    app.delete(
      '/users/:id',
      manage('owner', 'Remove a person from the workspace (their sessions in it end at once)', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors, 409: commonErrors[404] },
      }),
      async (request) => {
        await removeMember(storage, change(request, request.params.id));
        return deletedBody(request.params.id);
      },
    );
  };
