/* 导办工作台 — view #conversations (会话记录): filter the log by date, channel, kind, rating, item, review
 * and a keyword; one row per conversation (questions, kinds, items, worst rating, reviews), a page at a time;
 * a row opens #conversation/<id>. */
import { api, qs } from "/web/staff/api.js";
import { el, clear, view, loading, fail, field, select } from "/web/staff/dom.js";
import { KIND_LABELS, fmtTime, kindBadge, channelLabel } from "/web/staff/format.js";
import { loadItems, itemSelect } from "/web/staff/session.js";

const RATINGS = [["", "全部"], ["bad", "不满意及以下"], ["good", "基本满意及以上"], ["rated", "已评价"], ["unrated", "未评价"],
  ["非常满意", "非常满意"], ["满意", "满意"], ["基本满意", "基本满意"], ["不满意", "不满意"], ["非常不满意", "非常不满意"]];
let filters = {};

function filterForm(list) {
  const f = filters;
  const form = el("form", { className: "filters", "data-testid": "conv-filters" }, [
    field("开始日期", el("input", { type: "date", id: "f-start", value: f.start || "" })),
    field("结束日期", el("input", { type: "date", id: "f-end", value: f.end || "" })),
    field("渠道", select("f-channel", [["", "全部"], ["web", "网页"], ["wechat", "公众号"], ["miniprogram", "小程序"]], f.channel)),
    field("类型", select("f-kind", [["", "全部"]].concat(Object.keys(KIND_LABELS).map((k) => [k, KIND_LABELS[k]])), f.kind)),
    field("评价", select("f-rating", RATINGS, f.rating)),
    field("事项", itemSelect("f-item", f.item, "全部事项")),
    field("核对", select("f-review", [["", "全部"], ["unreviewed", "未核对"], ["correct", "正确"], ["wrong", "有误"]], f.review)),
    field("关键词", el("input", { type: "search", id: "f-q", value: f.q || "", placeholder: "问题或回答中的词", "data-testid": "f-q" })),
    el("div", { className: "filter-actions" }, [el("button", { type: "submit", className: "btn primary", text: "筛选", "data-testid": "conv-search" })])
  ]);
  const value = (id) => form.querySelector("#" + id).value;
  form.onsubmit = (e) => {
    e.preventDefault();
    filters = { start: value("f-start"), end: value("f-end"), channel: value("f-channel"), kind: value("f-kind"),
      rating: value("f-rating"), item: value("f-item"), review: value("f-review"), q: value("f-q"), page: 1 };
    loadList(list);
  };
  return form;
}

export function viewConversations() {
  loading("会话记录");
  loadItems().then(() => {
    const v = clear(view());
    v.appendChild(el("h2", { text: "会话记录" }));
    const list = el("div", { id: "conv-list" });
    v.appendChild(filterForm(list));
    v.appendChild(list);
    loadList(list);
  }).catch(fail);
}

function row(c) {
  const open = () => { location.hash = "#conversation/" + encodeURIComponent(c.id); };
  const bad = c.worst_score !== null && c.worst_score <= 2;
  const kinds = el("span", { className: "kinds" });
  Object.keys(c.kinds).forEach((k) => kinds.appendChild(kindBadge(k)));
  const tr = el("tr", { className: "clickable" + (bad ? " bad-row" : ""), "data-testid": "conv-row", tabindex: "0" }, [
    el("td", { text: fmtTime(c.last_at) }),
    el("td", { text: channelLabel(c.channel) }),
    el("td", { className: "q-cell" }, [el("a", { href: "#conversation/" + encodeURIComponent(c.id), text: c.questions.join(" / ") || "（无）" })]),
    el("td", {}, [kinds]),
    el("td", { text: c.items.join("、") || "—" }),
    el("td", { text: c.worst_rating || "—", className: bad ? "bad" : "" }),
    el("td", { text: (c.wrong ? "有误 " + c.wrong : "") + (c.correct ? " 正确 " + c.correct : "") || "—" })
  ]);
  tr.onclick = (e) => { if (e.target.tagName !== "A") open(); };
  tr.onkeydown = (e) => { if (e.key === "Enter") open(); };
  return tr;
}

function pager(b, list) {
  const pages = Math.ceil(b.total / b.size);
  if (pages <= 1) return null;
  const go = (page) => () => { filters.page = page; loadList(list); };
  const nav = el("div", { className: "pager" });
  if (b.page > 1) nav.appendChild(el("button", { type: "button", className: "btn", text: "上一页", onclick: go(b.page - 1) }));
  nav.appendChild(el("span", { className: "muted", text: "第 " + b.page + " / " + pages + " 页" }));
  if (b.page < pages) nav.appendChild(el("button", { type: "button", className: "btn", text: "下一页", onclick: go(b.page + 1) }));
  return nav;
}

function render(b, list) {
  clear(list);
  list.appendChild(el("p", { className: "muted", "data-testid": "conv-count",
    text: b.start + " 至 " + b.end + "：" + b.total + " 个会话，" + b.turns + " 条回答符合条件" + (b.truncated ? "（只扫描了最近的记录）" : "") }));
  if (!b.conversations.length) { list.appendChild(el("p", { className: "empty", text: "没有符合条件的会话。" })); return; }
  list.appendChild(el("div", { className: "table-wrap" }, [el("table", { className: "table" }, [
    el("thead", {}, [el("tr", {}, ["最近时间", "渠道", "问题", "类型", "事项", "评价", "核对"].map((h) => el("th", { text: h })))]),
    el("tbody", {}, b.conversations.map(row))])]));
  const nav = pager(b, list);
  if (nav) list.appendChild(nav);
}

function loadList(list) {
  const f = filters;
  clear(list).appendChild(el("p", { className: "muted", text: "加载中…" }));
  api("/conversations" + qs({ start: f.start, end: f.end, channel: f.channel, kind: f.kind, rating: f.rating,
    item: f.item, review: f.review, q: f.q, page: f.page || 1 })).then((b) => render(b, list))
    .catch((e) => { clear(list); list.appendChild(el("p", { className: "form-error", text: e.message })); });
}
