/* 导办工作台 — 批量核对 (#bulk): select answers by date, item, kind and rating, tick many, mark them 回答正确,
 * export the selection to Excel (assistant/staff_bulk.py).  A native ES module; staff.js routes #bulk to
 * Daoban.viewBulk(view).  Server text goes in with textContent only (Daoban.el). */
import { api } from "/web/staff_api.js";

const D = window.Daoban;
const el = D.el;
const KINDS = [["", "全部类型"], ["guide", "办事指南"], ["policy", "政策法规"], ["clarify", "请选择事项"], ["refuse", "拒答"], ["handoff", "转人工"]];
const RATINGS = [["", "全部评价"], ["bad", "不满意及以下"], ["good", "基本满意及以上"], ["rated", "已评价"], ["unrated", "未评价"]];
const REVIEWS = [["unreviewed", "未核对"], ["", "全部"], ["correct", "正确"], ["wrong", "有误"]];
const KIND_TEXT = Object.fromEntries(KINDS);
const REVIEW_TEXT = { correct: "正确", wrong: "有误" };
let filters = { review: "unreviewed" };


function query(f) {
  const p = new URLSearchParams();
  Object.entries(f).forEach(([k, v]) => { if (v) p.set(k, v); });
  const s = p.toString();
  return s ? "?" + s : "";
}

function field(label, input) { return el("label", { className: "field" }, [el("span", { text: label }), input]); }

function choice(id, options, value) {
  const s = el("select", { id, "data-testid": id });
  options.forEach(([v, t]) => s.appendChild(el("option", { value: v, text: t, selected: v === (value || "") })));
  return s;
}

D.viewBulk = async function (view) {
  while (view.firstChild) view.removeChild(view.firstChild);
  view.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "批量核对" }),
    el("span", { className: "muted", text: "按条件选出回答，逐条看过后勾选，一次标记为回答正确；也可导出为 Excel。" })]));
  const start = el("input", { type: "date", id: "b-start", value: filters.start || "" });
  const end = el("input", { type: "date", id: "b-end", value: filters.end || "" });
  const item = el("input", { type: "text", id: "b-item", "data-testid": "b-item", value: filters.item || "", placeholder: "事项名称或编号" });
  const kind = choice("b-kind", KINDS, filters.kind);
  const rating = choice("b-rating", RATINGS, filters.rating);
  const review = choice("b-review", REVIEWS, filters.review);
  const form = el("form", { className: "filters", "data-testid": "bulk-filters" }, [
    field("开始日期", start), field("结束日期", end), field("事项", item), field("类型", kind), field("评价", rating),
    field("核对", review),
    el("div", { className: "filter-actions" }, [el("button", { type: "submit", className: "btn primary", text: "选出", "data-testid": "bulk-search" })])]);
  form.onsubmit = (e) => {
    e.preventDefault();
    filters = { start: start.value, end: end.value, item: item.value.trim(), kind: kind.value, rating: rating.value, review: review.value };
    D.viewBulk(view);
  };
  view.appendChild(form);
  const out = el("div", { "data-testid": "bulk-out" });
  view.appendChild(out);
  let b;
  try { b = await api("/bulk/turns" + query(filters)); } catch (e) { out.appendChild(el("p", { className: "form-error", role: "alert", text: e.message })); return; }
  const all = el("input", { type: "checkbox", "data-testid": "bulk-all", "aria-label": "全选" });
  const boxes = b.turns.map((t) => el("input", { type: "checkbox", value: t.id, "data-testid": "bulk-pick", "aria-label": "选择：" + (t.question || "（无问题）") }));
  all.onchange = () => boxes.forEach((x) => { x.checked = all.checked; });
  const status = el("p", { className: "muted", role: "status", "data-testid": "bulk-status",
    text: `共 ${b.total} 条` + (b.total > b.turns.length ? `，显示前 ${b.turns.length} 条` : "") });
  const mark = el("button", { type: "button", className: "btn ok", text: "✓ 标记所选为回答正确", "data-testid": "bulk-mark" });
  mark.onclick = async () => {
    const ids = boxes.filter((x) => x.checked).map((x) => x.value);
    if (!ids.length) { status.textContent = "请先勾选要标记的回答"; return; }
    mark.disabled = true;
    try {
      const r = await api("/bulk/review", { method: "POST", body: { message_ids: ids, verdict: "correct" } });
      status.textContent = `已标记 ${r.marked} 条为回答正确`;
      setTimeout(() => D.viewBulk(view), 600);
    } catch (e) { status.textContent = e.message; mark.disabled = false; }
  };
  const exportLink = el("a", { className: "btn", href: "/staff/api/bulk/export.xlsx" + query(filters), "data-testid": "bulk-export",
    text: "导出 Excel", download: "answers.xlsx" });
  out.appendChild(el("div", { className: "actions" }, [el("label", { className: "check" }, [all, " 全选"]), mark, exportLink]));
  out.appendChild(status);
  if (!b.turns.length) { out.appendChild(el("p", { className: "empty", text: "没有符合条件的回答。" })); return; }
  const tbody = el("tbody");
  b.turns.forEach((t, i) => tbody.appendChild(el("tr", { "data-testid": "bulk-row" }, [
    el("td", {}, [boxes[i]]), el("td", { text: (t.at || "").slice(0, 16).replace("T", " ") }),
    el("td", { text: t.question }), el("td", { className: "small", text: (t.answer || "").slice(0, 120) }),
    el("td", { text: KIND_TEXT[t.kind] || t.kind }), el("td", { text: t.items.join("、") }),
    el("td", { text: t.rating || "—" }), el("td", { text: REVIEW_TEXT[t.review] || "未核对" })])));
  out.appendChild(el("table", { className: "table", "data-testid": "bulk-table" }, [
    el("thead", {}, [el("tr", {}, ["", "时间", "问题", "回答", "类型", "事项", "评价", "核对"].map((h) => el("th", { scope: "col", text: h || "选择" })))]),
    tbody]));
};
