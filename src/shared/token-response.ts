import { z } from 'zod';

/**
 * The OAuth token response (RFC 6749 §5.1) as CardioMood (Laravel Passport style) sends it and as the
 * companion passes it through. `expires_in` is optional in the RFC; unknown members are dropped.
 */
export const tokenResponseSchema = z.object({
  token_type: z.string().regex(/^bearer$/i, 'token_type must be Bearer'),
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** RFC 6749 §5.2 error body; also the one error shape of the companion and the sandbox. */
export const oauthErrorSchema = z.object({
  error: z.string().min(1),
  error_description: z.string().optional(),
});
export type OAuthError = z.infer<typeof oauthErrorSchema>;
