/**
 * The API's zod schemas: requests (validated by the handlers) and responses (what the presenters
 * produce, checked in tests). /openapi.json is generated from these same objects (openapi.ts),
 * so the description cannot drift from what is enforced.
 */
import { z } from 'zod';

/** A whole number in a query string, within [min, max]. "1.5", "abc", "" and "-1" are refused. */
export function intParam(name: string, min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));
}

const arxivIdPattern = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/;

// ---------------------------------------------------------------- requests

export const DailyPapersQuery = z.object({
  date: z.string().max(40).optional().describe('A day, YYYY-MM-DD. At most one of date, week and month; none means every day up to today, the latest first (page with p).'),
  week: z.string().max(40).optional().describe('An ISO week, YYYY-Www (e.g. 2025-W23).'),
  month: z.string().max(40).optional().describe('A month, YYYY-MM.'),
  p: intParam('p', 0, 10_000).optional().describe('Page number, from 0.'),
  limit: intParam('limit', 1, 100).optional().describe('Items per page, 1 to 100 (default 50).'),
  sort: z.enum(['publishedAt', 'trending']).optional().describe('Default: most upvoted first. publishedAt: most recently featured first. trending: by trending score.'),
  submitter: z.string().min(1).max(100).optional().describe('Only papers submitted by this user name.'),
});

export const SearchQuery = z.object({
  q: z.string({ required_error: 'q is required: the search text' }).trim().min(1, 'q must not be empty').max(250, 'q must be at most 250 characters').describe('Search text, up to 250 characters (author:, cat:, year:, "phrases" and -term when the search engine is enabled).'),
  limit: intParam('limit', 1, 120).optional().describe('Results, 1 to 120 (default 50).'),
});

export const PapersQuery = z.object({
  cursor: z.string().max(400, 'cursor is not valid').optional().describe('Opaque cursor from the Link header of the previous page.'),
  limit: intParam('limit', 1, 100).optional().describe('Papers per page, 1 to 100 (default 50).'),
});

export const TrendingQuery = z.object({
  window: z.enum(['day', 'week', 'month']).optional().describe('Papers that started trending within the last day, week (default) or month.'),
  p: intParam('p', 0, 10_000).optional().describe('Page number, from 0.'),
  limit: intParam('limit', 1, 100).optional().describe('Items per page, 1 to 100 (default 50).'),
});

export const SimilarQuery = z.object({
  limit: intParam('limit', 1, 50).optional().describe('Similar papers, 1 to 50 (default 10).'),
});

export const SubmitBody = z.object({
  id: z.string({ required_error: 'id is required: an arXiv id or URL' }).min(1).max(300).describe('An arXiv id (2401.12345) or an arxiv.org URL.'),
});

export const CommentBody = z.object({
  body: z.string({ required_error: 'body is required' }).trim().min(1, 'body must not be empty').max(10_000, 'body must be at most 10000 characters').describe('Comment text (Markdown).'),
  parentId: z.number().int().positive().max(2_147_483_647, 'parentId is not a comment id').optional().describe('The comment this replies to.'),
});

// ---------------------------------------------------------------- responses

export const ApiUser = z
  .object({
    _id: z.string().optional().describe("The user's id (Hugging Face's for imported entries; ours for local users)."),
    name: z.string().describe('Login name.'),
    fullname: z.string().describe('Display name (the login name when none is known).'),
    avatarUrl: z.string().optional().describe('http(s) image URL; site-relative Hugging Face avatars are made absolute against https://huggingface.co.'),
    type: z.string().describe('"user".'),
    isPro: z.boolean(),
    isHf: z.boolean().optional().describe("Hugging Face staff (as its archive recorded it); absent for local users."),
    isHfAdmin: z.boolean().optional().describe('Hugging Face admin (as its archive recorded it).'),
    isMod: z.boolean().optional().describe('Hugging Face moderator (as its archive recorded it).'),
    followerCount: z.number().int().min(0).optional().describe('Followers on Hugging Face when the archive recorded it.'),
    user: z.string().optional().describe('Login name again, as Hugging Face sends it in paper objects.'),
  })
  .describe('A user, in the shape Hugging Face sends.');

export const ApiOrganization = z.object({
  _id: z.string().optional(),
  name: z.string(),
  fullname: z.string(),
  avatar: z.string().optional().describe('http(s) image URL.'),
});

export const ApiAuthor = z.object({
  _id: z.string().optional().describe("Hugging Face's id of this author entry, for imported papers."),
  name: z.string(),
  hidden: z.boolean().describe('Always false: hidden authors are not listed.'),
  user: ApiUser.optional().describe('The user who claimed this author name, where known.'),
});

const linkedList = z.array(z.object({ id: z.string() }).passthrough()).describe('Not tracked here: always empty.');

export const ApiPaper = z.object({
  id: z.string().regex(arxivIdPattern).describe('arXiv id without version.'),
  title: z.string(),
  summary: z.string().describe('The abstract.'),
  authors: z.array(ApiAuthor),
  publishedAt: z.string().optional().describe('arXiv v1 submission time (ISO 8601).'),
  upvotes: z.number().int().min(0),
  numComments: z.number().int().min(0),
  githubRepo: z.string().optional(),
  githubStars: z.number().int().optional(),
  projectPage: z.string().optional(),
  submittedOnDailyAt: z.string().optional().describe('When it was featured on the daily papers (latest time).'),
  submittedOnDailyBy: ApiUser.optional().describe('Who featured it (latest entry).'),
  discussionId: z.string().optional().describe("The paper's discussion id on huggingface.co, for imported papers."),
  organization: ApiOrganization.optional(),
  linkedModels: linkedList,
  numTotalModels: z.number().int().min(0),
  linkedDatasets: linkedList,
  numTotalDatasets: z.number().int().min(0),
  linkedSpaces: linkedList,
  numTotalSpaces: z.number().int().min(0),
  ai_summary: z.string().optional(),
  ai_keywords: z.array(z.string()).optional(),
  categories: z.array(z.string()).describe('arXiv categories, primary first (Papertide extension).'),
  version: z.number().int().min(1).describe('Latest arXiv version (Papertide extension).'),
  withdrawn: z.boolean().optional(),
  trendingScore: z.number().optional().describe('In trending lists: the trending score now (see /about/trending).'),
});

export const ApiItem = z.object({
  paper: ApiPaper,
  publishedAt: z.string().optional().describe('When the paper was featured (ISO 8601).'),
  title: z.string(),
  summary: z.string(),
  numComments: z.number().int().min(0),
  submittedBy: ApiUser.optional(),
  organization: ApiOrganization.optional(),
  thumbnail: z.string().optional().describe('http(s) image URL (Hugging Face\'s social thumbnail, for imported papers).'),
  isAuthorParticipating: z.boolean(),
});

export const ApiError = z.object({ error: z.string().describe('What was wrong, readable.') });

export const ApiVote = z.object({ id: z.string(), upvoted: z.boolean(), upvotes: z.number().int() });
export const ApiComment = z.object({ id: z.number().int(), paperId: z.string(), body: z.string(), createdAt: z.string(), author: z.object({ name: z.string() }) });

export type ApiPaperT = z.infer<typeof ApiPaper>;
export type ApiItemT = z.infer<typeof ApiItem>;

// ---------------------------------------------------------------- library, collections, follows, recommendations (Bearer token)

const paperIdField = z.string({ required_error: 'id is required: an arXiv id' }).trim().min(1, 'id must not be empty').max(60, 'id is not an arXiv id').describe('An arXiv id (2401.12345) or an arxiv.org URL.');

export const LibraryQuery = z.object({
  limit: intParam('limit', 1, 100).optional().describe('Papers per page, 1 to 100 (default 50).'),
  offset: intParam('offset', 0, 100_000).optional().describe('Papers to skip (default 0).'),
});

export const SaveBody = z.object({ id: paperIdField });

export const NoteBody = z.object({
  note: z.string({ required_error: 'note is required (an empty string clears it)' }).max(10_000, 'note must be at most 10000 characters').describe('The private note; an empty string clears it. Saving a note saves the paper.'),
});

export const ExportQuery = z.object({
  format: z.enum(['bib', 'ris'], { message: 'format must be bib or ris' }).optional().describe('bib (BibTeX, default) or ris.'),
});

export const ImportBody = z.object({
  text: z.string({ required_error: 'text is required: a BibTeX file or arXiv ids/URLs, one a line' }).min(1, 'text must not be empty').describe('A BibTeX file, or arXiv ids and URLs one a line (2 MB at most). The body may also be sent as text/plain or application/x-bibtex.'),
  collection: z.number().int().positive().max(2_147_483_647).optional().describe('Also add the papers to this collection of yours.'),
  fetchMissing: z.boolean().optional().describe('Fetch ids Papertide lacks from arXiv (default true).'),
});

export const CollectionBody = z.object({
  name: z.string({ required_error: 'name is required' }).trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters'),
  description: z.string().max(1000, 'description must be at most 1000 characters').optional(),
  public: z.boolean().optional().describe('Public collections have a page and a feed anyone may read (default false).'),
});

export const FollowBody = z.object({
  kind: z.enum(['author', 'category', 'query'], { message: 'kind must be author, category or query' }).describe('What to follow.'),
  value: z.string({ required_error: 'value is required' }).min(1, 'value must not be empty').max(250, 'value must be at most 250 characters').describe('An author name, an arXiv category (cs.CL) or a search query.'),
});

export const RecommendationsQuery = z.object({
  window: z.enum(['day', 'week', 'month'], { message: 'window must be day, week or month' }).optional().describe('Papers of the last day, week (default) or month.'),
  limit: intParam('limit', 1, 100).optional().describe('Papers, 1 to 100 (default 30).'),
});

export const ApiLibraryItem = z.object({ paper: ApiPaper, note: z.string().describe('Your private note ("" when none).'), savedAt: z.string().describe('When you saved it (ISO 8601).') });
export const ApiLibrary = z.object({ total: z.number().int().min(0), items: z.array(ApiLibraryItem) });
export const ApiSaved = z.object({ paperId: z.string(), saved: z.boolean() });
export const ApiNote = z.object({ paperId: z.string(), note: z.string() });
export const ApiImportReport = z.object({
  saved: z.number().int().describe('Papers newly saved.'),
  already: z.number().int().describe('Papers that were saved before.'),
  fetched: z.number().int().describe('Papers fetched from arXiv first.'),
  problems: z.array(z.object({ line: z.number().int(), key: z.string().optional(), reason: z.string() })).describe('Entries not imported, each with its line.'),
});
export const ApiCollection = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  public: z.boolean(),
  papers: z.number().int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
  url: z.string().describe('Its page (a 404 for anyone but you while private).'),
});
export const ApiCollectionDetail = z.object({
  collection: ApiCollection,
  owner: z.string(),
  items: z.array(z.object({ paper: ApiPaper, addedAt: z.string() })),
});
export const ApiFollow = z.object({ id: z.number().int(), kind: z.enum(['author', 'category', 'query']), label: z.string(), createdAt: z.string() });
export const ApiRecommendations = z.object({
  state: z.enum(['ready', 'no-signal', 'index-not-ready']).describe('no-signal: save, upvote or follow something first; index-not-ready: only follows are used until the search index is built.'),
  window: z.enum(['day', 'week', 'month']),
  items: z.array(z.object({ paper: ApiPaper, score: z.number(), reason: z.string().describe('One line: why it is recommended.') })),
});
