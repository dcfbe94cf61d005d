/**
 * Where `npm start` runs the sandbox and the companion: the ports a development build talks to when
 * no WXT_* variable says otherwise (src/shared/build-config.ts; a unit test keeps the two in step),
 * so `npm run build:dev` output and `npm start` find each other.
 */
export const DEV_SANDBOX_PORT = 8787;
export const DEV_COMPANION_PORT = 8788;
