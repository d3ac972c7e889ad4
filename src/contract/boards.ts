/**
 * The demo product API (/v1, bearer credential): feedback boards, their posts and the votes on posts,
 * as they are answered and as they are created or changed.
 */
import { z } from 'zod';
import { atLeastOneField, pageQuery, timestamp } from './envelopes.ts';

export const boardSchema = z
  .object({
    id: z.string().meta({ examples: ['brd_01JQ3F8ZK4M2N6P8R0S2T4V6X8'] }),
    name: z.string().meta({ examples: ['Feature requests'] }),
    slug: z.string().meta({ examples: ['feature-requests'] }),
    description: z.string().meta({ examples: ['What should we build next?'] }),
    post_count: z
      .number()
      .int()
      .meta({ examples: [12] }),
    created_at: timestamp,
  })
  .meta({ id: 'Board' });

const slugSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase words joined by -')
  .meta({ examples: ['feature-requests'] });
const boardName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .meta({ examples: ['Feature requests'] });
const boardDescription = z
  .string()
  .max(5000)
  .meta({ examples: ['What should we build next?'] });

export const createBoardBody = z.object({
  name: boardName,
  slug: slugSchema.optional(),
  description: boardDescription.default(''),
});
export const patchBoardBody = atLeastOneField(
  z.object({ name: boardName, slug: slugSchema, description: boardDescription }).partial(),
);

export const POST_STATUSES = [
  'open',
  'under_review',
  'planned',
  'in_progress',
  'complete',
  'closed',
] as const;
export const postStatusSchema = z.enum(POST_STATUSES);
export type PostStatus = (typeof POST_STATUSES)[number];

const postTitle = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .meta({ examples: ['Dark mode'] });
const postBody = z
  .string()
  .max(20_000)
  .meta({ examples: ['Please add a dark theme.'] });
const author = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .meta({ examples: ['ada@example.com'] });

export const postSchema = z
  .object({
    id: z.string().meta({ examples: ['pst_01JQ3F9A2B4C6D8E0F2G4H6J8K'] }),
    board_id: z.string().meta({ examples: ['brd_01JQ3F8ZK4M2N6P8R0S2T4V6X8'] }),
    title: z.string().meta({ examples: ['Dark mode'] }),
    body: z.string().meta({ examples: ['Please add a dark theme.'] }),
    status: postStatusSchema,
    vote_count: z
      .number()
      .int()
      .meta({ examples: [3] }),
    author: z
      .string()
      .nullable()
      .meta({ examples: ['ada@example.com'] }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Post' });

export const createPostBody = z.object({
  title: postTitle,
  body: postBody.default(''),
  status: postStatusSchema.default('open'),
  author: author.optional(),
});
export const patchPostBody = atLeastOneField(
  z
    .object({ title: postTitle, body: postBody, status: postStatusSchema, author: author.nullable() })
    .partial(),
);
export const postsQuery = pageQuery.extend({ status: postStatusSchema.optional() });

export const voteSchema = z
  .object({
    id: z.string().meta({ examples: ['vot_01JQ3FA1C3E5G7J9L1N3Q5S7U9'] }),
    post_id: z.string().meta({ examples: ['pst_01JQ3F9A2B4C6D8E0F2G4H6J8K'] }),
    voter: z.string().meta({ examples: ['grace@example.com'] }),
    created_at: timestamp,
  })
  .meta({ id: 'Vote' });

export const createVoteBody = z.object({
  voter: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .meta({ examples: ['grace@example.com'] }),
});
