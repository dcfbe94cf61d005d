/**
 * Stable extension identities, so the OAuth redirect URIs are known before install and can be
 * registered with CardioMood (and with the sandbox) in advance.
 *
 * Chrome derives the extension id from the manifest `key` (a public key; the private half is not
 * kept anywhere: we never sign a CRX, the stores do). Firefox uses the fixed gecko id.
 * https://developer.chrome.com/docs/extensions/reference/manifest/key
 */
export const CHROME_MANIFEST_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5e88vIpyjV//MCv9tvrxggnZ62+zSbNZZTYxVRuYTYJTFcsVX/Ilc/3/A2C7gPg+vs1ipluBQZP9OWp3OTws5f+Cftt4tZqqe6U1wsPa3sh69qGdCRTi1M1DJSM6g6JI5GugMP6K6G1CVnYw5nSvE8D4D9T+LQg7EIL2OpS/GIR6C2WBWeVnZy+L7yFJC+7587PbDePRGG4eYtsDxm5IBn+zNkhrIX+O4DmXhXQ+wRDFCwGtLi3Oz8XHXKyir45jUx+JryMSFYNYpVt3HVIgC79pY6SVqYxrgke5h00gD3vPBxiqZcmpV0iOSk85Lw/YdrxL88hhS/W7dimJlba/xQIDAQAB';

/** Derived from {@link CHROME_MANIFEST_KEY}; a unit test recomputes it. */
export const CHROME_EXTENSION_ID = 'ikolmnhkljkbkopbpmgocbneeihjlhfp';

export const GECKO_ID = 'cardiomood-readings@cardiomood-readings.dev';

/** `identity.getRedirectURL()` in Chrome: https://<extension id>.chromiumapp.org/ */
export const CHROME_REDIRECT_URI = `https://${CHROME_EXTENSION_ID}.chromiumapp.org/`;

/** `identity.getRedirectURL()` in Firefox: https://<sha1(gecko id)>.extensions.allizom.org/ */
export const FIREFOX_REDIRECT_URI =
  'https://28806eeb53f802f2f9abdf16f2f1698a74e7fef5.extensions.allizom.org/';

export const EXTENSION_REDIRECT_URIS = [CHROME_REDIRECT_URI, FIREFOX_REDIRECT_URI] as const;

/**
 * Public id of the development client: the development build's default (build-config.ts) and the
 * sandbox's default client. Its secret is server-side only (src/sandbox/dev-client-secret.ts).
 */
export const DEV_CLIENT_ID = 'cardiomood-readings-dev';
