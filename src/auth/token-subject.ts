/**
 * The `sub` claim of a JWT access token (CardioMood's are tymon/jwt-auth JWTs, docs/cardiomood-api.md
 * §2.3), read without verifying the signature, or undefined for anything that is not such a JWT.
 * Used only to tell whether two token responses the companion handed us belong to the same member:
 * never to trust a token, which CardioMood alone checks.
 */
export function tokenSubject(accessToken: string): string | undefined {
  const parts = accessToken.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const payload: unknown = JSON.parse(json);
    if (typeof payload !== 'object' || payload === null) return undefined;
    const sub = (payload as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : typeof sub === 'number' ? String(sub) : undefined;
  } catch {
    return undefined;
  }
}
