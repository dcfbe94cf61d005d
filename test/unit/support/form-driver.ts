/**
 * Drives server-rendered HTML forms the way a person in the auth window would: keeps cookies, reads a
 * form's action and fields, fills some, submits, and follows redirects until one leaves the server.
 * Used to run the sandbox's real login and consent pages without a browser.
 */
export interface FormDriver {
  /** GET `url`, following redirects on the same origin; returns the final HTML or the foreign redirect. */
  open(url: string): Promise<Step>;
  /** Submit the form containing a field or button named `button.name` (with that value). */
  submit(step: Step, fields: Record<string, string>, button?: { name: string; value: string }): Promise<Step>;
}

export type Step = { kind: 'page'; url: string; html: string; status: number } | { kind: 'redirect'; location: string };

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const attr = (tag: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag)?.slice(2).find((v) => v !== undefined);

const decode = (value: string) =>
  value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function createFormDriver(fetch: Fetch): FormDriver {
  const cookies = new Map<string, string>();
  let origin = '';

  async function request(url: string, init: RequestInit = {}): Promise<Step> {
    let current = url;
    let options = init;
    for (let hops = 0; hops < 10; hops += 1) {
      const target = new URL(current);
      if (origin && target.origin !== origin) return { kind: 'redirect', location: current };
      origin = target.origin;
      const headers = new Headers(options.headers);
      if (cookies.size) headers.set('Cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
      const response = await fetch(current, { ...options, headers, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const index = pair!.indexOf('=');
        cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
      }
      const location = response.headers.get('Location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).href;
        options = {};
        continue;
      }
      return { kind: 'page', url: current, html: await response.text(), status: response.status };
    }
    throw new Error('too many redirects');
  }

  return {
    open: (url) => request(url),
    async submit(step, fields, button) {
      if (step.kind !== 'page') throw new Error(`expected a page, got a redirect to ${step.location}`);
      const forms = [...step.html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]);
      const wanted = Object.keys(fields);
      const form = forms.find((f) =>
        button ? f.includes(`value="${button.value}"`) && f.includes(`name="${button.name}"`) : wanted.every((name) => f.includes(`name="${name}"`)),
      );
      if (!form) throw new Error(`no form with ${button ? `${button.name}=${button.value}` : wanted.join(', ')} on ${step.url}`);
      const open = /<form\b[^>]*>/i.exec(form)![0];
      const body = new URLSearchParams();
      for (const input of form.match(/<input\b[^>]*>/gi) ?? []) {
        const name = attr(input, 'name');
        if (name) body.set(name, decode(attr(input, 'value') ?? ''));
      }
      for (const [name, value] of Object.entries(fields)) body.set(name, value);
      if (button) body.set(button.name, button.value);
      const action = new URL(decode(attr(open, 'action') ?? step.url), step.url).href;
      return request(action, {
        method: (attr(open, 'method') ?? 'GET').toUpperCase(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
    },
  };
}
