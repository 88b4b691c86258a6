// Every kind of cross-origin call, one table row each. The browser enforces
// CORS: a call is "allowed" when fetch() resolved and the script could read
// the response, "blocked" when fetch() rejected (the script learns nothing).
"use strict";

const API = window.DEMO.api;
const HERE = location.origin;
const LISTED = window.DEMO.trustedOrigins.includes(HERE);
const state = { csrf: "", token: "", noteId: 0 };

// expect: "public" (any origin), "listed" (only origins the API lists),
// "never" (no origin: the policy must block it), "database" (origins that are
// rows in the admin: allowed or blocked, both as expected, and the row says
// how to change it). status: when allowed. retry: the row has a Retry button.
const CALLS = [
  {
    id: "simple-get", title: "Simple GET", expect: "public", status: 200,
    how: 'plain Django view, @cors_policy("public")',
    request: () => ({ method: "GET", path: "/api/health/" }),
    read: (r, body) => ({ status: body.status }),
  },
  {
    id: "exposed-header", title: "GET reading an exposed header", expect: "public", status: 200,
    how: '@action with a per-action @cors_policy("public"), paginated',
    request: () => ({ method: "GET", path: "/api/notes/public/" }),
    read: (r, body) => ({ "X-Total-Count": r.headers.get("X-Total-Count"), results: body.results.length }),
  },
  {
    id: "async-view", title: "Async view", expect: "listed", status: 200,
    how: "async Django view, @cors_policy(expose_headers=[...])",
    request: () => ({ method: "GET", path: "/api/clock/" }),
    read: (r) => ({ "X-Served-By": r.headers.get("X-Served-By") }),
  },
  {
    id: "middleware-only", title: "Route with no policy of its own", expect: "listed", status: 200,
    how: "plain Django view: the fallback middleware (URLS_REGEX)",
    request: () => ({ method: "GET", path: "/api/version/" }),
    read: (r, body) => ({ drf_cors: body.drf_cors }),
  },
  {
    id: "search", title: "Search the public notes", expect: "listed", status: 200,
    how: '@api_view(["GET"]) + @cors_policy(expose_headers=["X-Total-Count"])',
    request: () => ({ method: "GET", path: "/api/search/?q=CORS" }),
    read: (r, body) => ({ "X-Total-Count": r.headers.get("X-Total-Count"), results: body.results }),
  },
  {
    id: "export", title: "Download the public notes", expect: "listed", status: 200,
    how: 'plain Django view, @cors_policy(expose_headers=["Content-Disposition"]) over @require_GET',
    request: () => ({ method: "GET", path: "/api/export/" }),
    read: (r, body) => ({
      "Content-Disposition": r.headers.get("Content-Disposition"), notes: body.notes.length,
    }),
  },
  {
    id: "csrf-token", title: "Get a CSRF token", expect: "listed", status: 200,
    how: 'named policy "session" (credentials)', credentials: true,
    request: () => ({ method: "GET", path: "/api/auth/csrf/", credentials: "include" }),
    read: (r, body) => {
      state.csrf = body.csrfToken;
      return { csrfToken: body.csrfToken ? `${body.csrfToken.length} characters` : null };
    },
  },
  {
    id: "session-login", title: "Session login (CSRF token + cookie)", expect: "listed", status: 200,
    how: 'named policy "session"; CSRF_TRUSTED_ORIGINS', credentials: true,
    request: () => ({
      method: "POST", path: "/api/auth/login/", credentials: "include",
      headers: { "X-CSRFToken": state.csrf },
      json: { username: "demo", password: "demo-password" },
    }),
    read: (r, body) => ({ username: body.username }),
  },
  {
    id: "session-cookie", title: "Credentialed GET with the session cookie", expect: "listed", status: 200,
    how: 'named policy "session"', credentials: true,
    request: () => ({ method: "GET", path: "/api/auth/me/", credentials: "include" }),
    read: (r, body) => ({ username: body.username, authenticated: body.authenticated }),
  },
  {
    id: "paginated-list", title: "My notes, paginated, with the cookie", expect: "listed", status: 200,
    how: "ModelViewSet, class policy (credentials, exposes X-Total-Count)", credentials: true,
    request: () => ({ method: "GET", path: "/api/notes/?page_size=2", credentials: "include" }),
    read: (r, body) => ({ "X-Total-Count": r.headers.get("X-Total-Count"), results: body.results.length }),
  },
  {
    id: "token", title: "Get an API token", expect: "listed", status: 200,
    how: "DRF's ObtainAuthToken + CorsAPIViewMixin (global defaults)",
    request: () => ({
      method: "POST", path: "/api/auth/token/",
      json: { username: "demo", password: "demo-password" },
    }),
    read: (r, body) => {
      state.token = body.token;
      return { token: body.token ? `${body.token.length} characters` : null };
    },
  },
  {
    id: "preflight-post", title: "Preflighted POST: JSON, token, custom header", expect: "listed", status: 201,
    how: "ModelViewSet, class policy (allow_headers lists x-demo-client)",
    request: () => ({
      method: "POST", path: "/api/notes/",
      headers: { Authorization: `Token ${state.token}`, "X-Demo-Client": "demo-page" },
      json: { title: "Written cross-origin", body: "by the demo page" },
    }),
    read: (r, body) => { state.noteId = body.id; return { title: body.title }; },
  },
  {
    id: "preflight-patch", title: "Preflighted PATCH", expect: "listed", status: 200,
    how: "ModelViewSet, class policy",
    request: () => ({
      method: "PATCH", path: `/api/notes/${state.noteId}/`,
      headers: { Authorization: `Token ${state.token}`, "X-Demo-Client": "demo-page" },
      json: { title: "Edited cross-origin" },
    }),
    read: (r, body) => ({ title: body.title }),
  },
  {
    id: "preflight-delete", title: "Preflighted DELETE", expect: "listed", status: 204,
    how: "ModelViewSet, class policy",
    request: () => ({
      method: "DELETE", path: `/api/notes/${state.noteId}/`,
      headers: { Authorization: `Token ${state.token}`, "X-Demo-Client": "demo-page" },
    }),
    read: () => ({}),
  },
  {
    id: "refused-header", title: "Preflight asking for a header not listed", expect: "never",
    how: "ModelViewSet, class policy (no x-not-listed)",
    request: () => ({
      method: "PUT", path: "/api/notes/1/",
      headers: { Authorization: `Token ${state.token}`, "X-Not-Listed": "1" },
      json: { title: "never sent" },
    }),
    read: () => ({}),
  },
  {
    id: "refused-method", title: "Preflight asking for a method outside the policy", expect: "never",
    how: '@action, @cors_policy("public"): ALLOW_METHODS ["GET"], so no POST is ever sent',
    request: () => ({ method: "POST", path: "/api/notes/public/", json: { title: "never sent" } }),
    read: () => ({}),
  },
  {
    id: "partners-only", title: "Route for a partner's site only", expect: "never",
    how: 'CorsAPIView, cors = "partners" (named policy)',
    request: () => ({ method: "GET", path: "/api/partners/" }),
    read: () => ({}),
  },
  {
    id: "embed", title: "Embed widget (origins from the database)", expect: "database", status: 200,
    how: 'CorsAPIView, cors = "embeds": ALLOWED_ORIGINS_SOURCE, the AllowedOrigin rows of the admin',
    request: () => ({ method: "GET", path: "/api/embed/" }),
    read: (r, body) => ({ widget: body.widget, titles: body.titles.length }),
    retry: true,
  },
  {
    id: "cors-disabled", title: "Route with CORS disabled", expect: "never",
    how: "CorsPolicy(enabled=False): no headers, middleware included",
    request: () => ({ method: "GET", path: "/api/internal/" }),
    read: () => ({}),
  },
  {
    id: "error-401", title: "401 stays readable", expect: "listed", status: 401,
    how: "ModelViewSet, no credentials sent",
    request: () => ({ method: "GET", path: "/api/notes/" }),
    read: (r, body) => ({ detail: body.detail }),
  },
  {
    id: "error-404", title: "Django's 404 stays readable", expect: "listed", status: 404,
    how: "no route: the fallback middleware",
    request: () => ({ method: "GET", path: "/api/no-such-route/" }),
    read: () => ({}),
  },
  {
    id: "error-429", title: "429 stays readable (4th call in a row)", expect: "listed", status: 429,
    how: "@api_view + @cors_policy(expose_headers=[\"Retry-After\"]), throttled 3/min",
    repeat: 4,
    request: () => ({ method: "GET", path: "/api/stats/" }),
    read: (r) => ({ "Retry-After": r.headers.get("Retry-After") }),
  },
  {
    id: "error-500", title: "500 stays readable", expect: "listed", status: 500,
    how: "CorsAPIView raising: Django's 500, headers from the middleware",
    request: () => ({ method: "GET", path: "/api/boom/" }),
    read: () => ({}),
  },
  // A method the policy allows but the route does not implement: the preflight
  // is granted (the policy alone decides), so the 405 reaches the script.
  {
    id: "error-405-list-put", title: "405 stays readable: PUT on a list route", expect: "listed", status: 405,
    how: "ModelViewSet list route (GET, POST only); the class policy allows PUT",
    request: () => ({
      method: "PUT", path: "/api/notes/",
      headers: { Authorization: `Token ${state.token}`, "X-Demo-Client": "demo-page" },
      json: { title: "a list is not replaced" },
    }),
    read: (r, body) => ({ detail: body.detail }),
  },
  {
    id: "error-405-list-delete", title: "405 stays readable: DELETE on a list route", expect: "listed", status: 405,
    how: "ModelViewSet list route (GET, POST only); the class policy allows DELETE",
    request: () => ({
      method: "DELETE", path: "/api/notes/",
      headers: { Authorization: `Token ${state.token}`, "X-Demo-Client": "demo-page" },
    }),
    read: (r, body) => ({ detail: body.detail }),
  },
  {
    id: "error-405-api-view", title: "405 stays readable: PUT on a GET-only @api_view", expect: "listed", status: 405,
    how: '@api_view(["GET"]) + @cors_policy(...): the policy allows PUT',
    request: () => ({ method: "PUT", path: "/api/search/", json: { q: "CORS" } }),
    read: (r, body) => ({ detail: body.detail }),
  },
  {
    id: "error-405-plain-view", title: "405 stays readable: DELETE on a @require_GET view", expect: "listed", status: 405,
    how: "plain Django view, @cors_policy(...) over @require_GET: Django's 405",
    request: () => ({ method: "DELETE", path: "/api/export/", headers: { "Content-Type": "application/json" } }),
    read: () => ({}),
  },
  {
    id: "error-405-middleware", title: "405 stays readable: PUT on a route with no policy", expect: "listed", status: 405,
    how: "plain Django view with @require_GET: the fallback middleware (global defaults)",
    request: () => ({ method: "PUT", path: "/api/version/", json: { drf_cors: "0" } }),
    read: () => ({}),
  },
  {
    id: "error-405-mixin", title: "405 stays readable: DELETE on a POST-only APIView", expect: "listed", status: 405,
    how: "DRF's ObtainAuthToken + CorsAPIViewMixin: revoking is not offered",
    request: () => ({ method: "DELETE", path: "/api/auth/token/", headers: { "Content-Type": "application/json" } }),
    read: (r, body) => ({ detail: body.detail }),
  },
];

const SAFELISTED = new Set(["accept", "accept-language", "content-language"]);

function prepare(call) {
  const req = call.request();
  const headers = { ...(req.headers || {}) };
  // no-store: a Retry must ask the API again, never reuse an earlier answer.
  const init = {
    method: req.method, mode: "cors", credentials: req.credentials || "omit", headers, cache: "no-store",
  };
  if (req.json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(req.json);
  }
  // What the browser will do (Fetch "CORS-preflight fetch"): JSON, a custom
  // header or a method other than GET/HEAD/POST needs a preflight first.
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  const unsafe = names.filter((h) => !SAFELISTED.has(h)).sort();
  const preflight = !["GET", "HEAD", "POST"].includes(req.method) || unsafe.length > 0;
  return { req, init, preflight, unsafe };
}

async function run(call) {
  const { req, init, preflight, unsafe } = prepare(call);
  const result = {
    id: call.id, outcome: "blocked", status: null, read: {}, preflight,
    credentials: init.credentials === "include",
    request: `${req.method} ${req.path}`,
  };
  try {
    let response;
    for (let i = 0; i < (call.repeat || 1); i += 1) {
      response = await fetch(API + req.path, init);
      if (i + 1 < (call.repeat || 1)) await response.arrayBuffer();
    }
    result.outcome = "allowed";
    result.status = response.status;
    const text = await response.text();
    let body = {};
    try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {}; }
    result.read = call.read(response, body);
  } catch (error) {
    // A CORS failure is a TypeError with no detail, by design (Fetch standard).
    result.read = { error: `${error.name}: ${error.message}` };
  }
  result.probe = await probe(req, preflight, unsafe);
  if (call.expect === "database") {
    // Whether this origin is a row is data the page does not know: either
    // outcome is expected, and the row says how to change it.
    result.expected = result.outcome === "allowed"
      ? `allowed, ${call.status}: ${HERE} is an allowed origin in the admin`
      : `blocked until ${HERE} is added in the admin`;
    result.ok = result.outcome === "blocked" || result.status === call.status;
    return result;
  }
  const expectedOutcome = call.expect === "public" || (call.expect === "listed" && LISTED)
    ? "allowed" : "blocked";
  result.expected = expectedOutcome === "allowed" ? `allowed, ${call.status}` : "blocked";
  result.ok = result.outcome === expectedOutcome
    && (expectedOutcome === "blocked" || result.status === call.status);
  return result;
}

// The admin pages for the embed widget's origins (policy "embeds").
const ADMIN = `${API}/admin/drf_cors_origins/allowedorigin/`;

function adminHint(result) {
  const hint = el("div", "hint");
  const link = el("a");
  link.target = "_blank";
  if (result.outcome === "allowed") {
    link.href = ADMIN;
    link.textContent = "delete it in the admin";
    hint.append(`${HERE} is a row of the admin's allowed origins: `, link, ", then press Retry.");
  } else {
    const fill = new URLSearchParams({ origin: HERE, policy: "embeds", note: "added from the demo page" });
    link.href = `${ADMIN}add/?${fill}`;
    link.textContent = "add it in the admin";
    hint.append(`${HERE} is not allowed yet: `, link, ` (origin ${HERE}, policy "embeds"), then press Retry.`);
  }
  return hint;
}

async function probe(req, preflight, unsafe) {
  const query = new URLSearchParams({
    method: req.method, path: req.path, preflight: preflight ? "1" : "0", headers: unsafe.join(","),
  });
  try {
    return await (await fetch(`/probe?${query}`)).json();
  } catch (error) {
    return { error: String(error) };
  }
}

function cell(row, className, ...children) {
  const td = document.createElement("td");
  if (className) td.className = className;
  for (const child of children) td.append(child);
  row.append(td);
  return td;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render(call, index, result) {
  const row = document.createElement("tr");
  row.dataset.call = call.id;
  row.dataset.runs = String(runs[call.id] || 0);
  cell(row, "", String(index + 1));
  const what = cell(row, "call", el("b", "", call.title), el("div", "req mono", result ? result.request : ""));
  if (result) {
    if (result.preflight) what.append(el("span", "tag", "preflighted"));
    if (result.credentials) what.append(el("span", "tag", "credentials: include"));
    if (call.expect === "database") what.append(adminHint(result));
    if (call.retry) {
      const button = el("button", "retry", "Retry");
      button.type = "button";
      button.dataset.retry = call.id;
      button.addEventListener("click", () => retry(call, index));
      what.append(button);
    }
  }
  cell(row, "", el("span", "", call.how));
  if (!result) {
    cell(row, "", el("span", "verdict pending", "…"));
    for (let i = 0; i < 4; i += 1) cell(row, "");
    return row;
  }
  row.dataset.outcome = result.outcome;
  cell(row, "", el("span", `verdict ${result.outcome}`, result.outcome.toUpperCase()));
  cell(row, "status", result.status === null ? "—" : String(result.status));
  const readable = Object.entries(result.read).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  cell(row, "mono", readable.length ? readable.join("\n") : "(body only)").style.whiteSpace = "pre-wrap";
  const headers = cell(row, "headers mono");
  const p = result.probe || {};
  if (p.error) {
    headers.append(el("div", "none", p.error));
  } else {
    const bare = result.credentials && !result.preflight ? " (replayed without the cookie)" : "";
    headers.append(el("div", "", `${p.request} → ${p.status}${bare}`));
    const names = Object.keys(p.headers).filter((n) => n.toLowerCase() !== "vary");
    if (!names.some((n) => n.toLowerCase() === "access-control-allow-origin")) {
      headers.append(el("div", "none", `no Access-Control-Allow-Origin for ${HERE}`));
    }
    for (const name of names) headers.append(el("div", "", `${name}: ${p.headers[name]}`));
  }
  cell(row, `expect ${result.ok ? "ok" : "mismatch"}`, `${result.ok ? "✓" : "✗"} ${result.expected}`);
  return row;
}

const results = {};
const runs = {};

async function runOne(call, index) {
  const result = await run(call);
  results[call.id] = result;
  runs[call.id] = (runs[call.id] || 0) + 1;
  document.querySelector("#calls tbody").children[index].replaceWith(render(call, index, result));
}

function summarize() {
  const good = Object.values(results).filter((r) => r.ok).length;
  const summary = document.getElementById("summary");
  summary.textContent = `${good} of ${CALLS.length} calls behaved as expected from ${HERE}.`;
  summary.className = `summary ${good === CALLS.length ? "good" : "bad"}`;
  window.demoResults = { ...results };
}

async function retry(call, index) {
  document.body.dataset.state = "running";
  await runOne(call, index);
  summarize();
  document.body.dataset.state = "done";
}

async function main() {
  document.body.dataset.state = "running";
  const where = document.getElementById("where");
  where.textContent = `This page: ${HERE}, API: ${API}. ` + (LISTED
    ? "This origin is in the API's ALLOWED_ORIGINS: every call but the refused ones should work."
    : "This origin is NOT in the API's ALLOWED_ORIGINS: only the public routes should work, "
      + "and the embed widget once this origin is added in the admin.");
  document.getElementById("admin-link").href = ADMIN;
  const body = document.querySelector("#calls tbody");
  body.replaceChildren(...CALLS.map((call, i) => render(call, i, null)));
  for (const [i, call] of CALLS.entries()) await runOne(call, i);
  summarize();
  document.body.dataset.state = "done";
}

document.getElementById("rerun").addEventListener("click", () => main());
main();
