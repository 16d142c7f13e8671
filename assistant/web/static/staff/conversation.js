/* 导办工作台 — view #conversation/<id> (会话详情): each question with its answer, kind, items, rating and
 * case; the reviews and curated answers so far; buttons to mark the answer 正确 / 有误 and to write a
 * correction (correction.js); and why it was answered so (trace.js). */
import { api, untilRouteChange } from "/web/staff/api.js";
import { el, clear, view, loading, fail, toast, toastError, answerNode } from "/web/staff/dom.js";
import { fmtTime, kindBadge, channelLabel } from "/web/staff/format.js";
import { loadItems } from "/web/staff/session.js";
import { traceNode } from "/web/staff/trace.js";
import { toggleFix } from "/web/staff/correction.js";

export function viewConversation(id) {
  loading("会话详情");
  untilRouteChange(Promise.all([loadItems(), api("/conversations/" + encodeURIComponent(id))])).then((r) => {
    const c = r[1];
    const v = clear(view());
    v.appendChild(el("div", { className: "view-head" }, [
      el("a", { href: "#conversations", className: "btn ghost-dark", text: "← 返回列表" }),
      el("h2", { text: "会话详情" }),
      el("span", { className: "muted", text: channelLabel(c.channel) + " · " + fmtTime(c.created_at) + " 开始 · " + c.turns.length + " 轮" })
    ]));
    c.turns.forEach((t) => v.appendChild(turnNode(t, id)));
    if (!c.turns.length) v.appendChild(el("p", { className: "empty", text: "这个会话还没有回答。" }));
  }).catch(fail);
}

function answerHead(t) {
  const head = el("div", { className: "a-head" }, [kindBadge(t.kind), el("span", { className: "muted", text: fmtTime(t.created_at) })]);
  if (t.items.length) head.appendChild(el("span", { className: "items-tag", text: "事项：" + t.items.join("、") }));
  if (t.feedback) {
    head.appendChild(el("span", { className: "rating-tag" + (t.feedback.score <= 2 ? " bad" : ""), "data-testid": "turn-rating",
      text: "评价：" + t.feedback.rating + (t.feedback.tags.length ? "（" + t.feedback.tags.join("、") + "）" : "") }));
  }
  if (t.case) {
    head.appendChild(el("a", { href: "#cases", className: "case-tag" + (t.case.overdue ? " overdue" : ""),
      text: "工单：" + t.case.status + (t.case.overdue ? "（超期）" : "") }));
  }
  return head;
}

function curatedEntry(cu) {
  const cites = (cu.citations || []).map((c) => (c.missing ? c.chunk_id : c.title + " · " + c.section)).join("；") || "无";
  return el("div", { className: "curated-box" + (cu.active ? "" : " inactive"), "data-testid": "curated-entry" }, [
    el("strong", { text: (cu.active ? "已生效的人工审核答案" : "已停用的人工审核答案") + "（" + cu.created_by + "）：" }),
    el("p", { text: cu.answer }), el("p", { className: "muted small", text: "引用：" + cites })]);
}

/* The reviews and curated answers so far. */
function history(t) {
  const box = el("div", { className: "history", "data-testid": "turn-history" });
  t.reviews.forEach((rv) => {
    box.appendChild(el("p", { className: "review " + rv.verdict, "data-testid": "review" },
      [(rv.verdict === "correct" ? "✓ 正确" : "✗ 有误") + " · " + rv.staff + " · " + fmtTime(rv.at) + (rv.reason ? " · " + rv.reason : "")]));
  });
  t.curated.forEach((cu) => box.appendChild(curatedEntry(cu)));
  return box;
}

function reviewActions(node, t, convId) {
  const reason = el("input", { type: "text", placeholder: "理由（标记有误时必填）", "aria-label": "核对理由", maxlength: "500", "data-testid": "review-reason" });
  return el("div", { className: "actions" }, [
    el("button", { type: "button", className: "btn ok", text: "✓ 回答正确", "data-testid": "mark-correct",
      onclick: () => review(t, "correct", reason.value, convId) }),
    el("button", { type: "button", className: "btn bad", text: "✗ 回答有误", "data-testid": "mark-wrong",
      onclick: () => review(t, "wrong", reason.value, convId) }),
    reason,
    el("button", { type: "button", className: "btn primary", text: "写更正答案", "data-testid": "open-fix",
      onclick: () => toggleFix(node, t, () => viewConversation(convId)) })
  ]);
}

function turnNode(t, convId) {
  const node = el("article", { className: "turn", "data-testid": "turn", "data-message-id": t.id, id: "turn-" + t.id });
  node.appendChild(el("div", { className: "q" }, [el("span", { className: "who-tag", text: "问" }), el("p", { text: t.question || "（无）" })]));
  node.appendChild(el("div", { className: "a" }, [el("span", { className: "who-tag a-tag", text: "答" }),
    el("div", { className: "a-body" }, [answerHead(t), answerNode(t.answer)])]));
  if (t.feedback && t.feedback.text) node.appendChild(el("p", { className: "fb-text", text: "评价内容：" + t.feedback.text }));
  node.appendChild(history(t));
  node.appendChild(reviewActions(node, t, convId));
  node.appendChild(traceNode(t));
  return node;
}

function review(t, verdict, reason, convId) {
  api("/messages/" + encodeURIComponent(t.id) + "/review", { method: "POST", body: { verdict, reason } })
    .then(() => { toast(verdict === "correct" ? "已标记为正确" : "已标记为有误"); viewConversation(convId); })
    .catch(toastError);
}
