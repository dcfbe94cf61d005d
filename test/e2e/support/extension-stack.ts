import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildExtensionCached } from '../../../src/dev/build-extension';
import { useCheckoutTmpdir } from '../../../src/dev/project-root';
import { type DevStack, startDevStack } from '../../../src/dev/start-dev-stack';
import { assertInstalled, type BrowserKind } from './browsers';
import { type LossyLink, startLossyLink } from './lossy-link';
import { E2E_TMP } from './paths';

/** What a suite's tests use: the servers, and the extension built to talk to them. */
export interface ExtensionStack {
  readonly stack: DevStack;
  /** The unpacked extension for the suite's browser. */
  readonly extensionDir: string;
  /** Origin of the sandbox's login and consent page. */
  readonly authOrigin: string;
  /** The link the extension reaches the companion through (only with `{ lossyLink: true }`). */
  readonly link: LossyLink;
}

/**
 * Registers the suite's beforeAll and afterAll: fails when the browser is missing, starts the
 * sandbox and companion on 127.0.0.1, builds the extension for `kind` against them (development
 * mode, cached per sources and servers), and closes both servers after the suite (after the suite's
 * own afterAll hooks, which run first).
 */
export function useExtensionStack(kind: BrowserKind, options: { lossyLink?: boolean } = {}): ExtensionStack {
  let stack: DevStack | undefined;
  let link: LossyLink | undefined;
  let extensionDir: string | undefined;
  beforeAll(async () => {
    assertInstalled(kind);
    useCheckoutTmpdir();
    stack = await startDevStack();
    // With a lossy link the extension is built to reach the companion through it.
    link = options.lossyLink ? await startLossyLink(stack.companion.url) : undefined;
    const build = await buildExtensionCached({
      browser: kind.target,
      mode: 'development',
      config: link ? { ...stack.buildConfig, companionUrl: link.url } : stack.buildConfig,
      cacheDir: join(E2E_TMP, 'builds'),
    });
    extensionDir = build.dir;
  });
  afterAll(async () => {
    await link?.close();
    await stack?.close();
  });
  const ready = () => {
    if (!stack || extensionDir === undefined) throw new Error('useExtensionStack: its beforeAll has not run (used outside the suite?)');
    return { stack, extensionDir };
  };
  return {
    get stack() {
      return ready().stack;
    },
    get extensionDir() {
      return ready().extensionDir;
    },
    get authOrigin() {
      return new URL(ready().stack.buildConfig.authorizeUrl).origin;
    },
    get link() {
      if (!link) throw new Error('useExtensionStack: this suite has no lossy link (pass { lossyLink: true })');
      return link;
    },
  };
}
