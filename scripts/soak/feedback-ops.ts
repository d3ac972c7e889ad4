/**
 * The feedback API's operations, one request each: reads of boards, posts and votes, and writes that
 * emit webhook events, all on bounded pools (world.ts). Each says which answers are right.
 */
import { dataOf } from './client.ts';
import { any, between, main, type Op, reader } from './op-context.ts';
import { LIMITS, postGone, voteGone } from './world.ts';

const STATUSES = ['open', 'under_review', 'planned', 'in_progress', 'complete', 'closed'] as const;
const VOTERS = 40;

export const ping: Op = (c) =>
  c.client.send({ op: 'ping', method: 'GET', path: '/v1/ping', auth: reader(c), expect: [200] });

export const listBoards: Op = (c) =>
  c.client.send({
    op: 'list-boards',
    method: 'GET',
    path: '/v1/boards?limit=25',
    auth: reader(c),
    expect: [200],
  });

export const getBoard: Op = async (c) => {
  const board = c.world.boards.pick();
  if (!board) return listBoards(c);
  return c.client.send({
    op: 'get-board',
    method: 'GET',
    path: `/v1/boards/${board.id}`,
    auth: reader(c),
    expect: (s) => s === 200 || (s === 404 && board.deleted),
  });
};

export const listPosts: Op = async (c) => {
  const board = c.world.boards.pick();
  if (!board) return listBoards(c);
  const status = Math.random() < 0.3 ? `&status=${any(STATUSES)}` : '';
  return c.client.send({
    op: 'list-posts',
    method: 'GET',
    path: `/v1/boards/${board.id}/posts?limit=25${status}`,
    auth: reader(c),
    expect: (s) => s === 200 || (s === 404 && board.deleted),
  });
};

export const getPost: Op = async (c) => {
  const post = c.world.posts.pick();
  // Now and then an id that never existed: a miss all the way to the database.
  if (!post || Math.random() < 0.05)
    return c.client.send({
      op: 'get-post',
      method: 'GET',
      path: '/v1/posts/pst_soakmissing',
      auth: reader(c),
      expect: [404],
    });
  return c.client.send({
    op: 'get-post',
    method: 'GET',
    path: `/v1/posts/${post.id}`,
    auth: reader(c),
    expect: (s) => s === 200 || (s === 404 && postGone(post)),
  });
};

export const listVotes: Op = async (c) => {
  const post = c.world.posts.pick();
  if (!post) return getPost(c);
  return c.client.send({
    op: 'list-votes',
    method: 'GET',
    path: `/v1/posts/${post.id}/votes`,
    auth: reader(c),
    expect: (s) => s === 200 || (s === 404 && postGone(post)),
  });
};

/** The integration token reads too (granular scopes on the same routes). */
export const integrationRead: Op = (c) =>
  c.client.send({
    op: 'integration-read',
    method: 'GET',
    path: '/v1/boards',
    auth: { bearer: c.p.integration.token },
    expect: [200],
  });

export const createBoard: Op = async (c) => {
  const reply = await c.client.send({
    op: 'create-board',
    method: 'POST',
    path: '/v1/boards',
    auth: main(c),
    body: { name: c.world.nextName('Board'), description: 'made by the soak' },
    expect: [201],
  });
  const board = dataOf<{ id: string }>(reply);
  if (reply.status === 201 && board) c.world.boards.add({ id: board.id, deleted: false });
};

export const deleteBoard: Op = async (c) => {
  const board = c.world.boards.take();
  if (!board) return createBoard(c);
  c.world.deleteBoard(board);
  return c.client.send({
    op: 'delete-board',
    method: 'DELETE',
    path: `/v1/boards/${board.id}`,
    auth: main(c),
    expect: [200],
  });
};

/** Keeps the number of boards between the pool's bounds. */
export const boardChurn: Op = (c) => {
  const n = c.world.boards.size;
  const remove = n >= LIMITS.boardsMax || (n > LIMITS.boardsMin && Math.random() < 0.5);
  return remove ? deleteBoard(c) : createBoard(c);
};

export const deletePost: Op = async (c) => {
  const post = c.world.posts.take();
  if (!post) return createPost(c);
  c.world.deletePost(post);
  return c.client.send({
    op: 'delete-post',
    method: 'DELETE',
    path: `/v1/posts/${post.id}`,
    auth: main(c),
    expect: (s) => s === 200 || (s === 404 && post.board.deleted),
  });
};

export const createPost: Op = async (c) => {
  if (c.world.posts.size >= LIMITS.postsMax) return deletePost(c);
  const board = c.world.boards.pick();
  if (!board) return createBoard(c);
  const reply = await c.client.send({
    op: 'create-post',
    method: 'POST',
    path: `/v1/boards/${board.id}/posts`,
    auth: main(c),
    body: {
      title: c.world.nextName('Post'),
      body: 'x'.repeat(between([0, 400])),
      author: `author-${between([1, 20])}`,
    },
    expect: (s) => s === 201 || (s === 404 && board.deleted),
  });
  const post = dataOf<{ id: string }>(reply);
  if (reply.status === 201 && post && !board.deleted)
    c.world.posts.add({ id: post.id, board, deleted: false });
};

export const patchPost: Op = async (c) => {
  const post = c.world.posts.pick();
  if (!post) return createPost(c);
  const body = Math.random() < 0.6 ? { status: any(STATUSES) } : { title: c.world.nextName('Edited post') };
  return c.client.send({
    op: 'patch-post',
    method: 'PATCH',
    path: `/v1/posts/${post.id}`,
    auth: main(c),
    body,
    expect: (s) => s === 200 || (s === 404 && postGone(post)),
  });
};

export const deleteVote: Op = async (c) => {
  const vote = c.world.votes.take();
  if (!vote) return createVote(c);
  const gone = voteGone(vote);
  vote.deleted = true;
  return c.client.send({
    op: 'delete-vote',
    method: 'DELETE',
    path: `/v1/votes/${vote.id}`,
    auth: main(c),
    expect: (s) => s === 200 || (s === 404 && (gone || postGone(vote.post))),
  });
};

export const createVote: Op = async (c) => {
  if (c.world.votes.size >= LIMITS.votesMax) return deleteVote(c);
  const post = c.world.posts.pick();
  if (!post) return createPost(c);
  const reply = await c.client.send({
    op: 'create-vote',
    method: 'POST',
    path: `/v1/posts/${post.id}/votes`,
    auth: main(c),
    body: { voter: `voter-${between([1, VOTERS])}` },
    // One vote per voter per post: a repeat is a 409.
    expect: (s) => s === 201 || s === 409 || (s === 404 && postGone(post)),
  });
  const vote = dataOf<{ id: string }>(reply);
  if (reply.status === 201 && vote && !postGone(post))
    c.world.votes.add({ id: vote.id, post, deleted: false });
};
