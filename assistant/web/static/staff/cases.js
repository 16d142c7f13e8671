/* 导办工作台 — view #cases (差评工单): every 不满意 rating opens a case (1 working day to call back,
 * 15 to fix).  Filters by status, owner, overdue and "mine"; each case with its dues, notes, status and
 * record box, the 回访电话 button (handoffs.js) and the team actions (case_team.js).  Also keeps the
 * nav's 超期 badge up to date. */
import { api, qs, untilRouteChange } from "/web/staff/api.js";
import { el, clear, view, loading, fail, select, toast, toastError, viewHead } from "/web/staff/dom.js";
import { fmtTime, channelLabel } from "/web/staff/format.js";
import { ownerFilter, teamActions } from "/web/staff/case_team.js";
import { callbackRow, loadCallbacks } from "/web/staff/handoffs.js";

const STATUSES = [["待回访", "待回访"], ["整改中", "整改中"], ["已办结", "已办结"]];
let filters = {};

/* The nav's "超期 n" badge, from any /cases answer (its .overdue count). */
export function updateOverdueBadge(b) {
  const badge = document.getElementById("overdue-badge");
  const n = b && typeof b.overdue === "number" ? b.overdue : 0;
  badge.textContent = n ? "超期 " + n : "";
  badge.hidden = !n;
}

function filterBar(b) {
  const f = filters;
  const status = select("c-status", [["", "全部状态"]].concat(STATUSES), f.status, "按状态筛选");
  const overdue = el("input", { type: "checkbox", id: "c-overdue", checked: !!f.overdue });
  const mine = el("input", { type: "checkbox", id: "c-mine", checked: !!f.mine });
  const owner = ownerFilter(f.owner, (v) => { f.owner = v; apply(); });
  function apply() { filters = { status: status.value, overdue: overdue.checked, mine: mine.checked, owner: f.owner }; viewCases(); }
  status.onchange = overdue.onchange = mine.onchange = apply;
  const counts = "待回访 " + b.counts["待回访"] + " · 整改中 " + b.counts["整改中"] + " · 已办结 " + b.counts["已办结"] + " · 超期 " + b.overdue;
  return el("div", { className: "filters inline" }, [status, owner,
    el("label", { className: "check" }, [overdue, " 只看超期"]), el("label", { className: "check" }, [mine, " 只看我的"]),
    el("span", { className: "muted", "data-testid": "case-counts", text: counts })]);
}

export function viewCases() {
  const f = filters;
  loading("差评工单");
  const query = qs({ status: f.status, overdue: f.overdue ? "true" : "", mine: f.mine ? "true" : "", owner: f.owner === "" ? "-" : f.owner });
  untilRouteChange(Promise.all([api("/cases" + query), loadCallbacks()])).then((r) => {
    const b = r[0];
    const v = clear(view());
    updateOverdueBadge(b);
    v.appendChild(viewHead("差评工单",
      el("span", { className: "muted", text: "不满意及以下的评价自动立案：1个工作日内回访，15个工作日内整改。" })));
    v.appendChild(filterBar(b));
    if (!b.cases.length) { v.appendChild(el("p", { className: "empty", text: "没有工单。" })); return; }
    b.cases.forEach((c) => v.appendChild(caseNode(c)));
  }).catch(fail);
}

function caseHead(c) {
  return el("div", { className: "case-head" }, [
    el("span", { className: "status s-" + c.status, text: c.status }),
    c.overdue ? el("span", { className: "badge danger", "data-testid": "case-overdue", text: "超期 · " + c.overdue_reason }) : null,
    el("span", { className: "rating-tag bad", text: c.rating || "" }),
    el("span", { className: "muted", text: channelLabel(c.channel) + " · " + fmtTime(c.created_at) }),
    el("span", { className: "owner", text: "负责人：" + (c.owner || "未分配") })
  ]);
}

function dues(c) {
  return el("p", { className: "dues" }, [
    el("span", { className: c.overdue_reason === "回访超期" ? "due late" : "due", text: "回访期限 " + fmtTime(c.reply_due) + (c.replied_at ? "（已回访 " + fmtTime(c.replied_at) + "）" : "") }),
    el("span", { className: c.overdue_reason === "整改超期" ? "due late" : "due", text: "整改期限 " + fmtTime(c.fix_due) + (c.closed_at ? "（已办结 " + fmtTime(c.closed_at) + "）" : "") })
  ]);
}

/* "2025-03-01 09:30 王芳 【回访成功】 → 整改中 指派 李明：已电话说明" */
function noteLine(n) {
  return fmtTime(n.at) + " " + n.by + (n.outcome ? " 【" + n.outcome + "】" : "") + (n.status ? " → " + n.status : "") +
    (n.owner ? " 指派 " + n.owner : "") + (n.text ? "：" + n.text : "");
}

function caseActions(c) {
  const st = select("case-status-" + c.id, STATUSES, c.status, "工单状态");
  const note = el("input", { type: "text", placeholder: "回访或整改记录", "aria-label": "回访或整改记录", maxlength: "1000" });
  return el("div", { className: "actions" }, [
    el("button", { type: "button", className: "btn", text: "认领", "data-testid": "case-claim",
      onclick: () => updateCase(c.id, { claim: true }) }),
    st, note,
    el("button", { type: "button", className: "btn primary", text: "保存", "data-testid": "case-save",
      onclick: () => updateCase(c.id, { status: st.value, note: note.value }) }),
    c.conversation_id ? el("a", { className: "btn ghost-dark", href: "#conversation/" + encodeURIComponent(c.conversation_id), text: "查看会话" }) : null
  ]);
}

function caseNode(c) {
  const node = el("article", { className: "case" + (c.overdue ? " overdue" : "") + (c.status === "已办结" ? " closed" : ""),
    "data-testid": "case", "data-overdue": c.overdue ? "true" : "false", "data-case-id": c.id });
  const answer = c.answer || "";
  node.appendChild(caseHead(c));
  node.appendChild(el("p", { className: "case-q" }, [el("strong", { text: "问：" }), c.question || "（无）"]));
  node.appendChild(el("p", { className: "case-a muted" }, [el("strong", { text: "答：" }), answer.slice(0, 160) + (answer.length > 160 ? "…" : "")]));
  if ((c.tags || []).length || c.text) node.appendChild(el("p", { className: "case-fb" }, ["评价：" + (c.tags || []).join("、") + (c.text ? " “" + c.text + "”" : "")]));
  node.appendChild(dues(c));
  if ((c.notes || []).length) node.appendChild(el("ul", { className: "notes" }, c.notes.map((n) => el("li", { text: noteLine(n) }))));
  node.appendChild(caseActions(c));
  callbackRow(node, c);
  teamActions(node, c);
  return node;
}

function updateCase(id, body) {
  api("/cases/" + encodeURIComponent(id), { method: "POST", body })
    .then(() => { toast("工单已更新"); viewCases(); })
    .catch(toastError);
}
