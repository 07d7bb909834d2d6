// The public API /api/v1, with the signed-in user's token (sessionStorage, never a cookie).

const TOKEN_KEY = "xqhz.token";

function configuredBase() {
  const fromConfig = window.PORTAL_CONFIG && window.PORTAL_CONFIG.apiBase;
  const meta = document.querySelector('meta[name="api-base"]');
  return (fromConfig || (meta && meta.content) || "").replace(/\/+$/, "");
}

export const API_BASE = configuredBase();
export const API = `${API_BASE}/api/v1`;

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `请求失败（${status}）`);
    this.status = status;
    this.code = (problem && problem.code) || "http_error";
    this.errors = (problem && problem.errors) || [];
    this.problem = problem || {};
  }
}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  me: null, // GET /auth/me of the signed-in caller
};

function headers(extra = {}) {
  const h = { "Accept-Language": "zh-CN", Accept: "application/json", ...extra };
  if (session.token) h.Authorization = `Bearer ${session.token}`;
  return h;
}

/** `/path?query` under /api/v1 as a full URL; `params` skips empty values. */
export function url(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    query.set(k, v);
  }
  const qs = query.toString();
  return `${API}${path}${qs ? `?${qs}` : ""}`;
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export async function request(method, path, { params, json, form, extraHeaders, withEtag } = {}) {
  const init = { method, headers: headers(extraHeaders) };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form) {
    init.headers["Content-Type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(form).toString();
  }
  const response = await fetch(url(path, params), init);
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && session.token && path !== "/auth/token") {
      session.token = null; // expired or revoked: sign in again
      session.me = null;
      window.dispatchEvent(new CustomEvent("portal:signed-out", { detail: problem }));
    }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  const body = await response.json();
  return withEtag ? { body, etag: response.headers.get("ETag") } : body;
}

/** A feed item and its ETag, for a change sent back with If-Match. */
export const getVersioned = (path) => request("GET", path, { withEtag: true });

export const get = (path, params) => request("GET", path, { params });

/** Every item of a list (a report's groups), page by page of 200; the answer is the first
 * page's, with `items` holding them all. */
export async function getAll(path, params = {}) {
  const first = await get(path, { ...params, limit: 200, offset: 0 });
  const items = [...first.items];
  while (items.length < first.total) {
    const next = await get(path, { ...params, limit: 200, offset: items.length });
    if (!next.items.length) break;
    items.push(...next.items);
  }
  return { ...first, items };
}
export const post = (path, json, params) => request("POST", path, { json, params });
export const patch = (path, json, etag) => request("PATCH", path, { json, extraHeaders: etag ? { "If-Match": etag } : {} });
export const del = (path) => request("DELETE", path);

export async function signIn(username, password) {
  const answer = await request("POST", "/auth/token", { form: { username, password } });
  session.token = answer.access_token;
  session.me = await get("/auth/me");
  return session.me;
}

export function signOut() {
  session.token = null;
  session.me = null;
}

export async function restore() {
  if (!session.token) return null;
  try {
    session.me = await get("/auth/me");
  } catch {
    session.token = null;
    session.me = null;
  }
  return session.me;
}

/** POST a file as multipart (form field `file`) with upload progress: XHR, as fetch has none. */
export function upload(path, file, params, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(path, params));
    for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, { detail: "网络错误，文件未能上传。" }));
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    const data = new FormData();
    data.append("file", file);
    xhr.send(data);
  });
}

// Reference data read once per page load.
const cache = new Map();
export function cached(path, params) {
  const key = url(path, params);
  if (!cache.has(key)) cache.set(key, get(path, params).catch((e) => (cache.delete(key), Promise.reject(e))));
  return cache.get(key);
}

export async function districtNames() {
  const page = await cached("/taxonomies/districts", { limit: 200 });
  return Object.fromEntries(page.items.map((d) => [d.code, d.name]));
}

export async function clusters() {
  const page = await cached("/taxonomies/clusters", { limit: 50 });
  return page.items;
}
