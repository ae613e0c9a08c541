// The official MCP TypeScript SDK client (@modelcontextprotocol/sdk), driven headlessly
// through the whole OAuth flow: the SDK does discovery, registration, PKCE, the token request
// and step-up itself; this launcher only plays the user agent. Its "browser" fetches the
// authorization URL without following the redirect and reads the code from Location (the
// server under test approves by itself). Usage: node client.mjs MCP-URL
// The client has a Client ID Metadata Document (AUTHSPEC_CLIENT_METADATA_URL, empty for none).
// MCP_CONFORMANCE_CONTEXT may carry pre-registered credentials (client_id, client_secret).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const url = process.argv[process.argv.length - 1];
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || '{}');
const REDIRECT = 'http://127.0.0.1:3000/callback';
// The client's Client ID Metadata Document: the URL the official conformance tool has clients
// use, which `authspec client` knows. The SDK uses it as client_id where the authorization
// server advertises client_id_metadata_document_supported, and registers (DCR) otherwise.
const CLIENT_METADATA_URL = process.env.AUTHSPEC_CLIENT_METADATA_URL ?? 'https://conformance-test.local/client-metadata.json';

class HeadlessProvider {
  constructor() {
    this._client = context.client_id
      ? { client_id: context.client_id, ...(context.client_secret ? { client_secret: context.client_secret } : {}) }
      : undefined;
    this._tokens = undefined;
    this._verifier = undefined;
    this.pendingCode = undefined;
  }
  get redirectUrl() { return REDIRECT; }
  get clientMetadataUrl() { return CLIENT_METADATA_URL || undefined; }
  get clientMetadata() {
    return {
      client_name: 'authspec typescript-sdk launcher',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    };
  }
  clientInformation() { return this._client; }
  saveClientInformation(info) { this._client = info; }
  tokens() { return this._tokens; }
  saveTokens(t) { this._tokens = t; }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }
  async redirectToAuthorization(authorizationUrl) {
    const res = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (!location) throw new Error(`the authorization endpoint answered ${res.status} without a redirect`);
    const back = new URL(location, authorizationUrl);
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`the redirect carries no code (error ${back.searchParams.get('error')})`);
    this.pendingCode = code;
  }
}

const provider = new HeadlessProvider();
let transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
const client = new Client({ name: 'authspec-typescript-sdk-launcher', version: '1.0.0' });

// Runs `step`; when the SDK stops for the user agent, hands it the code and tries again.
async function withAuth(step, label) {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await step();
    } catch (e) {
      if (!(e instanceof UnauthorizedError) || !provider.pendingCode) throw e;
      const code = provider.pendingCode;
      provider.pendingCode = undefined;
      console.error(`${label}: authorization code received, finishing the flow`);
      await transport.finishAuth(code);
    }
  }
  throw new Error(`${label}: still unauthorized after several authorizations`);
}

try {
  await withAuth(async () => {
    // A transport that failed to start cannot be reused: start a new one each time.
    transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    await client.connect(transport);
  }, 'connect');
  const tools = await withAuth(() => client.listTools(), 'tools/list');
  console.log(`typescript-sdk: connected, ${tools.tools.length} tool(s)`);
  // A tool call too, so that later scenarios (a new authorization server) see more traffic.
  if (tools.tools.some((t) => t.name === 'echo')) {
    await withAuth(() => client.callTool({ name: 'echo', arguments: { text: 'authspec' } }), 'tools/call');
    console.log('typescript-sdk: called echo');
  }
  await client.close();
  process.exit(0);
} catch (e) {
  console.log(`typescript-sdk: stopped: ${e?.message ?? e}`);
  process.exit(1);
}
