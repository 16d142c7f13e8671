/* 便民方舟 导办助手 — 转人工: after an answer of kind "handoff" the page asks the 导办台 for the staff's
 * replies (GET /v1/chat/{session}/staff-replies?after=<last reply id>) every 4 s (12 s while the tab is
 * hidden), for at most two hours or until the case is "已关闭", and shows each reply as a message
 * "导办台工作人员" with the avatar 人.  A reload of the tab resumes (session.js keeps the handoff). */
import { el, ui, scrollToBottom } from "/web/chat/dom.js";
import { answerHtml } from "/web/chat/text.js";
import { getJson } from "/web/chat/api.js";
import { getSession, markHandoff, clearHandoff, handoffPending } from "/web/chat/session.js";

const POLL_MS = 4000, POLL_FOR_MS = 2 * 3600 * 1000;
let poll = null;  // {after: last reply id shown, timer, since: when polling started (ms)}

export function startPolling() {
  markHandoff();
  if (!poll) poll = { after: 0, timer: null, since: Date.now() };
  if (!poll.timer) poll.timer = setTimeout(pollOnce, 500);
}

export function stopPolling() {
  if (poll && poll.timer) clearTimeout(poll.timer);
  poll = null;
  clearHandoff();
}

/* At page start: keep polling when this tab's conversation was handed over before a reload. */
export function resumePolling() {
  if (handoffPending()) startPolling();
}

function pollOnce() {
  const sid = getSession();
  if (!poll) return;
  poll.timer = null;
  if (!sid || Date.now() - poll.since > POLL_FOR_MS) { stopPolling(); return; }
  getJson("/v1/chat/" + encodeURIComponent(sid) + "/staff-replies?after=" + poll.after)
    .then((b) => {
      if (!poll || !b) return;
      (b.replies || []).forEach((r) => {
        poll.after = Math.max(poll.after, r.id);
        addStaffMessage(r);
      });
      if (b.status === "已关闭") stopPolling();
    })
    .catch(() => { /* offline for a moment: try again */ })
    .then(() => { if (poll && !poll.timer) poll.timer = setTimeout(pollOnce, document.hidden ? POLL_MS * 3 : POLL_MS); });
}

function addStaffMessage(r) {
  const answer = el("div", { className: "answer" });
  answer.innerHTML = answerHtml(r.text || "", {}, "staff" + r.id);
  const node = el("article", { className: "msg assistant staff-reply", "data-testid": "staff-msg" }, [
    el("div", { className: "avatar", "aria-hidden": "true", text: "人" }),
    el("div", { className: "bubble" }, [el("p", { className: "kind-tag", text: r.from || "导办台工作人员" }), answer])
  ]);
  ui.messages.appendChild(node);
  scrollToBottom(true);
}
