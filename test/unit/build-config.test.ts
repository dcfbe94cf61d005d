import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildEnvFor } from '../../src/dev/build-extension';
import { DEV_COMPANION_PORT, DEV_SANDBOX_PORT } from '../../src/dev/dev-ports';
import { hostPermissionsFor, resolveBuildConfig } from '../../src/shared/build-config';
import {
  CHROME_EXTENSION_ID,
  CHROME_MANIFEST_KEY,
  FIREFOX_REDIRECT_URI,
  GECKO_ID,
} from '../../src/shared/extension-identity';
import { getRuntimeConfig } from '../../src/shared/runtime-config';

describe('resolveBuildConfig', () => {
  it('should point at the local sandbox and companion when in development with no variables', () => {
    const config = resolveBuildConfig({}, 'development');
    expect(config.authorizeUrl).toBe('http://127.0.0.1:8787/oauth/authorize');
    expect(config.apiUrl).toBe('http://127.0.0.1:8787');
    expect(config.companionUrl).toBe('http://127.0.0.1:8788');
  });

  it('should point at the ports npm start listens on when in development with no variables', () => {
    const config = resolveBuildConfig({}, 'development');
    expect([config.authorizeUrl, config.apiUrl].map((url) => new URL(url).port)).toEqual([String(DEV_SANDBOX_PORT), String(DEV_SANDBOX_PORT)]);
    expect(new URL(config.companionUrl).port).toBe(String(DEV_COMPANION_PORT));
  });

  it('should read back the configuration the dev stack maps to WXT_* variables', () => {
    const config = {
      authorizeUrl: 'http://127.0.0.1:41001/oauth/authorize',
      apiUrl: 'http://127.0.0.1:41001',
      clientId: 'client-2',
      companionUrl: 'http://127.0.0.1:41002',
    };
    expect(resolveBuildConfig(buildEnvFor(config), 'development')).toEqual(config);
    expect(resolveBuildConfig(buildEnvFor(config), 'production')).toEqual(config);
  });

  it('should default to the real CardioMood URLs when in production', () => {
    const config = resolveBuildConfig(
      { WXT_CARDIOMOOD_CLIENT_ID: 'abc', WXT_COMPANION_URL: 'https://companion.example.org/' },
      'production',
    );
    expect(config).toEqual({
      authorizeUrl: 'https://api.health.cloud.cardiomood.com/oauth/authorize',
      apiUrl: 'https://api.health.cloud.cardiomood.com',
      clientId: 'abc',
      companionUrl: 'https://companion.example.org',
    });
  });

  it('should name every missing variable when a production build lacks them', () => {
    expect(() => resolveBuildConfig({}, 'production')).toThrow(
      /WXT_CARDIOMOOD_CLIENT_ID[\s\S]*WXT_COMPANION_URL/,
    );
  });

  it('should reject a malformed URL naming its variable', () => {
    expect(() => resolveBuildConfig({ WXT_CARDIOMOOD_API_URL: 'not a url' }, 'development')).toThrow(
      /WXT_CARDIOMOOD_API_URL/,
    );
  });

  const productionEnv = {
    WXT_CARDIOMOOD_CLIENT_ID: 'abc',
    WXT_COMPANION_URL: 'https://companion.example.org',
  };

  it.each([
    ['WXT_CARDIOMOOD_AUTHORIZE_URL', 'http://auth.example.org/oauth/authorize'],
    ['WXT_CARDIOMOOD_API_URL', 'http://api.example.org'],
    ['WXT_COMPANION_URL', 'http://companion.example.org'],
    ['WXT_COMPANION_URL', 'http://127.0.0.2:8788'],
    ['WXT_COMPANION_URL', 'http://localhost.example.org'],
  ])('should refuse %s=%s when building for production', (name, url) => {
    const attempt = () => resolveBuildConfig({ ...productionEnv, [name]: url }, 'production');
    expect(attempt).toThrow(`${name}: must use https:// (http:// only for 127.0.0.1, localhost or [::1])`);
  });

  it('should name only the http:// variables when several URLs are checked', () => {
    const attempt = () =>
      resolveBuildConfig({ ...productionEnv, WXT_CARDIOMOOD_API_URL: 'http://api.example.org' }, 'production');
    expect(attempt).toThrow(/WXT_CARDIOMOOD_API_URL/);
    expect(attempt).not.toThrow(/WXT_COMPANION_URL|WXT_CARDIOMOOD_AUTHORIZE_URL/);
  });

  it.each(['not a url', 'ftp://companion.example.org'])('should report %s as a malformed URL when building for production', (url) => {
    const attempt = () => resolveBuildConfig({ ...productionEnv, WXT_COMPANION_URL: url }, 'production');
    expect(attempt).toThrow(/WXT_COMPANION_URL: Invalid URL/);
    expect(attempt).not.toThrow(/https/);
  });

  it.each(['http://127.0.0.1:8788', 'http://localhost:8788', 'http://[::1]:8788', 'http://LOCALHOST:8788'])(
    'should accept the loopback URL %s when building for production',
    (url) => {
      const config = resolveBuildConfig({ ...productionEnv, WXT_COMPANION_URL: url, WXT_CARDIOMOOD_API_URL: url }, 'production');
      expect(config.companionUrl).toBe(url);
    },
  );

  it('should accept http:// anywhere when building for development', () => {
    const config = resolveBuildConfig({ WXT_COMPANION_URL: 'http://192.168.1.5:8788' }, 'development');
    expect(config.companionUrl).toBe('http://192.168.1.5:8788');
  });

  it('should leave an http:// URL to the strict build check when resolving leniently (wxt prepare)', () => {
    const config = resolveBuildConfig({ WXT_COMPANION_URL: 'http://companion.example.org' }, 'production', { lenient: true });
    expect(config.companionUrl).toBe('http://companion.example.org');
  });

  it('should take every variable over the defaults', () => {
    const config = resolveBuildConfig(
      {
        WXT_CARDIOMOOD_AUTHORIZE_URL: 'http://localhost:9000/auth',
        WXT_CARDIOMOOD_API_URL: 'http://localhost:9000/api/',
        WXT_CARDIOMOOD_CLIENT_ID: 'client-1',
        WXT_COMPANION_URL: 'http://localhost:9100',
      },
      'development',
    );
    expect(config).toEqual({
      authorizeUrl: 'http://localhost:9000/auth',
      apiUrl: 'http://localhost:9000/api',
      clientId: 'client-1',
      companionUrl: 'http://localhost:9100',
    });
  });
});

describe('hostPermissionsFor', () => {
  it('should derive one port-less pattern per host', () => {
    const patterns = hostPermissionsFor(resolveBuildConfig({}, 'development'));
    expect(patterns).toEqual(['http://127.0.0.1/*']);
  });
});

describe('extension identity', () => {
  it('should derive the pinned Chrome id from the manifest key', () => {
    const hex = createHash('sha256').update(Buffer.from(CHROME_MANIFEST_KEY, 'base64')).digest('hex');
    const id = [...hex.slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
    expect(id).toBe(CHROME_EXTENSION_ID);
  });

  it('should derive the Firefox redirect URI from the gecko id', () => {
    const hash = createHash('sha1').update(GECKO_ID).digest('hex');
    expect(FIREFOX_REDIRECT_URI).toBe(`https://${hash}.extensions.allizom.org/`);
  });
});

describe('getRuntimeConfig', () => {
  it('should expose the configuration baked in by the WXT build', () => {
    expect(getRuntimeConfig().clientId).toBe('cardiomood-readings-dev');
  });
});
