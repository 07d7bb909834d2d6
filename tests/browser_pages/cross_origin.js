// A front-end on another origin than the API, as a portal would be. The page calls the
// API with fetch() and shows each answer; a test drives it through `window.crossOrigin`.
// The API's base URL comes in the query string: cross_origin.html?api=http://host:port
"use strict";

const api = new URLSearchParams(location.search).get("api");
let token = null;

document.getElementById("api").textContent = api;
document.getElementById("origin").textContent = location.origin;

// Show `values` in the page as the section `step` (replacing an earlier one); returns them.
function show(step, values) {
  const section = document.createElement("section");
  section.dataset.step = step;
  const heading = document.createElement("h2");
  heading.textContent = step;
  const list = document.createElement("dl");
  for (const [key, value] of Object.entries(values)) {
    const term = document.createElement("dt");
    term.textContent = key;
    const description = document.createElement("dd");
    description.dataset.field = key;
    description.textContent = typeof value === "string" ? value : JSON.stringify(value);
    list.append(term, description);
  }
  section.append(heading, list);
  const old = document.querySelector(`section[data-step="${step}"]`);
  if (old) old.replaceWith(section);
  else document.getElementById("results").append(section);
  return values;
}

// One request: `json` is sent as JSON, `form` form-encoded; the signed-in token goes along
// unless the call brings an API key of its own.
async function call(method, path, { json, form, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (token && !("X-API-Key" in headers)) init.headers.Authorization = `Bearer ${token}`;
  if (form) init.body = new URLSearchParams(form);
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(api + path, init);
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  return { status: response.status, type, body, headers: response.headers };
}

// What a problem+json answer tells a person and a program.
function problem(answer) {
  return {
    status: answer.status,
    contentType: answer.type,
    contentLanguage: answer.headers.get("Content-Language"),
    title: answer.body.title,
    detail: answer.body.detail,
    code: answer.body.code,
    errors: (answer.body.errors || []).map((e) => `${e.loc.join(".")}: ${e.msg}`),
    requestId: answer.headers.get("X-Request-ID"),
  };
}

window.crossOrigin = {
  // Anonymous: a list, with our own request id echoed back in an exposed header.
  async readList(path, requestId) {
    const answer = await call("GET", path, { headers: { "X-Request-ID": requestId } });
    return show("list", {
      status: answer.status,
      total: answer.body.total,
      titles: answer.body.items.map((item) => item.title || item.name),
      requestId: answer.headers.get("X-Request-ID"),
    });
  },

  // OAuth2 password form, form-encoded; the token is kept for the calls that follow.
  async signIn(username, password) {
    const answer = await call("POST", "/api/v1/auth/token", { form: { username, password } });
    token = answer.status === 200 ? answer.body.access_token : null;
    return show("sign-in", {
      status: answer.status,
      tokenType: answer.body.token_type,
      signedIn: token !== null,
    });
  },

  // Read an item's ETag, change it with If-Match, then try again with the old, stale tag.
  async editWithIfMatch(path, changes) {
    const read = await call("GET", path);
    const etag = read.headers.get("ETag");
    const edit = await call("PATCH", path, { json: changes, headers: { "If-Match": etag } });
    const stale = await call("PATCH", path, { json: changes, headers: { "If-Match": etag } });
    return show("edit", {
      readEtag: etag,
      status: edit.status,
      newEtag: edit.headers.get("ETag"),
      item: Object.fromEntries(Object.keys(changes).map((k) => [k, edit.body[k]])),
      staleStatus: stale.status,
      staleCode: stale.body.code,
    });
  },

  // An error answer (problem+json), shown as a person would read it.
  async readProblem(step, method, path, json) {
    return show(step, problem(await call(method, path, { json })));
  },

  // A create, then the same create again: the 409 names the first in `Location`.
  async createTwice(path, json, apiKey) {
    const headers = { "X-API-Key": apiKey };
    const first = await call("POST", path, { json, headers });
    const second = await call("POST", path, { json, headers });
    return show("create-twice", {
      status: first.status,
      id: first.body.id,
      againStatus: second.status,
      againCode: second.body.code,
      location: second.headers.get("Location"),
    });
  },

  // Ask until the rate limit answers 429 (at most `max` times); it says when to retry.
  async exhaustRateLimit(path, apiKey, max) {
    let answer = null;
    let count = 0;
    while (count < max) {
      count += 1;
      answer = await call("GET", path, { headers: { "X-API-Key": apiKey } });
      if (answer.status === 429) break;
    }
    return show("rate-limit", {
      requests: count,
      status: answer.status,
      code: answer.body.code,
      retryAfter: answer.headers.get("Retry-After"),
    });
  },

  // Whether the browser lets the page read an answer at all (CORS refused: fetch rejects).
  async tryFetch(step, method, path, json) {
    try {
      const answer = await call(method, path, { json });
      return show(step, { ok: true, status: answer.status });
    } catch (error) {
      return show(step, { ok: false, error: `${error.name}: ${error.message}` });
    }
  },
};
