import type { BuildConfig } from './build-config';

declare const __CARDIOMOOD_CONFIG__: BuildConfig;

/** The configuration baked in at build time by wxt.config.ts (see README: Configuration). */
export function getRuntimeConfig(): BuildConfig {
  return __CARDIOMOOD_CONFIG__;
}
