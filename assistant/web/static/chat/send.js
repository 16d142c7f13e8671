/* 便民方舟 导办助手 — sending a question: one at a time (the send button is disabled and says aria-busy
 * while an answer comes in), at most 2,000 characters, with this tab's session id and channel "web".
 * The answer is streamed; when streaming fails (network, a proxy that buffers, a broken stream) the same
 * question is asked again as a plain JSON POST.  A refusal by the server is shown as it is, not retried:
 * the JSON POST would say the same. */
import { ui } from "/web/chat/dom.js";
import { ApiError, streamChat, plainChat } from "/web/chat/api.js";
import { addUserMessage, createAssistantMessage, applyMeta, appendDelta, renderFinal, renderError } from "/web/chat/message.js";
import { getSession } from "/web/chat/session.js";

let busy = false;

export function isBusy() { return busy; }

function setBusy(b) {
  busy = b;
  ui.send.disabled = b;
  ui.send.setAttribute("aria-busy", b ? "true" : "false");
  ui.form.classList.toggle("is-busy", b);
}

export function send(text) {
  text = (text || "").trim();
  if (!text || busy) return;
  if (text.length > 2000) text = text.slice(0, 2000);
  addUserMessage(text);
  setBusy(true);
  const msg = createAssistantMessage();
  const payload = { message: text, session_id: getSession(), channel: "web" };

  streamChat(payload, { meta: (data) => applyMeta(msg, data), delta: (t) => appendDelta(msg, t) })
    .catch((err) => {
      if (err instanceof ApiError) throw err;  // the server said no: the JSON POST would say the same
      // streaming failed (network, proxy buffering, broken stream): ask again without streaming
      msg.text = "";
      const retry = { message: text, session_id: getSession() || payload.session_id, channel: "web" };
      return plainChat(retry);
    })
    .then((body) => { renderFinal(msg, body); })
    .catch((err) => {
      const message = err instanceof ApiError ? err.message : "网络连接失败，请检查网络后重试。";
      renderError(msg, message);
    })
    .then(() => {
      setBusy(false);
      if (!window.matchMedia || !window.matchMedia("(pointer: coarse)").matches) ui.input.focus();
    });
}
