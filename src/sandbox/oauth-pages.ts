import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SandboxMember } from './demo-members';

/**
 * The pages a member sees during sign-in. Plain server-rendered HTML: labelled fields, a heading per
 * page, `lang`, visible focus, no script. `nonce` is the per-response CSP nonce for the one style
 * block.
 */

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  body { margin: 0; padding: 1.5rem; display: flex; justify-content: center; }
  main { width: 100%; max-width: 28rem; }
  .badge { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; background: #fde68a; color: #1f2937; font-size: .85rem; }
  h1 { font-size: 1.5rem; margin: .75rem 0; }
  h2 { font-size: 1.1rem; margin-top: 2rem; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #6b7280; border-radius: .4rem; }
  button { margin-top: 1.25rem; padding: .6rem 1.2rem; font-size: 1rem; border-radius: .4rem; border: 1px solid #1d4ed8; cursor: pointer; }
  button.primary { background: #1d4ed8; color: #fff; }
  button.secondary { background: transparent; color: inherit; }
  button.link { border: none; background: none; padding: 0; color: inherit; text-decoration: underline; font-size: .95rem; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  .actions { display: flex; gap: .75rem; flex-wrap: wrap; }
  [role=alert] { border-left: 4px solid #b91c1c; padding: .5rem .75rem; background: #fee2e2; color: #7f1d1d; }
  table { border-collapse: collapse; width: 100%; font-size: .95rem; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d1d5db; }
  code { font-size: .95em; }
`;

function layout(nonce: string, title: string, body: Markup): Markup {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${title} – CardioMood (sandbox)</title>
    <style nonce="${nonce}">${raw(STYLE)}</style>
  </head>
  <body>
    <main>
      <p class="badge">Sandbox: a local stand-in for CardioMood</p>
      ${body}
    </main>
  </body>
</html>`;
}

export interface FormFields {
  requestId: string;
  csrfToken: string;
}

function hiddenFields(fields: FormFields): Markup {
  return html`<input type="hidden" name="request_id" value="${fields.requestId}" />
      <input type="hidden" name="csrf_token" value="${fields.csrfToken}" />`;
}

export function loginPage(input: {
  nonce: string;
  fields: FormFields;
  clientId: string;
  members: readonly SandboxMember[];
  email?: string;
  error?: string;
}): Markup {
  return layout(
    input.nonce,
    'Sign in',
    html`<h1>Sign in to CardioMood</h1>
      <p><strong>${input.clientId}</strong> wants to connect to your CardioMood account. Sign in to continue.</p>
      ${input.error ? html`<p role="alert" id="login-error">${input.error}</p>` : ''}
      <form method="post" action="/oauth/login">
        ${hiddenFields(input.fields)}
        <label for="email">E-mail address</label>
        <input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}" ${input.error ? raw('aria-describedby="login-error"') : ''} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button id="login" class="primary" type="submit">Sign in</button>
      </form>
      <section aria-labelledby="demo-accounts">
        <h2 id="demo-accounts">Demo accounts</h2>
        <p>This sandbox has no real data. Sign in with one of these:</p>
        <table>
          <thead><tr><th scope="col">E-mail</th><th scope="col">Password</th></tr></thead>
          <tbody>
            ${input.members.map((member) => html`<tr><td><code>${member.email}</code></td><td><code>${member.password}</code></td></tr>`)}
          </tbody>
        </table>
      </section>`,
  );
}

export function consentPage(input: { nonce: string; fields: FormFields; clientId: string; memberEmail: string; scope?: string }): Markup {
  return layout(
    input.nonce,
    'Allow access?',
    html`<h1>Allow access to your readings?</h1>
      <p>You are signed in as <strong>${input.memberEmail}</strong>.</p>
      <p>The app <strong id="client-name">${input.clientId}</strong> wants to read your <strong>heart rate and activity summaries</strong>.</p>
      <p>It cannot change your data. You can disconnect it at any time from the app.</p>
      ${input.scope ? html`<p>Requested scope: <code>${input.scope}</code></p>` : ''}
      <form method="post" action="/oauth/consent">
        ${hiddenFields(input.fields)}
        <div class="actions">
          <button id="allow" class="primary" type="submit" name="decision" value="allow">Allow</button>
          <button id="deny" class="secondary" type="submit" name="decision" value="deny">Deny</button>
        </div>
      </form>
      <form method="post" action="/oauth/logout">
        ${hiddenFields(input.fields)}
        <p>Not ${input.memberEmail}? <button id="switch-account" class="link" type="submit">Use another account</button></p>
      </form>`,
  );
}

export function errorPage(input: { nonce: string; title: string; message: string }): Markup {
  return layout(
    input.nonce,
    input.title,
    html`<h1>${input.title}</h1>
      <p role="alert">${input.message}</p>
      <p>Close this window and start again from the app.</p>`,
  );
}
