/**
 * Drives the sandbox's login and consent pages with plain fetch, the way a browser would: follows
 * the forms (hidden fields included) and keeps the session cookie. For integration tests and tools
 * that need a real authorization code without a browser.
 */

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  responseType?: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  scope?: string;
  /** OpenID Connect `prompt` (none, login, consent), which the sandbox honours as Laravel Passport does. */
  prompt?: string;
}

export interface FormPage {
  status: number;
  html: string;
  /** Hidden inputs of the page's first form. */
  fields: Record<string, string>;
}

const decodeEntities = (text: string) =>
  text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function hiddenFields(html: string): Record<string, string> {
  const form = /<form[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[match[1]!] = decodeEntities(match[2]!);
  return fields;
}

export function authorizeUrl(baseUrl: string, params: AuthorizeParams): URL {
  const url = new URL('/oauth/authorize', baseUrl);
  const query: Record<string, string | undefined> = {
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    response_type: params.responseType ?? 'code',
    state: params.state,
    code_challenge: params.codeChallenge,
    code_challenge_method: params.codeChallengeMethod,
    scope: params.scope,
    prompt: params.prompt,
  };
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

/** A tiny browser: one cookie jar (names to values), manual redirects. */
export function createBrowser(baseUrl: string) {
  const jar = new Map<string, string>();
  const remember = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair?.indexOf('=') ?? -1;
      if (pair && index > 0) jar.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
  };
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

  async function request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('Cookie', cookieHeader());
    const response = await fetch(new URL(url, baseUrl), { ...init, headers, redirect: 'manual' });
    remember(response);
    return response;
  }

  async function page(response: Response): Promise<FormPage> {
    const html = await response.text();
    return { status: response.status, html, fields: hiddenFields(html) };
  }

  return {
    jar,
    request,
    async get(url: string | URL): Promise<FormPage & { response: Response }> {
      const response = await request(url);
      return { response, ...(await page(response.clone())) };
    },
    /** Posts a form (urlencoded) and returns the raw response (redirects are not followed). */
    post(path: string, fields: Record<string, string>): Promise<Response> {
      return request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    },
    page,
  };
}

export type TestBrowser = ReturnType<typeof createBrowser>;

/**
 * The whole flow: authorize → login → consent → the redirect to the client. Returns the callback
 * URL (with `code` or `error`). Throws when a step does not answer as the sandbox should.
 */
export async function authorizeWithForms(
  baseUrl: string,
  params: AuthorizeParams & { email: string; password: string; decision?: 'allow' | 'deny'; browser?: TestBrowser },
): Promise<URL> {
  const browser = params.browser ?? createBrowser(baseUrl);
  /** The member already holds a valid token of this client: the sandbox approved without the consent screen (as Passport does). */
  const approvedWithoutConsent = (page: FormPage & { response: Response }) => {
    const location = page.response.headers.get('Location');
    if (page.status !== 302 || !location) return undefined;
    if ((params.decision ?? 'allow') !== 'allow') throw new Error('approved without the consent screen: send prompt=consent to deny');
    return new URL(location);
  };
  let current = await browser.get(authorizeUrl(baseUrl, params));
  const atOnce = approvedWithoutConsent(current);
  if (atOnce) return atOnce;
  if (current.status !== 200) throw new Error(`authorize answered ${current.status}`);
  if (current.html.includes('id="login"')) {
    const login = await browser.post('/oauth/login', { ...current.fields, email: params.email, password: params.password });
    if (login.status !== 303) throw new Error(`login answered ${login.status}`);
    current = await browser.get(login.headers.get('Location') ?? '');
    const afterLogin = approvedWithoutConsent(current);
    if (afterLogin) return afterLogin;
  }
  if (!current.html.includes('id="allow"')) throw new Error(`no consent page (status ${current.status})`);
  const consent = await browser.post('/oauth/consent', { ...current.fields, decision: params.decision ?? 'allow' });
  const location = consent.headers.get('Location');
  if (consent.status !== 302 || !location) throw new Error(`consent answered ${consent.status}`);
  return new URL(location);
}

/** POST to /oauth/token or /oauth/revoke, form-encoded unless `json`; `basic` sends the client in an Authorization header. */
export async function postToken(
  baseUrl: string,
  params: Record<string, string>,
  options: { path?: '/oauth/token' | '/oauth/revoke'; json?: boolean; basic?: { clientId: string; clientSecret: string } } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'Content-Type': options.json ? 'application/json' : 'application/x-www-form-urlencoded' };
  if (options.basic) {
    const encode = (value: string) => encodeURIComponent(value);
    headers.Authorization = `Basic ${btoa(`${encode(options.basic.clientId)}:${encode(options.basic.clientSecret)}`)}`;
  }
  const response = await fetch(new URL(options.path ?? '/oauth/token', baseUrl), {
    method: 'POST',
    headers,
    body: options.json ? JSON.stringify(params) : new URLSearchParams(params),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

/** GET /user-summaries with a bearer token (query given as a string or pairs). */
export function getSummaries(baseUrl: string, accessToken: string | undefined, query: string | Record<string, string>): Promise<Response> {
  const url = new URL('/user-summaries', baseUrl);
  url.search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (accessToken !== undefined) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(url, { headers });
}
