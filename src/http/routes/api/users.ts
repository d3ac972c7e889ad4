/** Team management (owner): add users, change roles, remove — never leaving a workspace without an owner. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createUser, presentUser } from '../../../accounts/users.ts';
import { recordAudit } from '../../../audit/record.ts';
import { createUserBody, patchUserBody, userListSchema, userSchema } from '../../../contract/accounts.ts';
import { KeywardError } from '../../../core/errors.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, deletedBody, deletedResponse, idParams } from '../../schemas.ts';
import { actorOf, manage, workspaceOf } from './common.ts';

export const userRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock } = deps;
    const find = async (ws: string, id: string) => {
      const user = await storage.users.get(ws, id);
      if (!user) throw new KeywardError('ERR_NOT_FOUND', `User ${id} not found.`);
      return user;
    };
    const lastOwner = () => new KeywardError('ERR_CONFLICT', 'A workspace needs at least one owner.');

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
        const ws = workspaceOf(request);
        const now = clock.now();
        const updated = await storage.transaction(async (tx) => {
          // Owner changes in a workspace go one at a time, so two owners demoting each other leave one.
          await tx.workspaces.lock(ws);
          const user = await tx.users.get(ws, request.params.id);
          if (!user) throw new KeywardError('ERR_NOT_FOUND', `User ${request.params.id} not found.`);
          if (user.role === 'owner' && request.body.role !== 'owner' && (await tx.users.countOwners(ws)) <= 1)
            throw lastOwner();
          await tx.users.setRole(ws, user.id, request.body.role, now);
          await recordAudit(
            tx,
            actorOf(request),
            {
              workspaceId: ws,
              action: 'user.role_changed',
              targetType: 'user',
              targetId: user.id,
              before: { role: user.role },
              after: { role: request.body.role },
            },
            now,
          );
          return { ...user, role: request.body.role };
        });
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
        const ws = workspaceOf(request);
        const now = clock.now();
        await find(ws, request.params.id);
        await storage.transaction(async (tx) => {
          await tx.workspaces.lock(ws);
          const user = await tx.users.get(ws, request.params.id);
          if (!user) throw new KeywardError('ERR_NOT_FOUND', `User ${request.params.id} not found.`);
          if (user.role === 'owner' && (await tx.users.countOwners(ws)) <= 1) throw lastOwner();
          await tx.users.removeMember(ws, user.id);
          await recordAudit(
            tx,
            actorOf(request),
            {
              workspaceId: ws,
              action: 'user.removed',
              targetType: 'user',
              targetId: user.id,
              before: { email: user.email, role: user.role },
            },
            now,
          );
        });
        return deletedBody(request.params.id);
      },
    );
  };
