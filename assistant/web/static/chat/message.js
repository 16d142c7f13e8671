/* 便民方舟 导办助手 — the messages in the log (#messages).
 * The person's question is a plain bubble.  An answer is an <article id="m3" aria-busy="true"> that starts
 * with the typing dots and fills in as the response arrives: applyMeta (kind, session, items, citations,
 * suggestions), appendDelta (each piece of streamed text), renderFinal (the whole answer, the 好差评 bar,
 * aria-busy="false"; a "handoff" starts polling for the staff's replies) or renderError (role="alert").
 * A clarifying question shows its choices right under the question and folds the rest into
 * "事项详情和出处", so that on a phone the choices are on screen first. */
import { el, ui, scrollToBottom, followAnswer } from "/web/chat/dom.js";
import { answerHtml, citationIndex } from "/web/chat/text.js";
import { renderItems, renderCitations, renderSuggestions } from "/web/chat/render.js";
import { renderRating } from "/web/chat/rating.js";
import { startPolling } from "/web/chat/handoff.js";
import { setSession } from "/web/chat/session.js";

const KINDS = ["guide", "policy", "clarify", "refuse", "handoff", "chitchat"];
const KIND_LABELS = { refuse: "超出服务范围", handoff: "建议转人工" };
let msgCounter = 0;

function setKind(msg, kind) {
  KINDS.forEach((k) => { msg.node.classList.remove("kind-" + k); });
  msg.node.classList.remove("kind-error");
  if (kind) msg.node.classList.add("kind-" + kind);
  msg.node.setAttribute("data-kind", kind || "");
  const label = KIND_LABELS[kind];
  msg.tag.textContent = label || "";
  msg.tag.hidden = !label;
}

/* An empty answer with the typing dots; the returned object holds its parts and what has arrived so far. */
export function createAssistantMessage() {
  msgCounter += 1;
  const id = "m" + msgCounter;
  const tag = el("p", { className: "kind-tag" });
  tag.hidden = true;
  const typing = el("div", { className: "typing", role: "status", "aria-label": "助手正在输入" }, [
    el("span"), el("span"), el("span")
  ]);
  const answer = el("div", { className: "answer" });
  const items = el("div", { className: "items" });
  const cites = el("div", { className: "citations" });
  const chips = el("div", { className: "chips", role: "group" });
  items.hidden = cites.hidden = chips.hidden = true;
  const bubble = el("div", { className: "bubble" }, [tag, typing, answer, items, cites, chips]);
  const node = el("article", { className: "msg assistant", "data-testid": "assistant-msg", id,
    "aria-busy": "true" }, [el("div", { className: "avatar", "aria-hidden": "true", text: "舟" }), bubble]);
  ui.messages.appendChild(node);
  scrollToBottom(true);
  return { id, node, tag, typing, answer, items, cites, chips, bubble, text: "", citations: [] };
}

export function addUserMessage(text) {
  const node = el("article", { className: "msg user", "data-testid": "user-msg" }, [
    el("div", { className: "bubble" }, [el("p", { className: "answer", text })])
  ]);
  ui.messages.appendChild(node);
  scrollToBottom(true);
}

function hideTyping(msg) {
  if (msg.typing && msg.typing.parentNode) msg.typing.parentNode.removeChild(msg.typing);
  msg.typing = null;
}

function renderAnswerText(msg) {
  let text = msg.text;
  if (msg.kind === "clarify" && msg.more) {
    /* a clarifying question: the question, then the choice buttons; the choice lines with their
       sources, the item cards and the citations follow collapsed (choices first on a phone) */
    const cut = text.indexOf("\n");
    msg.moreText.innerHTML = cut < 0 ? "" : answerHtml(text.slice(cut + 1), citationIndex(msg.citations), msg.id);
    text = cut < 0 ? text : text.slice(0, cut);
  }
  msg.answer.innerHTML = answerHtml(text, citationIndex(msg.citations), msg.id);
}

/* Clarify: [question] [choices] [details: lines, item cards, sources]; other kinds keep their order. */
function arrangeClarify(msg, kind) {
  msg.kind = kind;
  if (kind !== "clarify") return;
  if (!msg.more) {
    msg.moreText = el("div", { className: "answer more-text" });
    msg.more = el("details", { className: "more", "data-testid": "clarify-more" },
      [el("summary", { text: "事项详情和出处" }), msg.moreText]);
  }
  msg.bubble.insertBefore(msg.chips, msg.answer.nextSibling);
  msg.bubble.insertBefore(msg.more, msg.chips.nextSibling);
  msg.more.appendChild(msg.items);
  msg.more.appendChild(msg.cites);
}

/* The streamed "meta" event, or the final body: everything but the answer's text. */
export function applyMeta(msg, meta) {
  if (!meta || typeof meta !== "object") return;
  setSession(meta.session_id);
  if (meta.message_id) msg.node.setAttribute("data-message-id", meta.message_id);
  setKind(msg, meta.kind);
  arrangeClarify(msg, meta.kind);
  msg.citations = meta.citations || [];
  renderItems(msg.items, meta.items);
  renderCitations(msg.cites, msg.citations, msg.id);
  renderSuggestions(msg.chips, meta.suggestions, meta.kind);
}

export function appendDelta(msg, text) {
  if (typeof text !== "string" || !text) return;
  hideTyping(msg);
  msg.text += text;
  renderAnswerText(msg);
  followAnswer(msg, false);
}

export function renderFinal(msg, body) {
  hideTyping(msg);
  applyMeta(msg, body);
  msg.text = typeof body.answer === "string" ? body.answer : "";
  renderAnswerText(msg);
  renderRating(msg, body.message_id, body.rating_token);
  msg.node.setAttribute("aria-busy", "false");
  followAnswer(msg, true);
  if (body.kind === "handoff") startPolling();
}

export function renderError(msg, message) {
  hideTyping(msg);
  setKind(msg, null);
  msg.node.classList.add("kind-error");
  msg.node.setAttribute("aria-busy", "false");
  msg.items.hidden = msg.cites.hidden = msg.chips.hidden = true;
  msg.answer.textContent = message || "抱歉，服务暂时出现问题，请稍后再试，或拨打12345咨询。";
  msg.answer.setAttribute("role", "alert");
  followAnswer(msg, true);
}
