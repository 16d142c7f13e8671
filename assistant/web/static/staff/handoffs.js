/* 导办工作台 — view #handoffs (转人工, assistant/web/staff/handoff.py): the conversations where someone
 * asked for a person, one of them with its messages and a reply box; and, on each 差评工单, the
 * "查看回访电话" button where the person left a number (callbackRow). */
import { request } from "/web/staff/api.js";
import { el, clear, viewHead } from "/web/staff/dom.js";
import { fmtUtc, channelLabel } from "/web/staff/format.js";

let withNumber = {};  // case ids that have a 回访 number (never the number itself)

function failIn(view) { return (e) => view.appendChild(el("p", { className: "form-error", text: e.message })); }

function handoffNode(h) {
  return el("article", { className: "case" + (h.status === "已关闭" ? " closed" : ""), "data-testid": "handoff" }, [
    el("div", { className: "case-head" }, [el("span", { className: "status", text: h.status }),
      el("span", { className: "muted", text: channelLabel(h.channel) + " · " + fmtUtc(h.requested_at) + " · " + h.turns + " 句" }),
      el("span", { className: "owner", text: "处理人：" + (h.owner || "未处理") })]),
    el("p", { className: "case-q" }, [el("strong", { text: "最后一句：" }), h.last_question]),
    el("div", { className: "actions" }, [el("a", { className: "btn primary", "data-testid": "handoff-open",
      href: "#handoffs/" + encodeURIComponent(h.conversation_id), text: "查看并回复" })])
  ]);
}

function list(view) {
  clear(view);
  view.appendChild(viewHead("转人工",
    el("span", { className: "muted", text: "说了“转人工”的会话。回复会显示在对方的网页或小程序对话里（对方页面打开时）。" })));
  request("/handoffs").then((b) => {
    if (!b.handoffs.length) { view.appendChild(el("p", { className: "empty", text: "没有转人工的会话。" })); return; }
    b.handoffs.forEach((h) => view.appendChild(handoffNode(h)));
  }).catch(failIn(view));
}

function messageLog(h) {
  const log = el("div", { className: "handoff-log" });
  h.messages.forEach((m) => {
    log.appendChild(el("p", { className: "turn " + m.role }, [el("strong", { text: m.role === "user" ? "问：" : "答：" }), m.text]));
  });
  h.replies.forEach((r) => {
    log.appendChild(el("p", { className: "turn staff", "data-testid": "handoff-reply" }, [el("strong", { text: r.staff + "：" }), r.text]));
  });
  return log;
}

function replyBox(view, id) {
  const box = el("textarea", { rows: "3", maxlength: "1000", "data-testid": "handoff-text", "aria-label": "回复内容", placeholder: "回复内容（会显示在对方的对话里）" });
  const send = () => {
    if (!box.value.trim()) return;
    request("/handoffs/" + encodeURIComponent(id) + "/reply", { method: "POST", body: { text: box.value } })
      .then(() => one(view, id)).catch(failIn(view));
  };
  const close = () => request("/handoffs/" + encodeURIComponent(id) + "/close", { method: "POST", body: {} })
    .then(() => { location.hash = "#handoffs"; }).catch(failIn(view));
  return el("div", { className: "actions" }, [box,
    el("button", { type: "button", className: "btn primary", "data-testid": "handoff-send", text: "发送回复", onclick: send }),
    el("button", { type: "button", className: "btn", text: "关闭", onclick: close })]);
}

function one(view, id) {
  clear(view);
  request("/handoffs/" + encodeURIComponent(id)).then((h) => {
    view.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "转人工会话" }),
      el("a", { href: "#handoffs", className: "btn ghost-dark", text: "返回列表" })]));
    view.appendChild(messageLog(h));
    if (h.channel === "wechat" || h.channel === "api") {  // only the web page and the mini-program show replies
      view.appendChild(el("p", { className: "form-error", text: "这位群众来自" + channelLabel(h.channel) + "，看不到这里的回复，请通过其他方式联系。" }));
    }
    view.appendChild(replyBox(view, id));
  }).catch(failIn(view));
}

/* #handoffs → the list; #handoffs/<conversation id> → that conversation. */
export function viewHandoffs(view, id) { return id ? one(view, id) : list(view); }

/* 差评工单: a "查看回访电话" button where the person left a number; the number is fetched only on
 * request and only the assigned staff member gets it. */
export function callbackRow(node, c) {
  if (!withNumber[c.id] || c.status === "已办结") return;
  const out = el("span", { className: "muted", "data-testid": "callback-phone" });
  const show = () => request("/cases/" + encodeURIComponent(c.id) + "/callback").then((b) => {
    clear(out);
    out.appendChild(el("a", { href: "tel:" + b.phone, text: b.phone }));
  }).catch((e) => { out.textContent = e.message; });
  node.appendChild(el("p", { className: "callback-row" }, [
    el("button", { type: "button", className: "btn", "data-testid": "callback-show", text: "查看回访电话", onclick: show }), " ", out]));
}

/* Which cases have a 回访 number (before the case list is drawn); on error the button is just not shown. */
export function loadCallbacks() {
  return request("/callbacks").then((b) => {
    withNumber = {};
    (b.cases || []).forEach((id) => { withNumber[id] = true; });
  }).catch(() => {});
}
