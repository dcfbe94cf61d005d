/**
 * The secret of the development client (DEV_CLIENT_ID), the sandbox's default client. Not a secret
 * of any real CardioMood client: only the sandbox and the companion the dev stack (src/dev) wires to
 * it know it. It lives with the server code, which never reaches an extension bundle (the
 * architecture test checks the imports, the manifest-policy test the built files).
 */
export const DEV_CLIENT_SECRET = 'sandbox-dev-secret-not-for-production';
