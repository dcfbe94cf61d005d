import { defineConfig } from 'wxt';
import { hostPermissionsFor, resolveBuildConfig } from './src/shared/build-config';
import { CHROME_MANIFEST_KEY, GECKO_ID } from './src/shared/extension-identity';

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  imports: false,
  manifestVersion: 3,
  vite: (env) => ({
    define: {
      __CARDIOMOOD_CONFIG__: JSON.stringify(resolveBuildConfig(process.env, env.mode, { lenient: true })),
    },
  }),
  hooks: {
    // The build itself resolves strictly: a production build without a client id or companion fails.
    'build:before': (wxt) => {
      resolveBuildConfig(process.env, wxt.config.mode);
    },
  },
  manifest: (env) => {
    const config = resolveBuildConfig(process.env, env.mode, { lenient: true });
    return {
      name: '__MSG_extName__',
      description: '__MSG_extDescription__',
      default_locale: 'en',
      // Each permission is justified in the README ("Permissions"); a test pins the set.
      permissions: ['identity', 'storage', 'alarms', ...(env.browser === 'chrome' ? ['sidePanel'] : [])],
      host_permissions: hostPermissionsFor(config),
      action: { default_title: '__MSG_actionTitle__' },
      // Chrome: a stable id so the redirect URI https://<id>.chromiumapp.org/ is known in advance.
      ...(env.browser === 'chrome' ? { key: CHROME_MANIFEST_KEY } : {}),
      browser_specific_settings: {
        gecko: { id: GECKO_ID, strict_min_version: '115.0' },
      },
    };
  },
});
