/**
 * The page's content security policy, the same for the desktop window and serve mode: scripts and
 * connections from the app's own origin only. Inline styles are Svelte's.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
