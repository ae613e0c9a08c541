// Target: better-auth (npm) with its OAuth 2.1 provider plugin (@better-auth/oauth-provider)
// as the authorization server, and an MCP resource that validates its access tokens with the
// plugin's own resource-server helpers.
//
//   AS (issuer):  http://127.0.0.1:4240/api/auth   (metadata also mounted at the root)
//   MCP resource: http://127.0.0.1:4241/mcp
//
// The OAuth code is better-auth's: authorization endpoint, consent, code and refresh grants,
// PKCE, dynamic registration (RFC 7591), revocation, introspection, RFC 8707 resources, JWT
// access tokens (jwt plugin), the RFC 9728 document and the resource-server challenge.
// Everything is in memory (better-auth's memory adapter) and resets on restart. The glue:
//   * a fixed account ("test@example.com") that is signed in automatically: the login page
//     the plugin redirects to signs it in server-side with the signed query and follows the
//     plugin's answer;
//   * auto-consent: the consent page accepts everything the request asked for;
//   * open dynamic registration (allowUnauthenticatedClientRegistration).
import http from 'node:http';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { jwt } from 'better-auth/plugins';
import { toNodeHandler } from 'better-auth/node';
import {
  oauthProvider,
  oauthProviderAuthServerMetadata,
  createResourceServerChallenge,
} from '@better-auth/oauth-provider';
import { oauthProviderResourceClient } from '@better-auth/oauth-provider/resource-client';

const HOST = '127.0.0.1';
const AS_PORT = Number(process.env.AS_PORT || 4240);
const RS_PORT = Number(process.env.RS_PORT || 4241);
const ORIGIN = `http://${HOST}:${AS_PORT}`;
const ISSUER = `${ORIGIN}/api/auth`;
const MCP_URL = `http://${HOST}:${RS_PORT}/mcp`;
const PRM_URL = `http://${HOST}:${RS_PORT}/.well-known/oauth-protected-resource/mcp`;
const SCOPES = ['mcp:tools', 'mcp:read'];
const USER = { email: 'test@example.com', password: 'test-user-password-1', name: 'Test User' };

// The memory adapter wants a table per model: better-auth's core ones, the jwt plugin's and
// the OAuth provider's.
const db = Object.fromEntries([
  'user', 'session', 'account', 'verification', 'jwks', 'oauthClient', 'oauthResource',
  'oauthClientResource', 'oauthRefreshToken', 'oauthAccessToken', 'oauthConsent', 'oauthClientAssertion',
].map((m) => [m, []]));
const auth = betterAuth({
  baseURL: ORIGIN,
  basePath: '/api/auth',
  secret: 'better-auth-target-secret-not-for-production-0123456789',
  database: memoryAdapter(db),
  emailAndPassword: { enabled: true },
  telemetry: { enabled: false },
  disabledPaths: ['/token'],
  plugins: [
    jwt(),
    oauthProvider({
      loginPage: '/login',
      consentPage: '/consent',
      scopes: [...SCOPES, 'offline_access'],
      resources: [MCP_URL],
      // Dynamically registered clients may ask for the MCP resource.
      clientRegistrationDefaultResources: [MCP_URL],
      clientRegistrationAllowedResources: [MCP_URL],
      allowDynamicClientRegistration: true,
      allowUnauthenticatedClientRegistration: true,
      silenceWarnings: { oauthAuthServerConfig: true, openidConfig: true },
    }),
  ],
});

await auth.api.signUpEmail({ body: USER });

const handler = toNodeHandler(auth);
const metadataHandler = oauthProviderAuthServerMetadata(auth);

function rawQuery(req) {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i + 1);
}

// Calls a better-auth endpoint in-process as the browser would, and turns its answer into
// a redirect for the browser, carrying any cookies it set.
async function callAndRedirect(req, res, path, body) {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
  if (req.headers.cookie) headers.set('cookie', req.headers.cookie);
  headers.set('origin', ORIGIN);
  const r = await auth.handler(new Request(`${ISSUER}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }));
  const text = await r.text();
  let json = {};
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  const cookies = r.headers.getSetCookie ? r.headers.getSetCookie() : [];
  const to = json.url || json.redirect_uri || r.headers.get('location');
  if (cookies.length) res.setHeader('set-cookie', cookies);
  if (r.status < 400 && to) {
    res.writeHead(302, { location: to });
    res.end();
  } else {
    console.error(`${path} answered ${r.status}: ${text.slice(0, 300)}`);
    res.writeHead(r.status >= 400 ? r.status : 500, { 'content-type': 'application/json' });
    res.end(text || '{}');
  }
}

const asServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, ORIGIN);
    if (req.method === 'GET' && url.pathname.startsWith('/.well-known/oauth-authorization-server')) {
      const r = await metadataHandler(new Request(url, { headers: { accept: 'application/json' } }));
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(await r.text());
      return;
    }
    if (req.method === 'GET' && url.pathname === '/login') {
      // Test mode: sign the fixed account in, handing the plugin its signed query.
      await callAndRedirect(req, res, '/sign-in/email', { email: USER.email, password: USER.password, oauth_query: rawQuery(req) });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/consent') {
      // Test mode: accept every requested scope.
      await callAndRedirect(req, res, '/oauth2/consent', { accept: true, oauth_query: rawQuery(req) });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/auth/oauth2/authorize' && /text\/html/.test(req.headers.accept || '')) {
      // Test mode: a GET that accepts HTML is a browser navigation. better-auth answers a
      // JSON body instead of a redirect whenever Accept mentions application/json at all,
      // whatever its q-value; browsers never send that, a harness may.
      req.headers.accept = 'text/html';
      req.headers['sec-fetch-mode'] = 'navigate';
    }
    return handler(req, res);
  } catch (e) {
    console.error(e);
    res.writeHead(500).end();
  }
});
asServer.listen(AS_PORT, HOST, () => console.log(`better-auth AS at ${ISSUER}`));

// ---- MCP resource server ----
const resource = oauthProviderResourceClient(auth).getActions();

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const rsServer = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${HOST}:${RS_PORT}`);
  if (req.method === 'GET' && url.pathname === '/.well-known/oauth-protected-resource/mcp') {
    const prm = await resource.getProtectedResourceMetadata({
      resource: MCP_URL,
      authorization_servers: [ISSUER],
      scopes_supported: SCOPES,
      resource_name: 'better-auth target MCP resource',
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(prm));
    return;
  }
  if (url.pathname !== '/mcp') { res.writeHead(404).end(); return; }
  const body = await readBody(req);
  try {
    await resource.verifyAccessTokenRequest(
      { method: req.method, url: MCP_URL, headers: new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)])) },
      { verifyOptions: { audience: MCP_URL, issuer: ISSUER } },
    );
  } catch (e) {
    const challenge = createResourceServerChallenge(e, MCP_URL, { challengeScopes: SCOPES }) || e;
    const status = challenge.statusCode || 401;
    const headers = { 'content-type': 'application/json' };
    const h = challenge.headers instanceof Headers ? Object.fromEntries(challenge.headers) : (challenge.headers || {});
    Object.assign(headers, h);
    res.writeHead(status, headers);
    res.end(JSON.stringify(challenge.body || { error: 'invalid_token' }));
    return;
  }
  if (req.method !== 'POST') { res.writeHead(405, { allow: 'POST' }).end(); return; }
  let msg = {};
  try { msg = JSON.parse(body || '{}'); } catch { /* not JSON */ }
  const { id = null, method } = msg;
  let out;
  if (method === 'initialize') {
    out = { jsonrpc: '2.0', id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'better-auth-target-rs', version: '0.0.1' } } };
  } else if (method === 'tools/list') {
    out = { jsonrpc: '2.0', id, result: { tools: [{ name: 'whoami', inputSchema: { type: 'object' } }] } };
  } else if (typeof method === 'string' && method.startsWith('notifications/')) {
    res.writeHead(202).end();
    return;
  } else {
    out = { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(out));
});
rsServer.listen(RS_PORT, HOST, () => console.log(`MCP resource at ${MCP_URL}`));
