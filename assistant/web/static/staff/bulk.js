/* 导办工作台 — view #bulk (批量核对): select answers by date, item, kind, rating and review, tick many,
 * mark them 回答正确 in one go, or export the selection to Excel (assistant/web/staff/bulk.py). */
import { request, qs } from "/web/staff/api.js";
import { el, clear, field, select, viewHead } from "/web/staff/dom.js";

const KINDS = [["", "全部类型"], ["guide", "办事指南"], ["policy", "政策法规"], ["clarify", "请选择事项"], ["refuse", "拒答"], ["handoff", "转人工"]];
const RATINGS = [["", "全部评价"], ["bad", "不满意及以下"], ["good", "基本满意及以上"], ["rated", "已评价"], ["unrated", "未评价"]];
const REVIEWS = [["unreviewed", "未核对"], ["", "全部"], ["correct", "正确"], ["wrong", "有误"]];
const KIND_TEXT = Object.fromEntries(KINDS);
const REVIEW_TEXT = { correct: "正确", wrong: "有误" };
let filters = { review: "unreviewed" };

function filterForm(view) {
  const start = el("input", { type: "date", id: "b-start", value: filters.start || "" });
  const end = el("input", { type: "date", id: "b-end", value: filters.end || "" });
  const item = el("input", { type: "text", id: "b-item", "data-testid": "b-item", value: filters.item || "", placeholder: "事项名称或编号" });
  const kind = select("b-kind", KINDS, filters.kind);
  const rating = select("b-rating", RATINGS, filters.rating);
  const review = select("b-review", REVIEWS, filters.review);
  const form = el("form", { className: "filters", "data-testid": "bulk-filters" }, [
    field("开始日期", start), field("结束日期", end), field("事项", item), field("类型", kind), field("评价", rating),
    field("核对", review),
    el("div", { className: "filter-actions" }, [el("button", { type: "submit", className: "btn primary", text: "选出", "data-testid": "bulk-search" })])]);
  form.onsubmit = (e) => {
    e.preventDefault();
    filters = { start: start.value, end: end.value, item: item.value.trim(), kind: kind.value, rating: rating.value, review: review.value };
    viewBulk(view);
  };
  return form;
}

function markButton(view, boxes, status) {
  const mark = el("button", { type: "button", className: "btn ok", text: "✓ 标记所选为回答正确", "data-testid": "bulk-mark" });
  mark.onclick = async () => {
    const ids = boxes.filter((x) => x.checked).map((x) => x.value);
    if (!ids.length) { status.textContent = "请先勾选要标记的回答"; return; }
    mark.disabled = true;
    try {
      const r = await request("/bulk/review", { method: "POST", body: { message_ids: ids, verdict: "correct" } });
      status.textContent = `已标记 ${r.marked} 条为回答正确`;
      setTimeout(() => viewBulk(view), 600);
    } catch (e) { status.textContent = e.message; mark.disabled = false; }
  };
  return mark;
}

function table(turns, boxes) {
  const tbody = el("tbody");
  turns.forEach((t, i) => tbody.appendChild(el("tr", { "data-testid": "bulk-row" }, [
    el("td", {}, [boxes[i]]), el("td", { text: (t.at || "").slice(0, 16).replace("T", " ") }),
    el("td", { text: t.question }), el("td", { className: "small", text: (t.answer || "").slice(0, 120) }),
    el("td", { text: KIND_TEXT[t.kind] || t.kind }), el("td", { text: t.items.join("、") }),
    el("td", { text: t.rating || "—" }), el("td", { text: REVIEW_TEXT[t.review] || "未核对" })])));
  return el("table", { className: "table", "data-testid": "bulk-table" }, [
    el("thead", {}, [el("tr", {}, ["", "时间", "问题", "回答", "类型", "事项", "评价", "核对"].map((h) => el("th", { scope: "col", text: h || "选择" })))]),
    tbody]);
}

function results(view, b, out) {
  const all = el("input", { type: "checkbox", "data-testid": "bulk-all", "aria-label": "全选" });
  const boxes = b.turns.map((t) => el("input", { type: "checkbox", value: t.id, "data-testid": "bulk-pick", "aria-label": "选择：" + (t.question || "（无问题）") }));
  all.onchange = () => boxes.forEach((x) => { x.checked = all.checked; });
  const status = el("p", { className: "muted", role: "status", "data-testid": "bulk-status",
    text: `共 ${b.total} 条` + (b.total > b.turns.length ? `，显示前 ${b.turns.length} 条` : "") });
  const exportLink = el("a", { className: "btn", href: "/staff/api/bulk/export.xlsx" + qs(filters), "data-testid": "bulk-export",
    text: "导出 Excel", download: "answers.xlsx" });
  out.appendChild(el("div", { className: "actions" }, [el("label", { className: "check" }, [all, " 全选"]), markButton(view, boxes, status), exportLink]));
  out.appendChild(status);
  if (!b.turns.length) { out.appendChild(el("p", { className: "empty", text: "没有符合条件的回答。" })); return; }
  out.appendChild(table(b.turns, boxes));
}

export async function viewBulk(view) {
  clear(view);
  view.appendChild(viewHead("批量核对",
    el("span", { className: "muted", text: "按条件选出回答，逐条看过后勾选，一次标记为回答正确；也可导出为 Excel。" })));
  view.appendChild(filterForm(view));
  const out = el("div", { "data-testid": "bulk-out" });
  view.appendChild(out);
  let b;
  try { b = await request("/bulk/turns" + qs(filters)); } catch (e) { out.appendChild(el("p", { className: "form-error", role: "alert", text: e.message })); return; }
  results(view, b, out);
}
