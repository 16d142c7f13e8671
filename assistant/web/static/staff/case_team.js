/* 导办工作台 — 差评工单 as a team tool (assistant/web/staff/cases.py), drawn into other views:
 *   teamActions(node, case)     — on each open case (cases.js): 指派给 a colleague, and record what happened
 *                                 (回访成功 / 无法联系 / 已整改) with the note typed in the case's record box;
 *   ownerFilter(value, onpick)  — the 负责人 filter of the case list;
 *   overdueList(view)           — the overdue cases and the link to today's digest on the 看板. */
import { request } from "/web/staff/api.js";
import { el, toast } from "/web/staff/dom.js";

const OUTCOMES = [["回访成功", "联系上了，已说明情况"], ["无法联系", "电话没有接通：不算已回访"], ["已整改", "问题已改正，办结工单"]];
let staffList = null;

function colleagues() {
  staffList = staffList || request("/staff").then((b) => b.staff.filter((u) => u.active).map((u) => u.username));
  return staffList;
}

/* Say what happened and draw the current view again (the case list, with the change). */
function rerender(message, bad) {
  toast(message, bad, 3000);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

function assignControls(c) {
  const who = el("select", { "aria-label": "指派给", "data-testid": "case-assignee" }, [el("option", { value: "", text: "指派给…" })]);
  colleagues().then((names) => names.forEach((n) => who.appendChild(el("option", { value: n, text: n, selected: n === c.owner }))));
  const assign = el("button", { type: "button", className: "btn", text: "指派", "data-testid": "case-assign" });
  assign.onclick = () => {
    if (!who.value) { who.focus(); return; }
    request(`/cases/${encodeURIComponent(c.id)}`, { method: "POST", body: { owner: who.value } })
      .then(() => rerender(`已指派给 ${who.value}`), (e) => rerender(e.message, true));
  };
  return [who, assign];
}

export function teamActions(node, c) {
  if (c.status === "已办结") return;
  const note = node.querySelector(".actions input[type=text]");
  const buttons = OUTCOMES.map(([o, help]) => el("button", {
    type: "button", className: "btn" + (o === "无法联系" ? "" : " ok"), text: o, title: help, "data-testid": "case-outcome",
    "data-outcome": o,
    onclick: () => request(`/cases/${encodeURIComponent(c.id)}/outcome`, { method: "POST", body: { outcome: o, note: note ? note.value : "" } })
      .then(() => rerender(`已记录：${o}`), (e) => rerender(e.message, true)),
  }));
  node.appendChild(el("div", { className: "actions team", role: "group", "aria-label": "指派与结果" },
    [...assignControls(c), el("span", { className: "muted", text: "结果（连同上面的记录）：" }), ...buttons]));
}

/* value: a username, "" (未分配) or null (全部负责人); onpick gets the same. */
export function ownerFilter(value, onpick) {
  const s = el("select", { id: "c-owner", "data-testid": "c-owner", "aria-label": "按负责人筛选" }, [
    el("option", { value: "*", text: "全部负责人" }), el("option", { value: "", text: "未分配", selected: value === "" })]);
  colleagues().then((names) => names.forEach((n) => s.appendChild(el("option", { value: n, text: n, selected: n === value }))));
  s.onchange = () => onpick(s.value === "*" ? null : s.value);
  return s;
}

function overdueItems(d) {
  const ul = el("ul", { className: "notes" });
  d.overdue.forEach((c) => ul.appendChild(el("li", { "data-testid": "dash-overdue-case" }, [
    el("span", { className: "badge danger", text: c.overdue_reason }), " ",
    el("a", { href: "#cases", text: c.question || "（无问题文本）" }),
    ` · ${c.status} · 负责人 ${c.owner || "未分配"}`])));
  return ul;
}

export function overdueList(view) {
  const box = el("section", { className: "card overdue-list", "data-testid": "dash-overdue" }, [el("h3", { text: "超期工单" })]);
  view.appendChild(box);
  request("/digest").then((d) => {
    if (!d.overdue.length) box.appendChild(el("p", { className: "muted", text: "没有超期工单。" }));
    else box.appendChild(overdueItems(d));
    box.appendChild(el("p", {}, [`未办结 ${d.open} 件，未分配 ${d.unassigned} 件 · `,
      el("a", { href: "/staff/digest", "data-testid": "digest-link", text: "查看今日日报" })]));
  }).catch((e) => box.appendChild(el("p", { className: "form-error", text: e.message })));
}
