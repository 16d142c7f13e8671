/* The signed-in JSON API of the staff console, for its ES modules (staff_cases.js, staff_bulk.js):
 * api("/cases", { method: "POST", body: {...} }) → parsed JSON, or throws Error(Chinese message);
 * a 401 goes back to the sign-in page. */
export async function api(path, opts = {}) {
  const init = { method: opts.method || "GET", credentials: "same-origin", headers: { Accept: "application/json" } };
  if (opts.body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(opts.body); }
  const res = await fetch("/staff/api" + path, init);
  if (res.status === 401) { location.href = "/staff/login"; throw new Error("请先登录"); }
  const b = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((b && b.error && b.error.message) || `请求失败（${res.status}）`);
  return b;
}
