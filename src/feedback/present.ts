/** Boards, posts and votes as the API answers them and as their webhook events carry them. */
import type { PostStatus } from '../contract/boards.ts';
import { iso } from '../core/time.ts';
import type { BoardRow, PostRow, VoteRow } from './repositories.ts';

export const presentBoard = (b: BoardRow) => ({
  id: b.id,
  name: b.name,
  slug: b.slug,
  description: b.description,
  post_count: b.post_count,
  created_at: iso(b.created_at),
});

export const presentPost = (p: PostRow) => ({
  id: p.id,
  board_id: p.board_id,
  title: p.title,
  body: p.body,
  status: p.status as PostStatus,
  vote_count: p.vote_count,
  author: p.author,
  created_at: iso(p.created_at),
  updated_at: iso(p.updated_at),
});

export const presentVote = (v: VoteRow) => ({
  id: v.id,
  post_id: v.post_id,
  voter: v.voter,
  created_at: iso(v.created_at),
});
