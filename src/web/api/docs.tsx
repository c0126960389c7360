/** `/openapi.json` and the readable `/api` page, both generated from openapi.ts's route table. */
import { Hono } from 'hono';
import type { AppEnv } from '../types.js';
import { renderPage } from '../layout.js';
import { ROUTES, openApiDocument, paramsOf, type RouteDoc } from './openapi.js';

const VERSION = '0.1.0';

function constraint(schema: Record<string, any>): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(`one of ${schema.enum.join(', ')}`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) parts.push(`${schema.minimum}–${schema.maximum}`);
  if (schema.maxLength !== undefined) parts.push(`≤ ${schema.maxLength} characters`);
  return [schema.type ?? 'string', ...parts].join(', ');
}

function Endpoint({ r, base }: { r: RouteDoc; base: string }) {
  const params = [...(r.pathParams ?? []).map((p) => ({ name: p.name, required: true, kind: 'path', type: 'string', description: p.description })), ...(r.query ? paramsOf(r.query).map((p) => ({ name: p.name, required: p.required, kind: 'query', type: constraint(p.schema), description: p.description })) : []), ...(r.body ? paramsOf(r.body).map((p) => ({ name: p.name, required: p.required, kind: 'JSON body', type: constraint(p.schema), description: p.description })) : [])];
  const anchor = `${r.method}-${r.path.replace(/[^a-z0-9]+/gi, '-')}`;
  return (
    <section class="endpoint" id={anchor} aria-labelledby={`${anchor}-h`}>
      <h3 id={`${anchor}-h`}>
        <code>
          {r.method.toUpperCase()} {r.path}
        </code>
      </h3>
      <p>
        <strong>{r.summary}.</strong> {r.description ?? ''} {r.auth ? <em>Needs an API token.</em> : null}
      </p>
      {params.length ? (
        <table class="params">
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">In</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {params.map((p) => (
              <tr>
                <td>
                  <code>{p.name}</code>
                  {p.required ? ' (required)' : ''}
                </td>
                <td>{p.kind}</td>
                <td>{p.type}</td>
                <td>{p.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p class="muted small">
        Answers {r.response.status}: {r.response.description} Errors: {r.errors.join(', ')}.
      </p>
      {r.example ? (
        <pre>
          <code>curl '{base}{r.example}'</code>
        </pre>
      ) : r.auth ? (
        <pre>
          <code>
            curl -X POST -H 'Authorization: Bearer pt_…' -H 'Content-Type: application/json'{r.body ? ` -d '${r.path.endsWith('submit') ? '{"id":"2401.12345"}' : '{"body":"Nice result."}'}'` : ''} '{base}
            {r.path.replace('{id}', '2401.12345')}'
          </code>
        </pre>
      ) : null}
    </section>
  );
}

export function docsRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/openapi.json', (c) => {
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(openApiDocument(c.get('ctx').config.baseUrl, VERSION));
  });

  app.get('/api', (c) => {
    const base = c.get('ctx').config.baseUrl;
    return renderPage(c, { title: 'JSON API', description: 'Papertide’s JSON API, compatible with Hugging Face’s daily papers API.' }, (
      <article class="api-docs" aria-labelledby="api-h">
        <h1 id="api-h">JSON API</h1>
        <p>
          Papertide answers the same requests as Hugging Face’s papers API (<code>/api/daily_papers</code>, <code>/api/papers/&#123;id&#125;</code>, <code>/api/papers/search</code>) with the same field names, so a client written for <code>https://huggingface.co/api</code> works here by changing the base URL to <code>{base}/api</code>. The machine-readable description is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1), generated from the same schemas that validate requests.
        </p>
        <h2>Conventions</h2>
        <ul>
          <li>
            <strong>Errors</strong> are JSON <code>{'{"error": "…"}'}</code> with a status that says what happened: 400 for a bad parameter (the message says which and why), 401 for a missing or revoked token, 404 for an unknown paper, 429 when over the rate limit.
          </li>
          <li>
            <strong>Rate limits</strong>: anonymous requests are limited per IP address, token requests per user. Every answer carries <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>; a 429 carries <code>Retry-After</code> (seconds).
          </li>
          <li>
            <strong>CORS</strong>: GET requests may come from any origin.
          </li>
          <li>
            <strong>Paging</strong>: <code>p</code> and <code>limit</code> on lists (as on Hugging Face); <code>/api/papers</code> pages by cursor in the <code>Link</code> header.
          </li>
          <li>
            <strong>Writes</strong> (submit, upvote, comment) need a personal API token from <a href="/settings/tokens">your account settings</a>, sent as <code>Authorization: Bearer pt_…</code>.
          </li>
          <li>
            <strong>Feeds</strong>: RSS, Atom and JSON Feed for daily papers, trending, categories, authors and searches are listed at <a href="/feeds">/feeds</a>.
          </li>
        </ul>
        <h2>Endpoints</h2>
        <nav aria-label="Endpoints">
          <ul class="plain">
            {ROUTES.map((r) => (
              <li>
                <a href={`#${r.method}-${r.path.replace(/[^a-z0-9]+/gi, '-')}`}>
                  <code>
                    {r.method.toUpperCase()} {r.path}
                  </code>
                </a>{' '}
                — {r.summary}
              </li>
            ))}
          </ul>
        </nav>
        {ROUTES.map((r) => (
          <Endpoint r={r} base={base} />
        ))}
      </article>
    ));
  });
  return app;
}
