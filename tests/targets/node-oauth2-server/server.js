// Target: @node-oauth/oauth2-server (npm) as an OAuth 2 authorization server for MCP,
// with an MCP resource endpoint on the same origin, in Express.
//
//   AS (issuer):  http://127.0.0.1:4230
//   MCP resource: http://127.0.0.1:4230/mcp
//
// The OAuth protocol code is the library's own: the authorization endpoint, the code
// and refresh grants with PKCE, refresh rotation, opaque bearer tokens, and the
// resource-side `authenticate` (RFC 6750). This file holds only the in-memory model
// (reset on restart) and the glue the library leaves to the application:
//   * auto-login of a fixed user ("test-user") and auto-consent, so the code flow
//     completes without a browser;
//   * pre-registered clients: the library has no dynamic registration, no RFC 8414
//     metadata, no revocation endpoint, no RFC 8707 resource indicators and no RFC 9207
//     `iss` parameter, so none is offered here;
//   * the RFC 8414 and RFC 9728 documents, written by hand from the configuration;
//   * `resource_metadata` added to the challenges the library writes.
import crypto from 'node:crypto';
import express from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';

const { Request, Response, OAuthError } = OAuth2Server;

const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT || 4230);
const ISSUER = `http://${HOST}:${PORT}`;
const MCP_URL = `${ISSUER}/mcp`;
const PRM_URL = `${ISSUER}/.well-known/oauth-protected-resource/mcp`;
const SCOPES = ['mcp:tools', 'mcp:read'];
const USER = { id: 'test-user' };

// Pre-registered clients (the library has no registration endpoint).
const CLIENTS = new Map([
  ['public-client', {
    id: 'public-client',
    redirectUris: ['http://127.0.0.1:8976/callback'],
    grants: ['authorization_code', 'refresh_token'],
  }],
  // A second public client: the rules between two clients (a code redeemed by another
  // client) need one where no client can register.
  ['public-client-2', {
    id: 'public-client-2',
    redirectUris: ['http://127.0.0.1:8976/callback'],
    grants: ['authorization_code', 'refresh_token'],
  }],
  ['confidential-client', {
    id: 'confidential-client',
    secret: 'confidential-client-secret',
    redirectUris: ['http://127.0.0.1:8976/callback'],
    grants: ['authorization_code', 'refresh_token'],
  }],
]);
const CODES = new Map();
const ACCESS = new Map();
const REFRESH = new Map();

// The model: the storage the library asks for, as its documentation describes it.
const model = {
  async getClient(clientId, clientSecret) {
    const client = CLIENTS.get(clientId);
    if (!client) return null;
    if (clientSecret != null && (!client.secret || !crypto.timingSafeEqual(
      Buffer.from(crypto.createHash('sha256').update(client.secret).digest('hex')),
      Buffer.from(crypto.createHash('sha256').update(clientSecret).digest('hex')),
    ))) return null;
    return client;
  },
  async saveAuthorizationCode(code, client, user) {
    const item = { ...code, client, user };
    CODES.set(code.authorizationCode, item);
    return item;
  },
  async getAuthorizationCode(authorizationCode) {
    return CODES.get(authorizationCode) || null;
  },
  async revokeAuthorizationCode(code) {
    return CODES.delete(code.authorizationCode);
  },
  async saveToken(token, client, user) {
    const item = { ...token, client, user };
    ACCESS.set(token.accessToken, item);
    if (token.refreshToken) REFRESH.set(token.refreshToken, item);
    return item;
  },
  async getAccessToken(accessToken) {
    return ACCESS.get(accessToken) || null;
  },
  async getRefreshToken(refreshToken) {
    return REFRESH.get(refreshToken) || null;
  },
  async revokeToken(token) {
    return REFRESH.delete(token.refreshToken);
  },
  async validateScope(user, client, scope) {
    if (!scope || scope.length === 0) return [SCOPES[0]];
    const granted = scope.filter((s) => SCOPES.includes(s));
    return granted.length ? granted : false;
  },
  async verifyScope(token, scope) {
    return scope.every((s) => (token.scope || []).includes(s));
  },
};

const oauth = new OAuth2Server({
  model,
  accessTokenLifetime: 3600,
  refreshTokenLifetime: 14 * 24 * 3600,
  authorizationCodeLifetime: 60,
  allowBearerTokensInQueryString: false,
  // Public clients authenticate by PKCE at the code exchange (the library skips the
  // secret when code_verifier is present) and by nothing at refresh.
  requireClientAuthentication: { refresh_token: false },
});

function toLib(req, res) {
  return [new Request(req), new Response(res)];
}

function send(res, libRes) {
  res.status(libRes.status).set(libRes.headers);
  if (libRes.status === 302) { res.end(); return; }
  res.send(libRes.body);
}

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(express.json());

app.get('/.well-known/oauth-authorization-server', (req, res) => {
  res.json({
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    scopes_supported: SCOPES,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['S256'],
  });
});

app.get('/.well-known/oauth-protected-resource/mcp', (req, res) => {
  res.json({
    resource: MCP_URL,
    authorization_servers: [ISSUER],
    scopes_supported: SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: 'node-oauth2-server target MCP resource',
  });
});

// Test mode: the fixed user is logged in and consents to everything.
const autoLogin = { handle: () => USER };

app.get('/authorize', async (req, res) => {
  const [request, response] = toLib(req, res);
  try {
    await oauth.authorize(request, response, { authenticateHandler: autoLogin });
  } catch (e) {
    if (!(e instanceof OAuthError)) console.error(e);
    // The library sets a redirect with the error when it trusts the redirect URI,
    // and a JSON body otherwise.
  }
  send(res, response);
});

app.post('/token', async (req, res) => {
  const [request, response] = toLib(req, res);
  try {
    await oauth.token(request, response);
  } catch (e) {
    if (!(e instanceof OAuthError)) console.error(e);
  }
  send(res, response);
});

function withResourceMetadata(header) {
  if (!header || /resource_metadata=/.test(header)) return header;
  return `${header}, resource_metadata="${PRM_URL}"`;
}

app.all('/mcp', async (req, res) => {
  const [request, response] = toLib(req, res);
  try {
    await oauth.authenticate(request, response);
  } catch (e) {
    const status = e instanceof OAuthError ? e.code : 500;
    const headers = { ...response.headers };
    const h = headers['www-authenticate'] || headers['WWW-Authenticate'];
    delete headers['WWW-Authenticate'];
    if (h) headers['www-authenticate'] = withResourceMetadata(h);
    // As the library's Express adapter (@node-oauth/express-oauth-server) answers.
    res.status(status).set(headers);
    if (e instanceof OAuth2Server.UnauthorizedRequestError) res.send();
    else res.json({ error: e.name, error_description: e.message });
    return;
  }
  if (req.method !== 'POST') { res.status(405).set('Allow', 'POST').end(); return; }
  const { id = null, method } = req.body || {};
  if (method === 'initialize') {
    res.json({ jsonrpc: '2.0', id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'node-oauth2-server-target-rs', version: '0.0.1' } } });
  } else if (method === 'tools/list') {
    res.json({ jsonrpc: '2.0', id, result: { tools: [{ name: 'whoami', inputSchema: { type: 'object' } }] } });
  } else if (typeof method === 'string' && method.startsWith('notifications/')) {
    res.status(202).end();
  } else {
    res.json({ jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } });
  }
});

app.listen(PORT, HOST, () => console.log(`node-oauth2-server target at ${ISSUER}, MCP at ${MCP_URL}`));
