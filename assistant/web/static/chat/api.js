/* 便民方舟 导办助手 — the chat page's requests.  Draws nothing.
 *   streamChat(payload, {meta, delta}) — POST /v1/chat with Accept: text/event-stream (meta → delta… → done);
 *     resolves with the done event's body, the same object the plain JSON POST returns.
 *   plainChat(payload) — the plain JSON POST, the fallback when streaming fails.
 *   postJson(url, body, failText) / getJson(url) — the 好差评 and 转人工 requests.
 * A refusal by the server (4xx/5xx, an SSE "error" event) rejects with ApiError(its Chinese message, status);
 * anything else that rejects is the network or a broken stream. */
import { readSse } from "/web/chat/sse.js";

const API = "/v1/chat";

export class ApiError {
  constructor(message, status) {
    this.message = message;
    this.status = status;
  }
}

/* The server's {"error": {"message": …}} (or FastAPI's {"detail": "…"}); a status-based sentence otherwise. */
function errorFromResponse(res) {
  return res.text().then((t) => {
    let msg = null;
    try {
      const j = JSON.parse(t);
      if (j && j.error && j.error.message) msg = j.error.message;
      else if (j && typeof j.detail === "string") msg = j.detail;
    } catch (e) { /* not JSON */ }
    if (!msg) {
      msg = res.status >= 500 ? "服务暂时出现问题，请稍后再试，或拨打12345咨询。"
        : "请求没有成功（错误码 " + res.status + "），请换个说法再试。";
    }
    return new ApiError(msg, res.status);
  }, () => new ApiError("服务暂时出现问题，请稍后再试。", res.status));
}

function isChatBody(b) {
  return b && typeof b === "object" && typeof b.answer === "string" && typeof b.kind === "string";
}

function post(payload, accept) {
  const headers = { "Content-Type": "application/json" };
  if (accept) headers.Accept = accept;
  return fetch(API, { method: "POST", headers, body: JSON.stringify(payload) });
}

/* on.meta(data) once the answer's kind, items and citations are known; on.delta(text) per piece of text. */
export function streamChat(payload, on) {
  return post(payload, "text/event-stream").then((res) => {
    if (!res.ok) return errorFromResponse(res).then((err) => { throw err; });
    const ctype = res.headers.get("content-type") || "";
    if (ctype.indexOf("text/event-stream") < 0 || !res.body || !res.body.getReader) {
      // the server answered in one piece
      return res.json().then((body) => {
        if (!isChatBody(body)) throw new Error("unexpected body");
        return body;
      });
    }
    let final = null;
    return readSse(res, (name, data) => {
      if (name === "meta") on.meta(data);
      else if (name === "delta") on.delta(data && data.text);
      else if (name === "done") final = data;
      else if (name === "error" && data && data.error) throw new ApiError(data.error.message, 500);
    }).then(() => {
      if (!isChatBody(final)) throw new Error("stream ended without done");
      return final;
    });
  });
}

export function plainChat(payload) {
  return post(payload, null).then((res) => {
    if (!res.ok) return errorFromResponse(res).then((err) => { throw err; });
    return res.json().then((body) => {
      if (!isChatBody(body)) throw new ApiError("服务返回了无法识别的内容，请稍后再试。", res.status);
      return body;
    });
  });
}

/* POST a JSON body; the parsed answer, or ApiError(the server's message or failText, status). */
export function postJson(url, body, failText) {
  return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body) })
    .then((res) => res.json().catch(() => ({})).then((j) => {
      if (!res.ok) throw new ApiError((j && j.error && j.error.message) || failText, res.status);
      return j;
    }));
}

/* GET JSON: the parsed body, or null when the server says no (a network failure still rejects). */
export function getJson(url) {
  return fetch(url, { headers: { "Accept": "application/json" } })
    .then((res) => (res.ok ? res.json() : null));
}
