/**
 * /openapi.json (OpenAPI 3.1) generated from the zod schemas the handlers validate with
 * (schemas.ts), through a small converter for the zod 3 types those schemas use. The route
 * table below is also what the readable /api page lists, so the document, the page and the
 * validation share one source.
 */
import { z } from 'zod';
import {
  ApiComment,
  ApiError,
  ApiItem,
  ApiOrganization,
  ApiPaper,
  ApiUser,
  ApiVote,
  CommentBody,
  DailyPapersQuery,
  PapersQuery,
  SearchQuery,
  SimilarQuery,
  SubmitBody,
  TrendingQuery,
  LibraryQuery,
  SaveBody,
  NoteBody,
  ExportQuery,
  ImportBody,
  CollectionBody,
  FollowBody,
  RecommendationsQuery,
  ApiLibrary,
  ApiSaved,
  ApiNote,
  ApiImportReport,
  ApiCollection,
  ApiCollectionDetail,
  ApiFollow,
  ApiRecommendations,
} from './schemas.js';

type JsonSchema = Record<string, unknown>;

/** Named schemas become components referenced with $ref. */
const COMPONENTS = new Map<z.ZodTypeAny, string>([
  [ApiPaper, 'Paper'],
  [ApiItem, 'Item'],
  [ApiError, 'Error'],
  [ApiVote, 'Vote'],
  [ApiComment, 'Comment'],
  [ApiUser, 'User'],
  [ApiOrganization, 'Organization'],
  [ApiCollection, 'Collection'],
  [ApiFollow, 'Follow'],
]);

export interface ParamInfo {
  name: string;
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

/** Convert a zod 3 schema to JSON Schema (the subset our schemas use). */
export function toJsonSchema(schema: z.ZodTypeAny, opts: { inline?: boolean } = {}): JsonSchema {
  const name = COMPONENTS.get(schema);
  if (!opts.inline && name) return { $ref: `#/components/schemas/${name}` };
  const sub = {}; // nested schemas refer to components again
  const def = schema._def as any;
  const described = (s: JsonSchema): JsonSchema => (schema.description && !s.description ? { ...s, description: schema.description } : s);
  switch (def.typeName as z.ZodFirstPartyTypeKind) {
    case z.ZodFirstPartyTypeKind.ZodString: {
      const s: JsonSchema = { type: 'string' };
      for (const c of def.checks as any[]) {
        if (c.kind === 'min') s.minLength = c.value;
        else if (c.kind === 'max') s.maxLength = c.value;
        else if (c.kind === 'regex') s.pattern = c.regex.source;
        else if (c.kind === 'url') s.format = 'uri';
      }
      return described(s);
    }
    case z.ZodFirstPartyTypeKind.ZodNumber: {
      const s: JsonSchema = { type: 'number' };
      for (const c of def.checks as any[]) {
        if (c.kind === 'int') s.type = 'integer';
        else if (c.kind === 'min') s[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = c.value;
        else if (c.kind === 'max') s[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = c.value;
      }
      return described(s);
    }
    case z.ZodFirstPartyTypeKind.ZodBoolean:
      return described({ type: 'boolean' });
    case z.ZodFirstPartyTypeKind.ZodEnum:
      return described({ type: 'string', enum: [...def.values] });
    case z.ZodFirstPartyTypeKind.ZodLiteral:
      return described({ const: def.value });
    case z.ZodFirstPartyTypeKind.ZodArray:
      return described({ type: 'array', items: toJsonSchema(def.type, sub) });
    case z.ZodFirstPartyTypeKind.ZodOptional:
      return described(toJsonSchema(def.innerType, opts));
    case z.ZodFirstPartyTypeKind.ZodNullable: {
      const inner = toJsonSchema(def.innerType, opts);
      return described({ anyOf: [inner, { type: 'null' }] });
    }
    case z.ZodFirstPartyTypeKind.ZodDefault:
      return described({ ...toJsonSchema(def.innerType, opts), default: def.defaultValue() });
    case z.ZodFirstPartyTypeKind.ZodEffects:
      return described(toJsonSchema(def.schema, opts));
    case z.ZodFirstPartyTypeKind.ZodPipeline:
      // A query string parsed into a number: describe what it must be after parsing.
      return described(toJsonSchema(def.out, opts));
    case z.ZodFirstPartyTypeKind.ZodObject: {
      const shape = (schema as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        properties[k] = toJsonSchema(v, sub);
        if (!v.isOptional()) required.push(k);
      }
      return described({ type: 'object', properties, ...(required.length ? { required } : {}) });
    }
    default:
      return described({});
  }
}

/** Query or path parameters of an object schema. */
export function paramsOf(schema: z.AnyZodObject): ParamInfo[] {
  return Object.entries(schema.shape as Record<string, z.ZodTypeAny>).map(([name, v]) => ({
    name,
    required: !v.isOptional(),
    schema: toJsonSchema(v),
    description: v.description,
  }));
}

export interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  path: string; // OpenAPI template: /api/papers/{id}
  summary: string;
  description?: string;
  query?: z.AnyZodObject;
  pathParams?: { name: string; description: string }[];
  body?: z.AnyZodObject;
  response: { status: number; schema: z.ZodTypeAny; description: string; contentType?: string };
  errors: number[];
  auth?: boolean;
  headers?: Record<string, string>;
  example?: string;
}

const ID_PARAM = [{ name: 'id', description: 'arXiv id without version, e.g. 2401.12345 or hep-th/9901001 (a version suffix is ignored).' }];

export const ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/daily_papers',
    summary: 'Daily papers of a day, ISO week or month',
    description: 'Hugging Face compatible. Most upvoted first unless `sort` says otherwise. Without date, week or month: the latest day that has papers.',
    query: DailyPapersQuery,
    response: { status: 200, schema: z.array(ApiItem), description: 'Items shaped like Hugging Face’s.' },
    errors: [400, 429],
    example: '/api/daily_papers?date=2025-06-04&limit=10',
  },
  {
    method: 'get',
    path: '/api/papers/search',
    summary: 'Search papers',
    description: 'Hugging Face compatible. Hybrid search when the search engine is enabled; otherwise every word must appear in the title or abstract (the `X-Search-Engine` header says which).',
    query: SearchQuery,
    response: { status: 200, schema: z.array(ApiItem), description: 'Best matches first.' },
    errors: [400, 429],
    example: '/api/papers/search?q=diffusion&limit=5',
  },
  {
    method: 'get',
    path: '/api/papers',
    summary: 'Every paper, newest first, by cursor',
    description: 'The next page’s URL is in the `Link` header (`rel="next"`), as on the Hugging Face Hub; no header means the last page.',
    query: PapersQuery,
    response: { status: 200, schema: z.array(ApiPaper), description: 'Flat paper objects.' },
    errors: [400, 429],
    headers: { Link: 'URL of the next page: <…/api/papers?cursor=…>; rel="next"' },
    example: '/api/papers?limit=20',
  },
  {
    method: 'get',
    path: '/api/trending',
    summary: 'Trending papers',
    description: 'Ranked by the documented trending score (see /about/trending); `paper.trendingScore` carries the score.',
    query: TrendingQuery,
    response: { status: 200, schema: z.array(ApiItem), description: 'Highest score first.' },
    errors: [400, 429],
    example: '/api/trending?limit=10',
  },
  {
    method: 'get',
    path: '/api/papers/{id}',
    summary: 'One paper',
    description: 'Hugging Face compatible: the flat paper object.',
    pathParams: ID_PARAM,
    response: { status: 200, schema: ApiPaper, description: 'The paper.' },
    errors: [400, 404, 429],
    example: '/api/papers/2402.00281',
  },
  {
    method: 'get',
    path: '/api/papers/{id}/similar',
    summary: 'Papers similar to one paper',
    description: 'By embedding similarity when the search engine is enabled; otherwise papers sharing authors, then the primary category.',
    pathParams: ID_PARAM,
    query: SimilarQuery,
    response: { status: 200, schema: z.array(ApiItem), description: 'Most similar first.' },
    errors: [400, 404, 429],
    example: '/api/papers/2402.00281/similar?limit=5',
  },
  {
    method: 'post',
    path: '/api/papers/submit',
    summary: 'Submit a paper to today’s daily papers',
    description: 'Same rules as the /submit page: papers published on arXiv in the last 14 days, one submission per paper.',
    body: SubmitBody,
    response: { status: 201, schema: ApiItem, description: 'The featured item.' },
    errors: [400, 401, 404, 409, 429],
    auth: true,
  },
  {
    method: 'post',
    path: '/api/papers/{id}/upvote',
    summary: 'Upvote a paper, or take the upvote back',
    pathParams: ID_PARAM,
    response: { status: 200, schema: ApiVote, description: 'Whether you now upvote it, and the new count.' },
    errors: [400, 401, 404, 429],
    auth: true,
  },
  {
    method: 'post',
    path: '/api/papers/{id}/comments',
    summary: 'Comment on a paper',
    pathParams: ID_PARAM,
    body: CommentBody,
    response: { status: 201, schema: ApiComment, description: 'The new comment.' },
    errors: [400, 401, 404, 429],
    auth: true,
  },
  ...personalRoutes(),
];

/** The personal API (src/web/api/library-api.ts): every request needs a token, reads included. */
function personalRoutes(): RouteDoc[] {
  const COL = [{ name: 'id', description: 'A collection id.' }];
  const text = z.string();
  const a = { auth: true } as const;
  return [
    { method: 'get', path: '/api/library', summary: 'Your saved papers, most recently saved first', query: LibraryQuery, response: { status: 200, schema: ApiLibrary, description: 'Saved papers with your notes.' }, errors: [400, 401, 429], ...a },
    { method: 'post', path: '/api/library', summary: 'Save a paper', body: SaveBody, response: { status: 201, schema: ApiSaved, description: 'Saved (saving twice is harmless).' }, errors: [400, 401, 404, 429], ...a },
    { method: 'delete', path: '/api/library/{id}', summary: 'Unsave a paper (it leaves your collections too)', pathParams: ID_PARAM, response: { status: 200, schema: ApiSaved, description: 'No longer saved.' }, errors: [401, 404, 429], ...a },
    { method: 'post', path: '/api/library/{id}/note', summary: 'Set your private note on a paper', description: 'Saving a note saves the paper; an empty note clears it. PUT works too.', pathParams: ID_PARAM, body: NoteBody, response: { status: 200, schema: ApiNote, description: 'The note as stored.' }, errors: [400, 401, 404, 429], ...a },
    { method: 'get', path: '/api/library/export', summary: 'Your library as BibTeX or RIS', query: ExportQuery, response: { status: 200, schema: text, description: 'The file, oldest saved first.', contentType: 'application/x-bibtex' }, errors: [400, 401, 429], ...a },
    {
      method: 'post',
      path: '/api/library/import',
      summary: 'Import a BibTeX file or a list of arXiv ids/URLs',
      description: 'JSON `{"text": …}`, or the file itself as text/plain or application/x-bibtex. 2 MB at most (413 beyond). Ids Papertide lacks are fetched from arXiv. A bad entry is reported with its line; the rest is imported.',
      body: ImportBody,
      response: { status: 200, schema: ApiImportReport, description: 'What was saved, and every entry that was not, with its line.' },
      errors: [400, 401, 404, 413, 429],
      ...a,
    },
    { method: 'get', path: '/api/collections', summary: 'Your collections', response: { status: 200, schema: z.array(ApiCollection), description: 'Public and private.' }, errors: [401, 429], ...a },
    { method: 'post', path: '/api/collections', summary: 'Create a collection', body: CollectionBody, response: { status: 201, schema: ApiCollection, description: 'The new collection.' }, errors: [400, 401, 403, 429], ...a },
    { method: 'get', path: '/api/collections/{id}', summary: 'A collection and its papers', description: 'Yours, or anyone’s public one; someone else’s private collection is a 404.', pathParams: COL, response: { status: 200, schema: ApiCollectionDetail, description: 'The collection.' }, errors: [401, 404, 429], ...a },
    { method: 'post', path: '/api/collections/{id}/papers', summary: 'Add a paper to one of your collections (saving it)', pathParams: COL, body: SaveBody, response: { status: 201, schema: z.object({ collectionId: z.number().int(), paperId: z.string(), inCollection: z.boolean() }), description: 'Added.' }, errors: [400, 401, 404, 429], ...a },
    { method: 'delete', path: '/api/collections/{id}/papers/{paperId}', summary: 'Remove a paper from one of your collections', pathParams: [...COL, { name: 'paperId', description: 'arXiv id.' }], response: { status: 200, schema: z.object({ collectionId: z.number().int(), paperId: z.string(), inCollection: z.boolean() }), description: 'Removed (it stays in your library).' }, errors: [401, 404, 429], ...a },
    { method: 'get', path: '/api/collections/{id}/export', summary: 'A collection as BibTeX or RIS', pathParams: COL, query: ExportQuery, response: { status: 200, schema: text, description: 'The file.', contentType: 'application/x-bibtex' }, errors: [400, 401, 404, 429], ...a },
    { method: 'get', path: '/api/follows', summary: 'What you follow', response: { status: 200, schema: z.array(ApiFollow), description: 'Authors, categories and searches.' }, errors: [401, 429], ...a },
    { method: 'post', path: '/api/follows', summary: 'Follow an author, a category or a search', body: FollowBody, response: { status: 201, schema: ApiFollow, description: 'The follow (following twice is harmless).' }, errors: [400, 401, 429], ...a },
    { method: 'delete', path: '/api/follows/{id}', summary: 'Stop following', pathParams: [{ name: 'id', description: 'A follow id from GET /api/follows.' }], response: { status: 200, schema: z.object({ id: z.number().int(), following: z.boolean() }), description: 'Unfollowed.' }, errors: [401, 404, 429], ...a },
    { method: 'get', path: '/api/recommendations', summary: 'For you: recent papers recommended to you', description: 'Learned from what you saved, upvoted, followed and dismissed; saved and dismissed papers are left out. Each item says why.', query: RecommendationsQuery, response: { status: 200, schema: ApiRecommendations, description: 'Best first.' }, errors: [400, 401, 429], ...a },
  ];
}

const ERROR_TEXT: Record<number, string> = {
  400: 'A parameter is not valid; `error` says which and why.',
  401: 'Missing, unknown or revoked API token.',
  413: 'The body is too large; `error` says the limit.',
  403: 'Not allowed.',
  404: 'No such paper (or collection, or follow of yours; someone else’s private collection is not found either).',
  409: 'Conflicts with the current state (e.g. already submitted).',
  429: 'Too many requests: wait `Retry-After` seconds.',
};

const RATE_HEADERS = {
  'RateLimit-Limit': { description: 'Requests allowed per window.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in this window.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets.', schema: { type: 'integer' } },
};

export function openApiDocument(baseUrl: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const parameters = [
      ...(r.pathParams ?? []).map((p) => ({ name: p.name, in: 'path', required: true, description: p.description, schema: { type: 'string' } })),
      ...(r.query ? paramsOf(r.query).map((p) => ({ name: p.name, in: 'query', required: p.required, ...(p.description ? { description: p.description } : {}), schema: p.schema })) : []),
    ];
    const responses: Record<string, unknown> = {
      [r.response.status]: {
        description: r.response.description,
        headers: { ...RATE_HEADERS, ...Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, d]) => [k, { description: d, schema: { type: 'string' } }])) },
        content: { [r.response.contentType ?? 'application/json']: { schema: toJsonSchema(r.response.schema) } },
      },
    };
    for (const status of r.errors) responses[status] = { description: ERROR_TEXT[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    paths[r.path] ??= {};
    paths[r.path][r.method] = {
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/(^|[/_])(\w)/g, (_m, _s, ch: string) => ch.toUpperCase())}`,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(r.body) } } } } : {}),
      responses,
      ...(r.auth ? { security: [{ apiToken: [] }] } : {}),
    };
  }
  const schemas: Record<string, JsonSchema> = {};
  for (const [schema, name] of COMPONENTS) schemas[name] = toJsonSchema(schema, { inline: true });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Papertide API',
      version,
      description: 'Research-paper discovery: daily papers, trending, search. Compatible with Hugging Face’s /api/daily_papers, /api/papers/{id} and /api/papers/search. Errors are {"error": "…"}. Anonymous reads are rate-limited per IP (RateLimit-* headers, 429 with Retry-After). Feeds: /feeds.',
    },
    servers: [{ url: baseUrl }],
    paths,
    components: {
      schemas,
      securitySchemes: { apiToken: { type: 'http', scheme: 'bearer', description: 'A personal API token from /settings/tokens.' } },
    },
  };
}
