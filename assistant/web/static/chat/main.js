/* 便民方舟 导办助手 — the chat page's entry module (index.html loads it with <script type="module">, after
 * common.js).  Native ES modules, no build step, no CDN; the only HTML built from strings is an answer's
 * escaped text (text.js).  Here: the composer (Enter sends, Shift+Enter is a new line, never while an IME is
 * composing; the box grows to 140 px), clicks in the log (example chips, suggestions and clarify choices are
 * sent as questions; [n] opens and highlights its source), "新对话", and the start of the page:
 *   send.js     one question → one answer (stream, or JSON when streaming fails)
 *   message.js  the messages in the log; render.js items, citations, chips; text.js an answer's HTML
 *   rating.js   好差评 · handoff.js 转人工 replies · session.js sessionStorage · pii.js the personal-data warning
 *   api.js, sse.js  the requests · dom.js the page's elements and scrolling */
import { ui, bindUi } from "/web/chat/dom.js";
import { send, isBusy } from "/web/chat/send.js";
import { warnPersonalData } from "/web/chat/pii.js";
import { loadRatingOptions } from "/web/chat/rating.js";
import { resumePolling, stopPolling } from "/web/chat/handoff.js";
import { clearSession } from "/web/chat/session.js";

function autoGrow() {
  ui.input.style.height = "auto";
  ui.input.style.height = Math.min(ui.input.scrollHeight, 140) + "px";
}

function wireComposer() {
  ui.form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (isBusy()) return;
    const text = ui.input.value;
    if (!text.trim()) { ui.input.focus(); return; }
    ui.input.value = "";
    autoGrow();
    warnPersonalData();
    send(text);
  });
  ui.input.addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter is a new line; never send while an IME is composing (拼音 input)
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (typeof ui.form.requestSubmit === "function") ui.form.requestSubmit();
      else ui.form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  ui.input.addEventListener("input", autoGrow);
  ui.input.addEventListener("input", warnPersonalData);
}

/* A click on [n] in an answer: open that message's source n, flash it and put the focus on it. */
function openCitation(ref) {
  const msgNode = ref.closest(".msg");
  const target = msgNode && msgNode.querySelector('details.citation[data-n="' + ref.getAttribute("data-cite") + '"]');
  if (!target) return;
  target.open = true;
  target.classList.remove("flash");
  void target.offsetWidth;  // restart the highlight animation
  target.classList.add("flash");
  target.scrollIntoView({ behavior: "smooth", block: "nearest" });
  const summary = target.querySelector("summary");
  if (summary) summary.focus({ preventScroll: true });
}

/* chips (examples, suggestions, clarify choices) and [n] citation links */
function onLogClick(e) {
  const chip = e.target.closest && e.target.closest("button.chip");
  if (chip && ui.messages.contains(chip)) {
    e.preventDefault();
    send(chip.textContent);
    return;
  }
  const ref = e.target.closest && e.target.closest("a[data-cite]");
  if (ref) {
    e.preventDefault();
    openCitation(ref);
  }
}

/* 新对话: forget the session (and any 转人工 polling) and keep only the welcome message. */
function newChat() {
  if (isBusy()) return;
  stopPolling();
  clearSession();
  ui.messages.querySelectorAll(".msg:not(.welcome)").forEach((n) => { n.parentNode.removeChild(n); });
  ui.input.value = "";
  autoGrow();
  ui.input.focus();
}

function init() {
  // inside the widget's frame (widget.js opens /?embed=1) the panel already says who we are
  if (/[?&]embed=1(&|$)/.test(location.search)) document.body.classList.add("embedded");
  bindUi();
  wireComposer();
  // index.html ships the send button disabled: a click before the submit handler exists would make the browser
  // submit the form itself (a reload that loses the question).  It is enabled once the handler is attached.
  ui.send.disabled = false;
  ui.messages.addEventListener("click", onLogClick);
  loadRatingOptions();
  resumePolling();
  document.getElementById("new-chat").addEventListener("click", newChat);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
