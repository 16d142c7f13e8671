/* 导办工作台 — the JSON client of the staff console (/staff/api/*, signed in by cookie).  Draws nothing.
 *   request("/cases", { method: "POST", body: {...} }) → parsed JSON, or throws Error(the server's Chinese
 *     message, with .body = the whole error body); a 401 sends the browser to /staff/login.
 *   api(path, opts) — the same for a view's own data: a GET answered after the user opened another view
 *     (nextRoute() ran since) never settles, so a slow 看板 load that comes back after a click on 批量核对
 *     cannot clear that view and draw the dashboard over it.  ``opts.keep``: not a view's data (nav badge). */
export const API = "/staff/api";
let routeSeq = 0;  // bumped by every route change (main.js)

export function nextRoute() { routeSeq += 1; }

/* opts.body: an object (sent as JSON) or FormData (an upload); opts.noRedirect: on 401 just throw
 * (the 知识库 view shows the message instead of leaving the page). */
export function request(path, opts = {}) {
  const init = { method: opts.method || "GET", credentials: "same-origin", headers: { Accept: "application/json" } };
  if (opts.body instanceof FormData) init.body = opts.body;
  else if (opts.body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(opts.body); }
  return fetch(API + path, init).then(async (res) => {
    if (res.status === 401 && !opts.noRedirect) { location.href = "/staff/login"; throw new Error("请先登录"); }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((body && body.error && body.error.message) || `请求失败（${res.status}）`);
      err.body = body;
      throw err;
    }
    return body;
  });
}

const NEVER = () => new Promise(() => {});

export function api(path, opts = {}) {
  return untilRouteChange(request(path, opts), (opts.method || "GET") === "GET" && !opts.keep);
}

/* A promise that never settles once the user has opened another view since it was made.  A view that waits on
 * several requests guards the whole wait: Promise.all of a guarded /cases and an unguarded /callbacks that
 * came back after a click on 转人工 drew 差评工单 over the new view. */
export function untilRouteChange(promise, applies = true) {
  const seq = routeSeq;
  const stale = () => applies && seq !== routeSeq;
  return promise.then(
    (body) => (stale() ? NEVER() : body),
    (err) => { if (stale()) return NEVER(); throw err; });
}

/* qs({ days: 30, q: "", overdue: false }) → "?days=30": empty, null and false values are left out. */
export function qs(params) {
  const parts = [];
  Object.keys(params).forEach((k) => {
    const v = params[k];
    if (v === null || v === undefined || v === "" || v === false) return;
    parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v));
  });
  return parts.length ? "?" + parts.join("&") : "";
}
