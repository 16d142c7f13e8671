/* 便民方舟 导办助手 — the chat page's own elements and how the log scrolls.  Draws no message.
 *   ui.messages (#messages, the log), ui.input (#chat-input), ui.send (#chat-send), ui.form (#composer),
 *   ui.chat (#chat, the scrolling area): looked up once by bindUi() when the page starts (main.js).
 * Server text goes in with el() (textContent, from common.js); only text.js's escaped HTML uses innerHTML. */
export const el = window.Daoban.el;  // common.js (a classic script loaded before the modules)

export const ui = { messages: null, input: null, send: null, form: null, chat: null };

export function bindUi() {
  ui.messages = document.getElementById("messages");
  ui.input = document.getElementById("chat-input");
  ui.send = document.getElementById("chat-send");
  ui.form = document.getElementById("composer");
  ui.chat = document.getElementById("chat");
}

/* Follow the log down when a message is added (force), or when the reader is already near its end. */
export function scrollToBottom(force) {
  const chat = ui.chat;
  const near = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 160;
  if (force || near) chat.scrollTop = chat.scrollHeight;
}

/* Where the answer in ``node`` starts, in the chat's scroll coordinates (a little air above it). */
function answerTop(node) {
  const chat = ui.chat;
  return Math.max(0, node.getBoundingClientRect().top - chat.getBoundingClientRect().top + chat.scrollTop - 8);
}

/* While an answer streams in, follow it down, but never past its own first line; once it has
 * settled, bring its start to the top of the view (a long answer is read from the beginning,
 * not from the previous answer's sources or the end of this one). */
export function followAnswer(msg, settled) {
  const top = answerTop(msg.node);
  const bottom = ui.chat.scrollHeight - ui.chat.clientHeight;
  if (settled) jumpTo(top);
  else ui.chat.scrollTop = Math.min(bottom, top);
}

/* Scroll the chat to ``top`` at once, not with the chat's smooth scrolling: when an answer settles
 * (aria-busy="false") its start and a clarifying question's choices are already on screen, instead of
 * half-way through a smooth scroll that a slow phone (or a busy machine) has not finished. */
function jumpTo(top) {
  const chat = ui.chat;
  const prev = chat.style.scrollBehavior;
  chat.style.scrollBehavior = "auto";
  try { chat.scrollTo({ top, behavior: "instant" }); } catch (e) { chat.scrollTop = top; }
  chat.style.scrollBehavior = prev;
}
