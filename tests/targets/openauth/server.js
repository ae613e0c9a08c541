// Target: OpenAuth (npm `@openauthjs/openauth`) as the authorization server, with an MCP
// resource on the same origin that validates its tokens with OpenAuth's own client.
//
//   AS (issuer):  http://127.0.0.1:4250
//   MCP resource: http://127.0.0.1:4250/mcp
//
// The OAuth code is OpenAuth's: the issuer's /authorize, /token (code, refresh with reuse
// detection), PKCE, JWT access tokens, JWKS and its RFC 8414 document, and the client's
// `verify` on the resource side. OpenAuth has no client registration: any client_id is accepted
// and redirect URIs are allowed by its default `allow` rule (loopback, or the issuer's domain).
// Glue: an in-memory store, a provider ("auto") that logs a fixed user in without a page, the
// RFC 9728 document, and the MCP endpoint's 401 challenge (OpenAuth has no resource-server
// challenge of its own).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { issuer } from '@openauthjs/openauth';
import { createClient } from '@openauthjs/openauth/client';
import { MemoryStorage } from '@openauthjs/openauth/storage/memory';
import { createSubjects } from '@openauthjs/openauth/subject';
import { object, string } from 'valibot';

const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT || 4250);
const ISSUER = `http://${HOST}:${PORT}`;
const MCP_URL = `${ISSUER}/mcp`;
const PRM_URL = `${ISSUER}/.well-known/oauth-protected-resource/mcp`;
const SCOPES = ['mcp:tools'];

const subjects = createSubjects({ user: object({ id: string() }) });

// Test mode: a provider that signs the fixed user in as soon as it is reached.
const autoLogin = {
  type: 'auto',
  init(route, ctx) {
    route.get('/authorize', (c) => ctx.success(c, { id: 'test-user' }));
  },
};

const auth = issuer({
  subjects,
  storage: MemoryStorage(),
  providers: { auto: autoLogin },
  success: async (ctx, value) => ctx.subject('user', { id: value.id }),
  ttl: { access: 3600 },
});

const client = createClient({ clientID: 'mcp-resource', issuer: ISSUER });

const app = new Hono();
app.get('/.well-known/oauth-protected-resource/mcp', (c) => c.json({
  resource: MCP_URL,
  authorization_servers: [ISSUER],
  scopes_supported: SCOPES,
  bearer_methods_supported: ['header'],
  resource_name: 'OpenAuth target MCP resource',
}));

function challenge(c, error) {
  const parts = [`resource_metadata="${PRM_URL}"`, `scope="${SCOPES.join(' ')}"`];
  if (error) parts.push(`error="${error}"`);
  c.header('WWW-Authenticate', `Bearer ${parts.join(', ')}`);
  return c.json(error ? { error } : {}, 401);
}

app.all('/mcp', async (c) => {
  const h = c.req.header('authorization') || '';
  const m = /^bearer\s+(\S+)$/i.exec(h);
  if (!h) return challenge(c);
  if (!m) return challenge(c, 'invalid_request');
  const verified = await client.verify(subjects, m[1]);
  if (verified.err) return challenge(c, 'invalid_token');
  if (c.req.method !== 'POST') return c.body(null, 405, { Allow: 'POST' });
  let msg = {};
  try { msg = await c.req.json(); } catch { /* not JSON */ }
  const { id = null, method } = msg;
  if (method === 'initialize') {
    return c.json({ jsonrpc: '2.0', id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'openauth-target-rs', version: '0.0.1' } } });
  }
  if (method === 'tools/list') {
    return c.json({ jsonrpc: '2.0', id, result: { tools: [{ name: 'whoami', inputSchema: { type: 'object' } }] } });
  }
  if (typeof method === 'string' && method.startsWith('notifications/')) return c.body(null, 202);
  return c.json({ jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } });
});
app.route('/', auth);

serve({ fetch: app.fetch, hostname: HOST, port: PORT }, () => console.log(`OpenAuth target at ${ISSUER}, MCP at ${MCP_URL}`));
