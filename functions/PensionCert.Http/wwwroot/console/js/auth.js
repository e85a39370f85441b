// Who is signed in. The operator's access token lives in sessionStorage (gone when the tab closes) and is sent as
// a bearer token to the API, which checks it on every call; the claims read here only shape the screen.
const storageKey = 'pensioncert.console.session';
const roleNames = { clerk: '经办员', reviewer: '复核员', admin: '管理员' };
export const roleName = role => roleNames[role] ?? role;

let onExpired = () => {};

export const session = {
  /** The current session {token, expiresAt, operatorId, role, regions, method}, or null when absent or expired. */
  get() {
    try {
      const value = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null');
      if (!value || Date.parse(value.expiresAt) <= Date.now()) return null;
      return value;
    } catch {
      return null;
    }
  },
  token() {
    return this.get()?.token ?? null;
  },
  /** Stores a session from an access token; its claims (sub, role, regions, exp) are read for display. */
  start(token, method) {
    const claims = decodeClaims(token);
    const value = {
      token,
      method,
      operatorId: claims.sub ?? '',
      role: claims.role ?? '',
      regions: Array.isArray(claims.regions) ? claims.regions : [],
      expiresAt: new Date((claims.exp ?? 0) * 1000).toISOString(),
    };
    sessionStorage.setItem(storageKey, JSON.stringify(value));
    return value;
  },
  clear() {
    sessionStorage.removeItem(storageKey);
  },
  /** Called by the API client on a 401: the token expired or was refused. */
  expired() {
    this.clear();
    onExpired();
  },
  onExpired(handler) {
    onExpired = handler;
  },
};

/** The payload of a JWT (base64url JSON); the signature is the API's business. */
export function decodeClaims(token) {
  const payload = token.split('.')[1] ?? '';
  const base64 = payload.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** Development sign-in (local host only): the host mints a token for the chosen role and regions. */
export async function developmentSignIn(config, role, regions, operatorId) {
  const response = await fetch(config.developmentSignInUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ role, regions, operatorId: operatorId || null }),
    cache: 'no-store',
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.message || `登录失败（HTTP ${response.status}）`);
  return session.start(body.accessToken, 'development');
}

// OpenID Connect: authorization code with PKCE through oidc-client-ts (npm, pinned in package-lock.json), loaded
// only when the console is configured for it.
let oidcLibrary;
function loadOidcLibrary() {
  oidcLibrary ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('../vendor/oidc-client-ts.min.js', import.meta.url).href;
    script.onload = () => (globalThis.oidc ? resolve(globalThis.oidc) : reject(new Error('oidc-client-ts did not load')));
    script.onerror = () => reject(new Error('oidc-client-ts did not load'));
    document.head.append(script);
  });
  return oidcLibrary;
}

async function userManager(config) {
  const oidc = await loadOidcLibrary();
  const base = new URL('..', import.meta.url);
  return new oidc.UserManager({
    authority: config.oidc.authority,
    client_id: config.oidc.clientId,
    scope: config.oidc.scope,
    redirect_uri: new URL('callback.html', base).href,
    post_logout_redirect_uri: new URL('./', base).href,
    response_type: 'code',
    userStore: new oidc.WebStorageStateStore({ store: sessionStorage }),
    automaticSilentRenew: false,
  });
}

/** Sends the browser to the authority's sign-in page; it comes back to callback.html. */
export async function oidcSignIn(config, returnHash) {
  const manager = await userManager(config);
  await manager.signinRedirect({ state: { returnHash } });
}

/** Completes the code exchange (PKCE verifier from sessionStorage) and starts the session. */
export async function oidcCallback(config) {
  const manager = await userManager(config);
  const user = await manager.signinRedirectCallback();
  session.start(user.access_token, 'oidc');
  return user.state?.returnHash ?? '';
}

/** Signs out: forgets the token (and, with OpenID Connect, ends the authority's session too). */
export async function signOut(config) {
  const method = session.get()?.method;
  session.clear();
  if (method === 'oidc' && config.oidc) {
    const manager = await userManager(config);
    await manager.removeUser();
    await manager.signoutRedirect().catch(() => {});
  }
}
