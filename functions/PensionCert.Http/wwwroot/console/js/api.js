// The API client: every call carries the operator's bearer token; problem+json answers become ApiError.
import { session } from './auth.js';

let baseUrl = '/api';

/** Sets the API base URL from config.json. */
export function configureApi(config) {
  baseUrl = config.apiBaseUrl || '/api';
}

/** A refused or failed call: the HTTP status and the RFC 9457 problem (with code and zh-CN message) when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.message || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem?.code;
  }
}

/** What to tell the operator about an error. */
export function describeError(error) {
  if (error instanceof ApiError) {
    if (error.status === 401) return '登录已失效，请重新登录。';
    if (error.status === 429) return '操作过于频繁，请稍后再试。';
    const message = error.problem?.message || `请求失败（HTTP ${error.status}）。`;
    return error.code ? `${message}（${error.code}）` : message;
  }
  return '无法连接服务，请检查网络后重试。';
}

/**
 * Calls the API. body: an object (sent as JSON), FormData or Blob. Returns parsed JSON, text, or the Response when
 * raw is set. Throws ApiError for any non-2xx answer; a 401 also ends the session.
 */
export async function api(path, { method = 'GET', body, headers = {}, accept = 'application/json', raw = false } = {}) {
  const requestHeaders = new Headers(headers);
  requestHeaders.set('Accept', accept);
  const token = session.token();
  if (token) requestHeaders.set('Authorization', `Bearer ${token}`);
  let payload = body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob)) {
    requestHeaders.set('Content-Type', 'application/json');
    payload = JSON.stringify(body);
  }
  const response = await fetch(baseUrl + path, { method, headers: requestHeaders, body: payload, cache: 'no-store' });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    if (response.status === 401) session.expired();
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/**
 * Fetches an image the API serves to authorised operators only (a link the API returned, e.g.
 * /api/review-cases/{id}/photos/probe) and returns an object URL for an <img>; nothing is cached by the browser.
 */
export async function imageUrl(link) {
  const url = new URL(link, new URL(baseUrl, location.href));
  const headers = new Headers({ Accept: 'image/*' });
  const token = session.token();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const response = await fetch(url, { headers, cache: 'no-store' });
  if (!response.ok) {
    if (response.status === 401) session.expired();
    throw new ApiError(response.status, await response.json().catch(() => null));
  }
  return URL.createObjectURL(await response.blob());
}

/** A random Idempotency-Key for a retry-safe POST. */
export const newIdempotencyKey = () => crypto.randomUUID();
