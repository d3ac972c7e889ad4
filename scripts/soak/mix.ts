/**
 * The workload mix: each operation's share of the requests. About half reads, a quarter writes (each
 * emits a webhook event), a sixth credential traffic (fresh keys, refusals, 429s), a tenth management.
 */
import {
  freshKey,
  limitedKey,
  malformedKey,
  scopeDenied,
  unknownKey,
  useRevokedKey,
} from './credential-ops.ts';
import * as feedback from './feedback-ops.ts';
import * as management from './management-ops.ts';
import type { Op } from './op-context.ts';

const WEIGHTS: readonly [Op, number][] = [
  [feedback.ping, 8],
  [feedback.listBoards, 7],
  [feedback.getBoard, 4],
  [feedback.listPosts, 6],
  [feedback.getPost, 14],
  [feedback.listVotes, 4],
  [feedback.integrationRead, 2],
  [feedback.createPost, 6],
  [feedback.patchPost, 7],
  [feedback.deletePost, 2],
  [feedback.createVote, 6],
  [feedback.deleteVote, 3],
  [feedback.boardChurn, 1],
  [freshKey, 10],
  [limitedKey, 1],
  [scopeDenied, 1],
  [unknownKey, 1],
  [malformedKey, 1],
  [useRevokedKey, 1],
  [management.listKeys, 3],
  [management.workspaceUsage, 2],
  [management.credentialRequests, 2],
  [management.auditLog, 2],
  [management.getKey, 1],
  [management.webhookDeliveries, 1],
];

const TOTAL = WEIGHTS.reduce((sum, [, w]) => sum + w, 0);

/** A random operation, each as often as its weight says. */
export function pickOp(): Op {
  let r = Math.random() * TOTAL;
  for (const [op, w] of WEIGHTS) {
    r -= w;
    if (r < 0) return op;
  }
  return WEIGHTS[0]![0];
}
