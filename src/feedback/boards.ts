/** Boards: the top level of the feedback product. Creating one reports `board.created`. */
import type { z } from 'zod';
import type { createBoardBody, patchBoardBody } from '../contract/boards.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { emitEvent } from '../webhooks/emit.ts';
import { type FeedbackContext, notFound } from './context.ts';
import { presentBoard } from './present.ts';
import type { BoardRow } from './repositories.ts';

export type CreateBoard = z.output<typeof createBoardBody>;
export type PatchBoard = z.output<typeof patchBoardBody>;

const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100) || 'board';

const slugTaken = (slug: string) =>
  new KeywardError('ERR_CONFLICT', `A board with slug "${slug}" already exists.`);

export async function createBoard(
  { storage, clock }: FeedbackContext,
  workspaceId: string,
  input: CreateBoard,
): Promise<BoardRow> {
  const now = clock.now();
  const slug = input.slug ?? slugify(input.name);
  try {
    // The board and its webhook event commit together (or neither does).
    return await storage.transaction(async (tx) => {
      const created = await tx.boards.insert({
        id: newId('board', now),
        workspace_id: workspaceId,
        name: input.name,
        slug,
        description: input.description,
        created_at: now,
        updated_at: now,
      });
      await emitEvent(tx, workspaceId, 'board.created', presentBoard(created), now);
      return created;
    });
  } catch (err) {
    throw isUniqueViolation(err) ? slugTaken(slug) : err;
  }
}

export async function getBoard({ storage }: FeedbackContext, workspaceId: string, id: string) {
  const board = await storage.boards.get(workspaceId, id);
  if (!board) throw notFound('Board', id);
  return board;
}

/** Boards have no update event: the change and the read of its result need no transaction. */
export async function updateBoard(
  context: FeedbackContext,
  workspaceId: string,
  id: string,
  patch: PatchBoard,
): Promise<BoardRow> {
  try {
    const changed = await context.storage.boards.update(workspaceId, id, {
      ...patch,
      updated_at: context.clock.now(),
    });
    if (!changed) throw notFound('Board', id);
  } catch (err) {
    throw isUniqueViolation(err) ? slugTaken(patch.slug ?? '') : err;
  }
  return getBoard(context, workspaceId, id);
}
